import { STORED_EVENT_KINDS, type SequenceEvent, type StoredEventKind } from '@meterline/device-sequence';
import type { FieldValue, SeriesPoint, TimeSeriesStore } from '@meterline/store';
import { isNumber, lacking, missingFields, readRows, type OnUnreadable, type RowRead, type StoredRow } from './row-read.ts';

/**
 * One point per gap, late arrival, replay and reset of a device's seq, at the instant ingest
 * received the payload (in-order, first and duplicate records are not stored).
 */
export const DEVICE_SEQUENCE_EVENTS = Object.freeze({
  measurement: 'device_sequence_event',
  tags: Object.freeze({ enterprise: 'enterprise', device: 'device', /** gap, late, replay, reset */ kind: 'kind' }),
  fields: Object.freeze({
    seq: 'seq',
    /** SHA-256 of the payload, hex. */
    sha256: 'sha256',
    /** gap, replay, reset: the highest seq seen before. */
    previousSeq: 'previous_seq',
    /** gap: the seqs it skipped. */
    lost: 'lost',
    /** late: the instant of the gap it fills, epoch ms. */
    gapAtMs: 'gap_at_ms',
    /** replay: false when the seq's digest was no longer kept. */
    remembered: 'remembered',
  }),
});

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

const { tags: T, fields: F } = DEVICE_SEQUENCE_EVENTS;

/** The point of an event worth keeping (gap, late, replay, reset); none for the others. */
export function sequenceEventPoint(enterpriseId: string, deviceId: string, event: SequenceEvent, received: { atMs: number; sha256: string }): SeriesPoint | undefined {
  if (event.kind === 'first' || event.kind === 'in-order' || event.kind === 'duplicate') return undefined;
  const fields: Record<string, FieldValue> = { [F.seq]: event.seq, [F.sha256]: received.sha256 };
  if (event.kind === 'gap') Object.assign(fields, { [F.previousSeq]: event.previousSeq, [F.lost]: event.lost });
  if (event.kind === 'replay' || event.kind === 'reset') fields[F.previousSeq] = event.previousSeq;
  if (event.kind === 'replay') fields[F.remembered] = event.remembered;
  if (event.kind === 'late' && event.gapAtMs !== undefined) fields[F.gapAtMs] = event.gapAtMs;
  return { measurement: DEVICE_SEQUENCE_EVENTS.measurement, tags: { [T.enterprise]: enterpriseId, [T.device]: deviceId, [T.kind]: event.kind }, fields, timestampMs: received.atMs };
}

function sequenceEventOf(row: StoredRow): RowRead<StoredSequenceEvent> {
  const f = row.fields;
  const kind = row.tags[T.kind];
  if (!(STORED_EVENT_KINDS as readonly (string | undefined)[]).includes(kind)) return { ok: false, reason: `its \`${T.kind}\` tag is ${JSON.stringify(kind)}, not one of ${STORED_EVENT_KINDS.join(', ')}` };
  const missing = missingFields(f, { number: [F.seq], text: [F.sha256] });
  if (missing.length > 0) return { ok: false, reason: lacking(missing) };
  const optional = (field: string, name: 'previousSeq' | 'lost' | 'gapAtMs') => (isNumber(f[field]) ? { [name]: f[field] } : {});
  return {
    ok: true,
    value: {
      enterpriseId: row.tags[T.enterprise] ?? '',
      deviceId: row.tags[T.device] ?? '',
      kind: kind as StoredEventKind,
      atMs: row.timestampMs,
      seq: f[F.seq] as number,
      ...optional(F.previousSeq, 'previousSeq'),
      ...optional(F.lost, 'lost'),
      ...optional(F.gapAtMs, 'gapAtMs'),
      sha256: f[F.sha256] as string,
    },
  };
}

/** The events of an enterprise's devices in [fromMs, toMs), oldest first. */
export async function readSequenceEvents(
  store: TimeSeriesStore,
  query: { enterpriseId: string; deviceId?: string; fromMs: number; toMs: number },
  onUnreadable: OnUnreadable,
): Promise<StoredSequenceEvent[]> {
  const tags = { [T.enterprise]: query.enterpriseId, ...(query.deviceId === undefined ? {} : { [T.device]: query.deviceId }) };
  const rows = await store.readSeries({ measurement: DEVICE_SEQUENCE_EVENTS.measurement, tags, fromMs: query.fromMs, toMs: query.toMs });
  return readRows(DEVICE_SEQUENCE_EVENTS.measurement, rows, sequenceEventOf, onUnreadable).sort((a, b) => a.atMs - b.atMs);
}
