import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { missingCount, trackSequence, type SequenceEvent, type SequenceState, type TrackerLimits } from '../src/sequence-tracker.ts';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
/** The bytes a device sends for `seq`; `variant` changes them (a replay's other content). */
const message = (seq: number, variant = '') => ({ seq, sha256: sha(`payload ${seq}${variant}`) });

/** Feeds messages in order, one millisecond apart from t = 1000, and returns the events and the last state. */
function run(messages: { seq: number; sha256: string }[], limits?: TrackerLimits, from?: SequenceState) {
  let state = from;
  const events: SequenceEvent[] = [];
  messages.forEach((m, i) => {
    const out = trackSequence(state, { ...m, atMs: 1000 + i }, limits);
    state = out.state;
    events.push(out.event);
  });
  return { events, state: state! };
}

const seqs = (...list: number[]) => list.map((s) => message(s));

describe('trackSequence', () => {
  it('first message ever: no gap whatever its seq, nothing counted but the message', () => {
    const { events, state } = run(seqs(1842));
    expect(events).toEqual([{ kind: 'first', seq: 1842 }]);
    expect(state.counts).toEqual({ messages: 1, duplicates: 0, gaps: 0, lost: 0, late: 0, replays: 0, resets: 0 });
    expect(state).toMatchObject({ highestSeq: 1842, lastSeq: 1842, lastAtMs: 1000, missing: [] });
  });

  it('in order: each seq one above the last', () => {
    const { events, state } = run(seqs(0, 1, 2, 3));
    expect(events.map((e) => e.kind)).toEqual(['first', 'in-order', 'in-order', 'in-order']);
    expect(state.counts).toEqual({ messages: 4, duplicates: 0, gaps: 0, lost: 0, late: 0, replays: 0, resets: 0 });
    expect(state.highestSeq).toBe(3);
  });

  it('duplicate: the same seq with the same bytes (QoS 1 redelivery) is no anomaly, at the top or below it', () => {
    const { events, state } = run([...seqs(5, 6, 7), message(7), message(6)]);
    expect(events.slice(3)).toEqual([
      { kind: 'duplicate', seq: 7 },
      { kind: 'duplicate', seq: 6 },
    ]);
    expect(state.counts).toMatchObject({ messages: 5, duplicates: 2, replays: 0, gaps: 0 });
    expect(state.highestSeq).toBe(7);
  });

  it('gap: seqs skipped are counted as lost and kept as missing', () => {
    const { events, state } = run(seqs(10, 11, 15));
    expect(events[2]).toEqual({ kind: 'gap', seq: 15, previousSeq: 11, lost: 3 });
    expect(state.counts).toMatchObject({ gaps: 1, lost: 3, late: 0 });
    expect(state.missing).toEqual([{ from: 12, to: 14, gapAtMs: 1002 }]);
    expect(missingCount(state)).toBe(3);
  });

  it('late arrival: a missing seq fills its gap (the middle one splits it), and its repeat is a duplicate', () => {
    const { events, state } = run([...seqs(10, 11, 15, 13, 12), message(13)]);
    expect(events.slice(3)).toEqual([
      { kind: 'late', seq: 13, gapAtMs: 1002 },
      { kind: 'late', seq: 12, gapAtMs: 1002 },
      { kind: 'duplicate', seq: 13 },
    ]);
    expect(state.missing).toEqual([{ from: 14, to: 14, gapAtMs: 1002 }]);
    expect(state.counts).toMatchObject({ gaps: 1, lost: 3, late: 2, duplicates: 1, replays: 0 });
    expect(missingCount(state)).toBe(1);
  });

  it('two messages swapped in transit: a gap of one, filled at once', () => {
    const { events, state } = run(seqs(1, 3, 2, 4));
    expect(events.map((e) => e.kind)).toEqual(['first', 'gap', 'late', 'in-order']);
    expect(state.missing).toEqual([]);
    expect(state.counts).toMatchObject({ gaps: 1, lost: 1, late: 1 });
  });

  it('replay: a seen seq with other bytes, at the top or below it; the state does not move', () => {
    const { events, state } = run([...seqs(20, 21, 22), message(22, 'forged'), message(21, 'forged')]);
    expect(events.slice(3)).toEqual([
      { kind: 'replay', seq: 22, previousSeq: 22, remembered: true },
      { kind: 'replay', seq: 21, previousSeq: 22, remembered: true },
    ]);
    expect(state.counts).toMatchObject({ messages: 5, replays: 2, duplicates: 0 });
    expect(state.highestSeq).toBe(22);
    // The original bytes are still the ones remembered: sending them again is a duplicate.
    expect(trackSequence(state, { ...message(21), atMs: 2000 }).event).toEqual({ kind: 'duplicate', seq: 21 });
  });

  it('a seq older than the digests kept, and no missing one, counts as a replay it cannot compare', () => {
    const limits = { recentDigests: 2, missingRanges: 8, resetMaxSeq: 1 };
    const { events } = run([...seqs(30, 31, 32, 33), message(30)], limits);
    expect(events[4]).toEqual({ kind: 'replay', seq: 30, previousSeq: 33, remembered: false });
  });

  it('reset to 0 after a high seq starts a new run; the old run’s missing seqs stay lost', () => {
    const { events, state } = run(seqs(500, 501, 503, 0, 1, 2));
    expect(events.slice(3)).toEqual([
      { kind: 'reset', seq: 0, previousSeq: 503 },
      { kind: 'in-order', seq: 1 },
      { kind: 'in-order', seq: 2 },
    ]);
    expect(state).toMatchObject({ highestSeq: 2, missing: [] });
    expect(state.counts).toMatchObject({ resets: 1, gaps: 1, lost: 1, late: 0, replays: 0 });
  });

  it('a reset to 0 of a run that saw 0 is a reset however young the run; of a young run that did not, it comes late', () => {
    expect(run([...seqs(0, 1, 2, 3), message(0, 'after reboot')]).events.at(-1)).toEqual({ kind: 'reset', seq: 0, previousSeq: 3 });
    // Read as late arrivals (a run's first messages overtaken look the same), until the new run
    // reaches a seq the old one saw: that one is a replay.
    const { events } = run([...seqs(5, 6, 7, 0, 1, 2, 3, 4), message(5, 'after reboot')]);
    expect(events.slice(3).map((e) => e.kind)).toEqual(['late', 'late', 'late', 'late', 'late', 'replay']);
  });

  it('reset to 1 is a reset too; to 2 it is a replay (only 0 and 1 start a run)', () => {
    expect(run(seqs(900, 901, 1)).events[2]).toEqual({ kind: 'reset', seq: 1, previousSeq: 901 });
    expect(run(seqs(900, 901, 2)).events[2]).toEqual({ kind: 'replay', seq: 2, previousSeq: 901, remembered: false });
  });

  it('a missing 0 or 1 arriving late fills its gap; it is no reset', () => {
    const { events } = run(seqs(0, 2, 1));
    expect(events.map((e) => e.kind)).toEqual(['first', 'gap', 'late']);
  });

  it('a resent 1 after a reset to 0 and seq 1 is a duplicate, not another reset', () => {
    const { events, state } = run([...seqs(70, 0, 1), message(1)]);
    expect(events.map((e) => e.kind)).toEqual(['first', 'reset', 'in-order', 'duplicate']);
    expect(state.counts.resets).toBe(1);
  });

  it('keeps at most `missingRanges` gaps open: the seqs of older ones stay lost; one of them arriving is late, of no gap', () => {
    const limits = { recentDigests: 64, missingRanges: 2, resetMaxSeq: 1 };
    const { events, state } = run([...seqs(10, 12, 14, 16), message(11)], limits);
    expect(state.missing).toEqual([
      { from: 13, to: 13, gapAtMs: 1002 },
      { from: 15, to: 15, gapAtMs: 1003 },
    ]);
    expect(events[4]).toEqual({ kind: 'late', seq: 11 });
    expect(state.counts).toMatchObject({ gaps: 3, lost: 3, late: 1, replays: 0 });
  });

  it('the first message overtaken (a burst shared over ingest’s connections): the seqs below it are late, not replays or resets', () => {
    const { events, state } = run(seqs(5, 3, 1, 4, 2, 6));
    expect(events).toEqual([
      { kind: 'first', seq: 5 },
      { kind: 'late', seq: 3 },
      { kind: 'late', seq: 1 },
      { kind: 'late', seq: 4 },
      { kind: 'late', seq: 2 },
      { kind: 'in-order', seq: 6 },
    ]);
    expect(state.counts).toMatchObject({ messages: 6, late: 4, gaps: 0, replays: 0, resets: 0, duplicates: 0 });
    // Each is remembered now: its other bytes are a replay.
    expect(trackSequence(state, { ...message(3, 'forged'), atMs: 2000 }).event).toEqual({ kind: 'replay', seq: 3, previousSeq: 6, remembered: true });
  });

  it('a seq not remembered 64 or more below the highest is a replay; nearer, it comes late', () => {
    const upTo = (n: number) => Array.from({ length: n + 1 }, (_, i) => i + 100);
    expect(run([...seqs(...upTo(64)), message(100, 'x')]).events.at(-1)).toEqual({ kind: 'replay', seq: 100, previousSeq: 164, remembered: false });
    // Started at 101: 100 was never seen, and 163 - 100 < 64.
    expect(run([...seqs(...upTo(63).slice(1)), message(100)]).events.at(-1)).toEqual({ kind: 'late', seq: 100 });
  });

  it('keeps at most `recentDigests` digests', () => {
    const { state } = run(seqs(...Array.from({ length: 100 }, (_, i) => i)));
    expect(state.recent).toHaveLength(64);
    expect(state.recent[0]?.[0]).toBe(36);
    expect(state.recent.at(-1)).toEqual([99, sha('payload 99').slice(0, 16)]);
  });

  it('does not change the state it is given', () => {
    const { state } = run(seqs(1, 2, 5));
    const copy = structuredClone(state);
    trackSequence(state, { ...message(3), atMs: 5000 });
    trackSequence(state, { ...message(0, 'x'), atMs: 5000 });
    expect(state).toEqual(copy);
  });

  it('a state read back from JSON goes on as the one in memory (the alerter stores it between batches)', () => {
    const before = run(seqs(1, 2, 5)).state;
    const restored = JSON.parse(JSON.stringify(before)) as SequenceState;
    const rest = [message(3), message(2), message(2, 'forged'), message(6)];
    expect(run(rest, undefined, restored)).toEqual(run(rest, undefined, before));
  });
});
