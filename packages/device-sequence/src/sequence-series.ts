import type { FieldValue, SeriesPoint, TimeSeriesStore } from '@meterline/store';
import { missingCount, type SequenceEvent, type SequenceState, type StoredEventKind } from './sequence-tracker.ts';

/**
 * The stored series of device sequences (the Metrics table of this package's README). The
 * state of a device is a "current value" written at timestamp 0: a write replaces it.
 */
export const DEVICE_SEQUENCE_MEASUREMENTS = Object.freeze({
  /** Per device: its counts, and the tracker's state as JSON (`doc`), at timestamp 0. */
  state: 'device_sequence',
  /** One point per gap, late arrival, replay and reset, at the instant ingest received the payload. */
  events: 'device_sequence_event',
});

const CURRENT = { fromMs: 0, toMs: 1 };

/** A device's tracker state as stored, with the Kafka record it last applied (so a redelivered record is not counted twice). */
export interface StoredSequence {
  enterpriseId: string;
  deviceId: string;
  state: SequenceState;
  applied: { partition: number; offset: string } | undefined;
}

export interface StoredSequenceEvent {
  enterpriseId: string;
  deviceId: string;
  kind: StoredEventKind;
  atMs: number;
  seq: number;
  /** gap, replay, reset: the highest seq seen before. */
  previousSeq?: number;
  /** gap: the seqs it skipped. */
  lost?: number;
  /** late: the instant of the gap it fills (absent when no gap of it was kept). */
  gapAtMs?: number;
  sha256: string;
}

export function sequenceStatePoint(stored: StoredSequence): SeriesPoint {
  const { state } = stored;
  const { counts } = state;
  return {
    measurement: DEVICE_SEQUENCE_MEASUREMENTS.state,
    tags: { enterprise: stored.enterpriseId, device: stored.deviceId },
    fields: {
      last_seq: state.lastSeq,
      last_at_ms: state.lastAtMs,
      messages: counts.messages,
      duplicates: counts.duplicates,
      gaps: counts.gaps,
      lost: counts.lost,
      late: counts.late,
      missing: missingCount(state),
      replays: counts.replays,
      resets: counts.resets,
      doc: JSON.stringify({ state, applied: stored.applied }),
    },
    timestampMs: 0,
  };
}

/** The point of an event worth keeping (gap, late, replay, reset); none for the others. */
export function sequenceEventPoint(enterpriseId: string, deviceId: string, event: SequenceEvent, received: { atMs: number; sha256: string }): SeriesPoint | undefined {
  if (event.kind === 'first' || event.kind === 'in-order' || event.kind === 'duplicate') return undefined;
  const fields: Record<string, FieldValue> = { seq: event.seq, sha256: received.sha256 };
  if (event.kind === 'gap') Object.assign(fields, { previous_seq: event.previousSeq, lost: event.lost });
  if (event.kind === 'replay' || event.kind === 'reset') fields['previous_seq'] = event.previousSeq;
  if (event.kind === 'replay') fields['remembered'] = event.remembered;
  if (event.kind === 'late' && event.gapAtMs !== undefined) fields['gap_at_ms'] = event.gapAtMs;
  return { measurement: DEVICE_SEQUENCE_MEASUREMENTS.events, tags: { enterprise: enterpriseId, device: deviceId, kind: event.kind }, fields, timestampMs: received.atMs };
}

export class StoredSequenceUnreadable extends Error {
  override readonly name = 'StoredSequenceUnreadable';
  readonly code = 'MTL_DEVICE_SEQUENCE_STATE_UNREADABLE';
  readonly canRetry = false;
}

function storedOf(point: SeriesPoint): StoredSequence {
  const deviceId = point.tags['device'] ?? '';
  let doc: { state?: SequenceState; applied?: StoredSequence['applied'] };
  try {
    doc = JSON.parse(String(point.fields['doc'])) as typeof doc;
  } catch (error) {
    throw new StoredSequenceUnreadable(`the stored sequence state of device ${deviceId} is not JSON`, { cause: error });
  }
  const state = doc.state;
  if (!state || !Number.isSafeInteger(state.highestSeq) || !Array.isArray(state.missing) || !Array.isArray(state.recent) || typeof state.counts !== 'object') {
    throw new StoredSequenceUnreadable(`the stored sequence state of device ${deviceId} lacks its tracker state`);
  }
  return { enterpriseId: point.tags['enterprise'] ?? '', deviceId, state, applied: doc.applied };
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
  const points = await store.readSeries({ measurement: DEVICE_SEQUENCE_MEASUREMENTS.state, tags: { device: deviceIds }, ...CURRENT });
  const byDevice = new Map<string, StoredSequence>();
  for (const point of points) {
    let stored: StoredSequence;
    try {
      stored = storedOf(point);
    } catch (error) {
      if (!(error instanceof StoredSequenceUnreadable)) throw error;
      onUnreadable(error);
      continue;
    }
    const other = byDevice.get(stored.deviceId);
    if (!other || other.state.lastAtMs < stored.state.lastAtMs) byDevice.set(stored.deviceId, stored);
  }
  return byDevice;
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

const COUNT_FIELDS = ['last_seq', 'last_at_ms', 'messages', 'duplicates', 'gaps', 'lost', 'late', 'missing', 'replays', 'resets'];

export async function readSequenceCounts(store: TimeSeriesStore, enterpriseId: string): Promise<DeviceSequenceCounts[]> {
  const points = await store.readSeries({ measurement: DEVICE_SEQUENCE_MEASUREMENTS.state, tags: { enterprise: enterpriseId }, fields: COUNT_FIELDS, ...CURRENT });
  const n = (p: SeriesPoint, field: string) => Number(p.fields[field] ?? 0);
  return points
    .map((p) => ({
      deviceId: p.tags['device'] ?? '',
      lastSeq: n(p, 'last_seq'),
      lastAtMs: n(p, 'last_at_ms'),
      messages: n(p, 'messages'),
      duplicates: n(p, 'duplicates'),
      gaps: n(p, 'gaps'),
      lost: n(p, 'lost'),
      late: n(p, 'late'),
      missing: n(p, 'missing'),
      replays: n(p, 'replays'),
      resets: n(p, 'resets'),
    }))
    .sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
}

/** The events of an enterprise's devices in [fromMs, toMs), oldest first. */
export async function readSequenceEvents(
  store: TimeSeriesStore,
  query: { enterpriseId: string; deviceId?: string; fromMs: number; toMs: number },
): Promise<StoredSequenceEvent[]> {
  const tags = { enterprise: query.enterpriseId, ...(query.deviceId === undefined ? {} : { device: query.deviceId }) };
  const points = await store.readSeries({ measurement: DEVICE_SEQUENCE_MEASUREMENTS.events, tags, fromMs: query.fromMs, toMs: query.toMs });
  const optional = (p: SeriesPoint, field: string, name: keyof StoredSequenceEvent) => (typeof p.fields[field] === 'number' ? { [name]: p.fields[field] } : {});
  return points
    .map((p) => ({
      enterpriseId: p.tags['enterprise'] ?? '',
      deviceId: p.tags['device'] ?? '',
      kind: p.tags['kind'] as StoredEventKind,
      atMs: p.timestampMs,
      seq: Number(p.fields['seq']),
      ...optional(p, 'previous_seq', 'previousSeq'),
      ...optional(p, 'lost', 'lost'),
      ...optional(p, 'gap_at_ms', 'gapAtMs'),
      sha256: String(p.fields['sha256'] ?? ''),
    }))
    .sort((a, b) => a.atMs - b.atMs);
}
