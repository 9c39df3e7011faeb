/**
 * What one device's `seq` says about the messages between the device and Meterline. Pure: the
 * state goes in, the next state and what the message was come out.
 *
 * Messages of one device may arrive out of order (ingest's connections and instances share the
 * device's messages), so a message below the highest `seq` seen is judged by what is known of
 * that `seq`: missing (a late arrival fills its gap), remembered with the same digest (the same
 * message again: a QoS 1 redelivery or a resend), close enough below the highest to be
 * remembered had it been seen (a late arrival the run's first message overtook), or none of
 * these (a replay, or a reset when it is 0 or 1).
 */

/** What the alert rule, the API and the dashboard call anomalies; `late` is kept too, it undoes part of a gap. */
export const STORED_EVENT_KINDS = ['gap', 'late', 'replay', 'reset'] as const;
export type StoredEventKind = (typeof STORED_EVENT_KINDS)[number];

export type SequenceEvent =
  | { kind: 'first' | 'in-order' | 'duplicate'; seq: number }
  /** `lost`: the seqs skipped, between the highest seen before and this one. */
  | { kind: 'gap'; seq: number; previousSeq: number; lost: number }
  /** A seq not seen until now below the highest; `gapAtMs` names the gap it fills, absent when none is kept (it was below the run's first seq, or its gap was dropped). */
  | { kind: 'late'; seq: number; gapAtMs?: number }
  /** A seq seen before with other bytes; `remembered` false: its digest was no longer kept, so any repeat counts. */
  | { kind: 'replay'; seq: number; previousSeq: number; remembered: boolean }
  /** The device counts again from 0 or 1: a new run starts. */
  | { kind: 'reset'; seq: number; previousSeq: number };

/** Seqs skipped by a gap and not seen since: `from` to `to`, both included. */
interface MissingRange {
  from: number;
  to: number;
  /** When the gap was found (the instant of its gap event). */
  gapAtMs: number;
}

interface SequenceCounts {
  messages: number;
  duplicates: number;
  gaps: number;
  /** Seqs skipped by gaps when they were found. */
  lost: number;
  /** Skipped seqs that arrived later. */
  late: number;
  replays: number;
  resets: number;
}

export interface SequenceState {
  /** The highest seq of the current run: since the first message, or since the last reset. */
  highestSeq: number;
  /** Seqs below `highestSeq` not seen yet, oldest gap first. */
  missing: MissingRange[];
  /** [seq, first 16 hex digits of its SHA-256] of the latest seqs seen, oldest first. */
  recent: [number, string][];
  counts: SequenceCounts;
  lastSeq: number;
  lastAtMs: number;
}

export interface SequenceObservation {
  seq: number;
  /** SHA-256 of the payload, hex. */
  sha256: string;
  /** When ingest received it. */
  atMs: number;
}

export interface TrackerLimits {
  /**
   * Digests kept per device, of the latest seqs seen: a repeat of a seq further below the
   * highest cannot be told from a replay, and counts as one; a seq nearer the highest that is
   * not remembered was not seen, and comes late.
   */
  recentDigests: number;
  /** Gaps kept open per device: the seqs of older ones stay counted as lost. */
  missingRanges: number;
  /** A seq at most this, below the highest, that is no resend and fills no gap, starts a new run. */
  resetMaxSeq: number;
}

const DEFAULT_TRACKER_LIMITS: Readonly<TrackerLimits> = Object.freeze({ recentDigests: 64, missingRanges: 64, resetMaxSeq: 1 });

/** 64 bits of the digest tell a resend from other bytes, in a quarter of the state's room. */
const digestKey = (sha256: string): string => sha256.slice(0, 16);

const NO_COUNTS: SequenceCounts = Object.freeze({ messages: 0, duplicates: 0, gaps: 0, lost: 0, late: 0, replays: 0, resets: 0 });

/** The seqs still missing in a state. */
export const missingCount = (state: SequenceState): number => state.missing.reduce((n, r) => n + r.to - r.from + 1, 0);

export function trackSequence(
  state: SequenceState | undefined,
  observation: SequenceObservation,
  limits: TrackerLimits = DEFAULT_TRACKER_LIMITS,
): { state: SequenceState; event: SequenceEvent } {
  const { seq, atMs } = observation;
  const digest = digestKey(observation.sha256);
  const remember = (recent: [number, string][]): [number, string][] => [...recent.filter(([s]) => s !== seq), [seq, digest] as [number, string]].slice(-limits.recentDigests);
  const next = (base: SequenceState, changes: Partial<SequenceState>, counted: Partial<SequenceCounts>): SequenceState => {
    const counts = { ...base.counts, messages: base.counts.messages + 1 };
    for (const [key, add] of Object.entries(counted) as [keyof SequenceCounts, number][]) counts[key] += add;
    return { ...base, ...changes, counts, lastSeq: seq, lastAtMs: atMs };
  };

  if (!state) {
    // Nothing is known of what came before the first message: not a gap, whatever its seq.
    const first: SequenceState = { highestSeq: seq, missing: [], recent: [[seq, digest]], counts: NO_COUNTS, lastSeq: seq, lastAtMs: atMs };
    return { state: next(first, {}, {}), event: { kind: 'first', seq } };
  }

  const previousSeq = state.highestSeq;
  if (seq === previousSeq + 1) {
    return { state: next(state, { highestSeq: seq, recent: remember(state.recent) }, {}), event: { kind: 'in-order', seq } };
  }
  if (seq > previousSeq + 1) {
    const lost = seq - previousSeq - 1;
    const missing = [...state.missing, { from: previousSeq + 1, to: seq - 1, gapAtMs: atMs }].slice(-limits.missingRanges);
    return {
      state: next(state, { highestSeq: seq, missing, recent: remember(state.recent) }, { gaps: 1, lost }),
      event: { kind: 'gap', seq, previousSeq, lost },
    };
  }

  const gap = state.missing.find((r) => r.from <= seq && seq <= r.to);
  if (gap) {
    const missing = state.missing.flatMap((r) =>
      r !== gap ? [r] : [{ ...r, to: seq - 1 }, { ...r, from: seq + 1 }].filter((part) => part.from <= part.to),
    );
    return { state: next(state, { missing, recent: remember(state.recent) }, { late: 1 }), event: { kind: 'late', seq, gapAtMs: gap.gapAtMs } };
  }
  const known = state.recent.find(([s]) => s === seq);
  if (known?.[1] === digest) {
    return { state: next(state, {}, { duplicates: 1 }), event: { kind: 'duplicate', seq } };
  }
  // A seq this close below the highest would still be remembered had it been seen in this run:
  // it was not, and comes late (the run's first message, or a gap no longer kept, overtook it:
  // a burst sent after a reconnection, shared over ingest's connections).
  if (!known && state.highestSeq - seq < limits.recentDigests) {
    return { state: next(state, { recent: remember(state.recent) }, { late: 1 }), event: { kind: 'late', seq } };
  }
  if (seq <= limits.resetMaxSeq) {
    // A new run: what the old one still missed stays counted as lost.
    return {
      state: next(state, { highestSeq: seq, missing: [], recent: [[seq, digest]] }, { resets: 1 }),
      event: { kind: 'reset', seq, previousSeq },
    };
  }
  return { state: next(state, {}, { replays: 1 }), event: { kind: 'replay', seq, previousSeq, remembered: known !== undefined } };
}
