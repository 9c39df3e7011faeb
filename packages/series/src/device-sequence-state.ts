import { missingCount, type SequenceState } from '@meterline/device-sequence';
import type { SeriesPoint, TimeSeriesStore } from '@meterline/store';
import { CURRENT_RANGE, CURRENT_VALUE_MS, isNumber, lacking, readRows, type OnUnreadable, type RowRead, type StoredRow } from './row-read.ts';
import { SERIES_ERRORS } from './errors.ts';

/**
 * Per device, its sequence counts and the tracker's state as JSON ("current value": each write
 * replaces it), written by the alerter after each batch that had records of the device.
 */
export const DEVICE_SEQUENCE_STATE = Object.freeze({
  measurement: 'device_sequence',
  tags: Object.freeze({ enterprise: 'enterprise', device: 'device' }),
  fields: Object.freeze({
    lastSeq: 'last_seq',
    /** When ingest received the latest record, epoch ms. */
    lastAtMs: 'last_at_ms',
    messages: 'messages',
    duplicates: 'duplicates',
    gaps: 'gaps',
    lost: 'lost',
    late: 'late',
    missing: 'missing',
    replays: 'replays',
    resets: 'resets',
    /** JSON: the tracker state and the Kafka record it last applied. */
    doc: 'doc',
  }),
});

/** A device's tracker state as stored, with the Kafka record it last applied (so a redelivered record is not counted twice). */
export interface StoredSequence {
  enterpriseId: string;
  deviceId: string;
  state: SequenceState;
  applied: { partition: number; offset: string } | undefined;
}

/** The counts of each device of an enterprise, as the state series holds them. */
export interface DeviceSequenceCounts {
  deviceId: string;
  lastSeq: number;
  lastAtMs: number;
  messages: number;
  duplicates: number;
  gaps: number;
  lost: number;
  late: number;
  missing: number;
  replays: number;
  resets: number;
}

const { tags: T, fields: F } = DEVICE_SEQUENCE_STATE;

export function sequenceStatePoint(stored: StoredSequence): SeriesPoint {
  const { state } = stored;
  const { counts } = state;
  return {
    measurement: DEVICE_SEQUENCE_STATE.measurement,
    tags: { [T.enterprise]: stored.enterpriseId, [T.device]: stored.deviceId },
    fields: {
      [F.lastSeq]: state.lastSeq,
      [F.lastAtMs]: state.lastAtMs,
      [F.messages]: counts.messages,
      [F.duplicates]: counts.duplicates,
      [F.gaps]: counts.gaps,
      [F.lost]: counts.lost,
      [F.late]: counts.late,
      [F.missing]: missingCount(state),
      [F.replays]: counts.replays,
      [F.resets]: counts.resets,
      [F.doc]: JSON.stringify({ state, applied: stored.applied }),
    },
    timestampMs: CURRENT_VALUE_MS,
  };
}

function storedSequenceOf(row: StoredRow): RowRead<StoredSequence> {
  let doc: { state?: SequenceState; applied?: StoredSequence['applied'] };
  try {
    doc = JSON.parse(String(row.fields[F.doc])) as typeof doc;
  } catch {
    return { ok: false, reason: 'is not JSON' };
  }
  const state = doc.state;
  if (!state || !Number.isSafeInteger(state.highestSeq) || !Array.isArray(state.missing) || !Array.isArray(state.recent) || typeof state.counts !== 'object') {
    return { ok: false, reason: 'lacks its tracker state' };
  }
  return { ok: true, value: { enterpriseId: row.tags[T.enterprise] ?? '', deviceId: row.tags[T.device] ?? '', state, applied: doc.applied } };
}

export class StoredSequenceUnreadable extends Error {
  override readonly name = 'StoredSequenceUnreadable';
  readonly code = 'MTL_DEVICE_SEQUENCE_STATE_UNREADABLE' satisfies (typeof SERIES_ERRORS.codes)[number];
  readonly canRetry = SERIES_ERRORS.canRetry(this.code);
}

/**
 * The stored states of these devices. A device stored under two enterprises (it moved) is
 * taken from the one it last reported to. An unreadable state is reported and left out: the
 * device starts again as if first seen, rather than holding up every later record.
 */
export async function loadSequenceStates(
  store: TimeSeriesStore,
  deviceIds: readonly string[],
  onUnreadable: (error: StoredSequenceUnreadable) => void,
): Promise<Map<string, StoredSequence>> {
  const rows = await store.readSeries({ measurement: DEVICE_SEQUENCE_STATE.measurement, tags: { [T.device]: deviceIds }, ...CURRENT_RANGE });
  const byDevice = new Map<string, StoredSequence>();
  for (const row of rows) {
    const read = storedSequenceOf(row);
    if (!read.ok) {
      onUnreadable(new StoredSequenceUnreadable(`the stored sequence state of device ${row.tags[T.device] ?? ''} ${read.reason}`));
      continue;
    }
    const other = byDevice.get(read.value.deviceId);
    if (!other || other.state.lastAtMs < read.value.state.lastAtMs) byDevice.set(read.value.deviceId, read.value);
  }
  return byDevice;
}

const COUNT_FIELDS = [F.lastSeq, F.lastAtMs, F.messages, F.duplicates, F.gaps, F.lost, F.late, F.missing, F.replays, F.resets];

function sequenceCountsOf(row: StoredRow): RowRead<DeviceSequenceCounts> {
  const deviceId = row.tags[T.device];
  if (deviceId === undefined) return { ok: false, reason: `lacks its \`${T.device}\` tag` };
  const f = row.fields;
  const missing = COUNT_FIELDS.filter((name) => !isNumber(f[name]));
  if (missing.length > 0) return { ok: false, reason: lacking(missing) };
  const n = (name: string) => f[name] as number;
  return {
    ok: true,
    value: {
      deviceId,
      lastSeq: n(F.lastSeq),
      lastAtMs: n(F.lastAtMs),
      messages: n(F.messages),
      duplicates: n(F.duplicates),
      gaps: n(F.gaps),
      lost: n(F.lost),
      late: n(F.late),
      missing: n(F.missing),
      replays: n(F.replays),
      resets: n(F.resets),
    },
  };
}

/** The counts of an enterprise's devices, by device id. */
export async function readSequenceCounts(store: TimeSeriesStore, enterpriseId: string, onUnreadable: OnUnreadable): Promise<DeviceSequenceCounts[]> {
  const rows = await store.readSeries({ measurement: DEVICE_SEQUENCE_STATE.measurement, tags: { [T.enterprise]: enterpriseId }, fields: COUNT_FIELDS, ...CURRENT_RANGE });
  return readRows(DEVICE_SEQUENCE_STATE.measurement, rows, sequenceCountsOf, onUnreadable).sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
}
