import { DeviceState } from '@meterline/contracts';
import type { SeriesPoint, TimeSeriesStore } from '@meterline/store';
import { CURRENT_RANGE, CURRENT_VALUE_MS, isText, lacking, missingFields, readRows, unreadable, type OnUnreadable, type RowRead, type StoredRow } from './row-read.ts';

/** Per device, the last status it published (its last will says offline), as the alerter saw it ("current value"). */
export const DEVICE_LAST_STATUS = Object.freeze({
  measurement: 'alerter_device',
  tags: Object.freeze({ enterprise: 'enterprise', device: 'device' }),
  fields: Object.freeze({
    /** online, offline or unknown. */
    state: 'state',
    /** When ingest received the status, epoch ms. */
    atMs: 'at_ms',
    /** The status payload's text, as published. */
    text: 'text',
  }),
});

export interface DeviceReport {
  state: DeviceState;
  /** When ingest received the status. */
  atMs: number;
}

export interface DeviceStatusReport extends DeviceReport {
  enterpriseId: string;
  deviceId: string;
  text: string;
}

const { tags: T, fields: F } = DEVICE_LAST_STATUS;
const STATES: readonly string[] = DeviceState.anyOf.map((s) => s.const);

function deviceLastStatusPoint(report: DeviceStatusReport): SeriesPoint {
  return {
    measurement: DEVICE_LAST_STATUS.measurement,
    tags: { [T.enterprise]: report.enterpriseId, [T.device]: report.deviceId },
    fields: { [F.state]: report.state, [F.atMs]: report.atMs, [F.text]: report.text },
    timestampMs: CURRENT_VALUE_MS,
  };
}

function deviceLastStatusOf(row: StoredRow): RowRead<DeviceStatusReport> {
  const f = row.fields;
  const deviceId = row.tags[T.device];
  if (deviceId === undefined) return unreadable(`lacks its \`${T.device}\` tag`);
  const missing = missingFields(f, { number: [F.atMs], text: [F.state] });
  if (missing.length > 0) return unreadable(lacking(missing));
  const state = f[F.state] as string;
  const text = f[F.text];
  if (!STATES.includes(state)) return unreadable(`its \`${F.state}\` is ${JSON.stringify(state)}, not one of ${STATES.join(', ')}`);
  return { ok: true, value: { enterpriseId: row.tags[T.enterprise] ?? '', deviceId, state: state as DeviceState, atMs: f[F.atMs] as number, text: isText(text) ? text : '' } };
}

export async function recordDeviceStates(store: TimeSeriesStore, reports: readonly DeviceStatusReport[]): Promise<void> {
  if (reports.length === 0) return;
  await store.write(reports.map(deviceLastStatusPoint));
}

/** Device id → its last status. */
export async function loadDeviceStates(store: TimeSeriesStore, enterpriseId: string, onUnreadable: OnUnreadable): Promise<Map<string, DeviceReport>> {
  const rows = await store.readSeries({ measurement: DEVICE_LAST_STATUS.measurement, tags: { [T.enterprise]: enterpriseId }, ...CURRENT_RANGE });
  return new Map(readRows(DEVICE_LAST_STATUS.measurement, rows, deviceLastStatusOf, onUnreadable).map((r) => [r.deviceId, { state: r.state, atMs: r.atMs }]));
}
