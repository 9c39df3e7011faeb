import type { SeriesPoint, TimeSeriesStore } from '@meterline/store';
import { CURRENT_RANGE, CURRENT_VALUE_MS, isNumber, lacking, readRows, unreadable, type OnUnreadable, type RowRead, type StoredRow } from './row-read.ts';

/** Per metering point, the timestamp of its newest reading the alerter saw on the readings topic ("current value"). */
export const POINT_LAST_SEEN = Object.freeze({
  measurement: 'alerter_seen',
  tags: Object.freeze({ enterprise: 'enterprise', point: 'point' }),
  fields: Object.freeze({ /** Epoch ms. */ lastMs: 'last_ms' }),
});

interface PointLastSeen {
  enterpriseId: string;
  pointId: string;
  lastMs: number;
}

const { tags: T, fields: F } = POINT_LAST_SEEN;

function pointLastSeenPoint(seen: PointLastSeen): SeriesPoint {
  return { measurement: POINT_LAST_SEEN.measurement, tags: { [T.enterprise]: seen.enterpriseId, [T.point]: seen.pointId }, fields: { [F.lastMs]: seen.lastMs }, timestampMs: CURRENT_VALUE_MS };
}

function pointLastSeenOf(row: StoredRow): RowRead<PointLastSeen> {
  const pointId = row.tags[T.point];
  const lastMs = row.fields[F.lastMs];
  if (pointId === undefined) return unreadable(`lacks its \`${T.point}\` tag`);
  if (!isNumber(lastMs)) return unreadable(lacking([F.lastMs]));
  return { ok: true, value: { enterpriseId: row.tags[T.enterprise] ?? '', pointId, lastMs } };
}

/** Per point id, its enterprise and newest reading seen. */
export async function recordSeen(store: TimeSeriesStore, seen: ReadonlyMap<string, { enterpriseId: string; lastMs: number }>): Promise<void> {
  if (seen.size === 0) return;
  await store.write([...seen].map(([pointId, s]) => pointLastSeenPoint({ pointId, ...s })));
}

/** Point id → the timestamp of its newest reading seen. */
export async function loadSeen(store: TimeSeriesStore, enterpriseId: string, onUnreadable: OnUnreadable): Promise<Map<string, number>> {
  const rows = await store.readSeries({ measurement: POINT_LAST_SEEN.measurement, tags: { [T.enterprise]: enterpriseId }, ...CURRENT_RANGE });
  return new Map(readRows(POINT_LAST_SEEN.measurement, rows, pointLastSeenOf, onUnreadable).map((s) => [s.pointId, s.lastMs]));
}
