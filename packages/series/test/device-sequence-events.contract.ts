import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readSequenceEvents, sequenceEventPoint, type UnreadableRow } from '../src/index.ts';
import { suiteStore, uniqueId, type MakeSeriesStore } from './series-store-under-test.ts';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const fail = (row: UnreadableRow) => expect.fail(row.reason);
const received = (atMs: number) => ({ atMs, sha256: sha(String(atMs)) });

export function deviceSequenceEventsContract(name: string, make: MakeSeriesStore): void {
  describe(`device sequence events series: ${name}`, () => {
    const store = suiteStore(make);

    it('a point for gaps, late arrivals, replays and resets only, read back oldest first', async () => {
      const enterprise = uniqueId('ent');
      expect(sequenceEventPoint(enterprise, 'd1', { kind: 'in-order', seq: 3 }, received(1))).toBeUndefined();
      expect(sequenceEventPoint(enterprise, 'd1', { kind: 'duplicate', seq: 3 }, received(1))).toBeUndefined();
      expect(sequenceEventPoint(enterprise, 'd1', { kind: 'first', seq: 3 }, received(1))).toBeUndefined();
      await store().write(
        [
          sequenceEventPoint(enterprise, 'd1', { kind: 'reset', seq: 0, previousSeq: 9 }, received(4_000)),
          sequenceEventPoint(enterprise, 'd1', { kind: 'gap', seq: 9, previousSeq: 5, lost: 3 }, received(1_000)),
          sequenceEventPoint(enterprise, 'd1', { kind: 'late', seq: 7, gapAtMs: 1_000 }, received(2_000)),
          sequenceEventPoint(enterprise, 'd2', { kind: 'replay', seq: 4, previousSeq: 9, remembered: true }, received(3_000)),
        ].map((p) => p!),
      );
      const rows = await store().readSeries({ measurement: 'device_sequence_event', tags: { enterprise, device: 'd2' }, fromMs: 0, toMs: 10_000 });
      expect(rows).toEqual([
        { measurement: 'device_sequence_event', tags: { enterprise, device: 'd2', kind: 'replay' }, fields: { seq: 4, sha256: sha('3000'), previous_seq: 9, remembered: true }, timestampMs: 3_000 },
      ]);
      const all = await readSequenceEvents(store(), { enterpriseId: enterprise, fromMs: 0, toMs: 10_000 }, fail);
      expect(all.map((e) => [e.deviceId, e.kind, e.atMs, e.seq])).toEqual([
        ['d1', 'gap', 1_000, 9],
        ['d1', 'late', 2_000, 7],
        ['d2', 'replay', 3_000, 4],
        ['d1', 'reset', 4_000, 0],
      ]);
      expect(all[0]).toEqual({ enterpriseId: enterprise, deviceId: 'd1', kind: 'gap', atMs: 1_000, seq: 9, previousSeq: 5, lost: 3, sha256: sha('1000') });
      expect(all[1]).toMatchObject({ gapAtMs: 1_000 });
      const ofD1 = await readSequenceEvents(store(), { enterpriseId: enterprise, deviceId: 'd1', fromMs: 1_500, toMs: 4_000 }, fail);
      expect(ofD1.map((e) => e.kind)).toEqual(['late']);
    });

    it('reports a row of a kind it does not store, or without its seq, and reads the others', async () => {
      const enterprise = uniqueId('ent');
      await store().write([
        sequenceEventPoint(enterprise, 'd1', { kind: 'gap', seq: 9, previousSeq: 5, lost: 3 }, received(1_000))!,
        { measurement: 'device_sequence_event', tags: { enterprise, device: 'd1', kind: 'hiccup' }, fields: { seq: 10, sha256: sha('x') }, timestampMs: 2_000 },
        { measurement: 'device_sequence_event', tags: { enterprise, device: 'd1', kind: 'reset' }, fields: { sha256: sha('y'), previous_seq: 10 }, timestampMs: 3_000 },
      ]);
      const reported: UnreadableRow[] = [];
      expect((await readSequenceEvents(store(), { enterpriseId: enterprise, fromMs: 0, toMs: 10_000 }, (r) => reported.push(r))).map((e) => e.kind)).toEqual(['gap']);
      expect(reported.sort((a, b) => a.timestampMs - b.timestampMs).map((r) => [r.timestampMs, r.reason])).toEqual([
        [2_000, 'its `kind` tag is "hiccup", not one of gap, late, replay, reset'],
        [3_000, 'lacks `seq` (or holds another type)'],
      ]);
    });
  });
}
