import type { SeriesPoint, TimeSeriesStore } from '@meterline/store';
import { alertHistoryPoint } from './alert-history.ts';
import { alertStatePoint, progressPoint, type AlertRecord, type EnterpriseProgress } from './alert-state.ts';

/** How one alert is stored: its current record (alert state) and its episode's point (alert history). */
export const alertRecordPoints = (record: AlertRecord): SeriesPoint[] => [alertStatePoint(record), alertHistoryPoint(record.alert)];

/** Writes the progress, the changed records and each changed alert's history point, in one write. */
export async function saveAlerts(store: TimeSeriesStore, enterpriseId: string, changed: readonly AlertRecord[], progress: EnterpriseProgress): Promise<void> {
  await store.write([progressPoint(enterpriseId, progress), ...changed.flatMap(alertRecordPoints)]);
}
