import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InMemoryStore } from '@meterline/store';
import {
  DEVICE_SEQUENCE_MEASUREMENTS,
  loadSequenceStates,
  readSequenceCounts,
  readSequenceEvents,
  sequenceEventPoint,
  sequenceStatePoint,
  trackSequence,
  type SequenceState,
  type StoredSequence,
  type StoredSequenceUnreadable,
} from '../src/index.ts';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

function stateAfter(seqs: number[]): SequenceState {
  let state: SequenceState | undefined;
  seqs.forEach((seq, i) => (state = trackSequence(state, { seq, sha256: sha(`m${seq}`), atMs: 1_000 + i }).state));
  return state!;
}

describe('device sequence series', () => {
  it('a state written is read back whole, with the record it applied', async () => {
    const store = new InMemoryStore();
    const stored: StoredSequence = { enterpriseId: 'e1', deviceId: 'd1', state: stateAfter([1, 2, 6]), applied: { partition: 2, offset: '41' } };
    await store.write([sequenceStatePoint(stored)]);
    const loaded = await loadSequenceStates(store, ['d1', 'd2'], () => undefined);
    expect([...loaded.keys()]).toEqual(['d1']);
    expect(loaded.get('d1')).toEqual(stored);
  });

  it('the counts of an enterprise’s devices: what the API and the dashboard read', async () => {
    const store = new InMemoryStore();
    const state = stateAfter([1, 2, 6, 4]);
    await store.write([sequenceStatePoint({ enterpriseId: 'e1', deviceId: 'd1', state, applied: undefined })]);
    expect(await readSequenceCounts(store, 'e1')).toEqual([
      // 3, 4, 5 skipped at the gap; 4 arrived since; 3 and 5 still missing.
      { deviceId: 'd1', lastSeq: 4, lastAtMs: 1_003, messages: 4, duplicates: 0, gaps: 1, lost: 3, late: 1, missing: 2, replays: 0, resets: 0 },
    ]);
    expect(await readSequenceCounts(store, 'e2')).toEqual([]);
  });

  it('a device stored under two enterprises (it moved) is read from the one it last reported to', async () => {
    const store = new InMemoryStore();
    const old = stateAfter([1, 2]);
    const recent = { ...stateAfter([7]), lastAtMs: 9_000 };
    await store.write([
      sequenceStatePoint({ enterpriseId: 'e-new', deviceId: 'd1', state: recent, applied: undefined }),
      sequenceStatePoint({ enterpriseId: 'e-old', deviceId: 'd1', state: old, applied: undefined }),
    ]);
    expect((await loadSequenceStates(store, ['d1'], () => undefined)).get('d1')?.enterpriseId).toBe('e-new');
  });

  it('an unreadable stored state is reported and left out', async () => {
    const store = new InMemoryStore();
    await store.write([{ measurement: DEVICE_SEQUENCE_MEASUREMENTS.state, tags: { enterprise: 'e1', device: 'd1' }, fields: { doc: '{"state":' }, timestampMs: 0 }]);
    const reported: StoredSequenceUnreadable[] = [];
    expect((await loadSequenceStates(store, ['d1'], (e) => reported.push(e))).size).toBe(0);
    expect(reported.map((e) => [e.code, e.message])).toEqual([['MTL_DEVICE_SEQUENCE_STATE_UNREADABLE', 'the stored sequence state of device d1 is not JSON']]);
  });

  it('events: a point for gaps, late arrivals, replays and resets only, read back oldest first', async () => {
    const store = new InMemoryStore();
    const received = (atMs: number) => ({ atMs, sha256: sha(String(atMs)) });
    expect(sequenceEventPoint('e1', 'd1', { kind: 'in-order', seq: 3 }, received(1))).toBeUndefined();
    expect(sequenceEventPoint('e1', 'd1', { kind: 'duplicate', seq: 3 }, received(1))).toBeUndefined();
    expect(sequenceEventPoint('e1', 'd1', { kind: 'first', seq: 3 }, received(1))).toBeUndefined();
    await store.write(
      [
        sequenceEventPoint('e1', 'd1', { kind: 'reset', seq: 0, previousSeq: 9 }, received(4_000)),
        sequenceEventPoint('e1', 'd1', { kind: 'gap', seq: 9, previousSeq: 5, lost: 3 }, received(1_000)),
        sequenceEventPoint('e1', 'd1', { kind: 'late', seq: 7, gapAtMs: 1_000 }, received(2_000)),
        sequenceEventPoint('e1', 'd2', { kind: 'replay', seq: 4, previousSeq: 9, remembered: true }, received(3_000)),
      ].map((p) => p!),
    );
    const all = await readSequenceEvents(store, { enterpriseId: 'e1', fromMs: 0, toMs: 10_000 });
    expect(all.map((e) => [e.deviceId, e.kind, e.atMs, e.seq])).toEqual([
      ['d1', 'gap', 1_000, 9],
      ['d1', 'late', 2_000, 7],
      ['d2', 'replay', 3_000, 4],
      ['d1', 'reset', 4_000, 0],
    ]);
    expect(all[0]).toEqual({ enterpriseId: 'e1', deviceId: 'd1', kind: 'gap', atMs: 1_000, seq: 9, previousSeq: 5, lost: 3, sha256: sha('1000') });
    expect(all[1]).toMatchObject({ gapAtMs: 1_000 });
    const ofD1 = await readSequenceEvents(store, { enterpriseId: 'e1', deviceId: 'd1', fromMs: 1_500, toMs: 4_000 });
    expect(ofD1.map((e) => e.kind)).toEqual(['late']);
  });
});
