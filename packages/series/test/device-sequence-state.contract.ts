import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { trackSequence, type SequenceState } from '@meterline/device-sequence';
import { loadSequenceStates, readSequenceCounts, sequenceStatePoint, type StoredSequence, type StoredSequenceUnreadable, type UnreadableRow } from '../src/index.ts';
import { suiteStore, uniqueId, type MakeSeriesStore } from './series-store-under-test.ts';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const fail = (row: UnreadableRow) => expect.fail(row.reason);
const noError = (error: StoredSequenceUnreadable) => expect.fail(error.message);

function stateAfter(seqs: number[]): SequenceState {
  let state: SequenceState | undefined;
  seqs.forEach((seq, i) => (state = trackSequence(state, { seq, sha256: sha(`m${seq}`), atMs: 1_000 + i }).state));
  return state!;
}

export function deviceSequenceStateContract(name: string, make: MakeSeriesStore): void {
  describe(`device sequence state series: ${name}`, () => {
    const store = suiteStore(make);

    it('a state written is read back whole, with the record it applied', async () => {
      const [enterprise, device] = [uniqueId('ent'), uniqueId('dev')];
      const stored: StoredSequence = { enterpriseId: enterprise, deviceId: device, state: stateAfter([1, 2, 6]), applied: { partition: 2, offset: '41' } };
      await store().write([sequenceStatePoint(stored)]);
      const loaded = await loadSequenceStates(store(), [device, uniqueId('dev')], noError);
      expect([...loaded.keys()]).toEqual([device]);
      expect(loaded.get(device)).toEqual(stored);
    });

    it('the counts of an enterprise’s devices: what the API and the dashboard read', async () => {
      const [enterprise, device] = [uniqueId('ent'), uniqueId('dev')];
      await store().write([sequenceStatePoint({ enterpriseId: enterprise, deviceId: device, state: stateAfter([1, 2, 6, 4]), applied: undefined })]);
      const [row] = await store().readSeries({ measurement: 'device_sequence', tags: { enterprise }, fromMs: 0, toMs: 1 });
      const { doc, ...counts } = row!.fields;
      expect({ ...row, fields: counts }).toEqual({
        measurement: 'device_sequence',
        tags: { enterprise, device },
        // 3, 4, 5 skipped at the gap; 4 arrived since; 3 and 5 still missing.
        fields: { last_seq: 4, last_at_ms: 1_003, messages: 4, duplicates: 0, gaps: 1, lost: 3, late: 1, missing: 2, replays: 0, resets: 0 },
        timestampMs: 0,
      });
      expect(JSON.parse(String(doc))).toEqual({ state: stateAfter([1, 2, 6, 4]) });
      expect(await readSequenceCounts(store(), enterprise, fail)).toEqual([
        { deviceId: device, lastSeq: 4, lastAtMs: 1_003, messages: 4, duplicates: 0, gaps: 1, lost: 3, late: 1, missing: 2, replays: 0, resets: 0 },
      ]);
      expect(await readSequenceCounts(store(), uniqueId('ent'), fail)).toEqual([]);
    });

    it('a device stored under two enterprises (it moved) is read from the one it last reported to', async () => {
      const device = uniqueId('dev');
      const [recentEnterprise, oldEnterprise] = [uniqueId('ent'), uniqueId('ent')];
      await store().write([
        sequenceStatePoint({ enterpriseId: recentEnterprise, deviceId: device, state: { ...stateAfter([7]), lastAtMs: 9_000 }, applied: undefined }),
        sequenceStatePoint({ enterpriseId: oldEnterprise, deviceId: device, state: stateAfter([1, 2]), applied: undefined }),
      ]);
      expect((await loadSequenceStates(store(), [device], noError)).get(device)?.enterpriseId).toBe(recentEnterprise);
    });

    it('an unreadable stored state is reported and left out; counts without every field are reported', async () => {
      const [enterprise, device] = [uniqueId('ent'), uniqueId('dev')];
      await store().write([
        { measurement: 'device_sequence', tags: { enterprise, device }, fields: { doc: '{"state":', messages: 3 }, timestampMs: 0 },
        { measurement: 'device_sequence', tags: { enterprise, device: `${device}-b` }, fields: { doc: '{"state":{"highestSeq":"9"}}' }, timestampMs: 0 },
      ]);
      const errors: StoredSequenceUnreadable[] = [];
      expect((await loadSequenceStates(store(), [device, `${device}-b`], (e) => errors.push(e))).size).toBe(0);
      expect(errors.map((e) => [e.code, e.message]).sort()).toEqual([
        ['MTL_DEVICE_SEQUENCE_STATE_UNREADABLE', `the stored sequence state of device ${device} is not JSON`],
        ['MTL_DEVICE_SEQUENCE_STATE_UNREADABLE', `the stored sequence state of device ${device}-b lacks its tracker state`],
      ]);
      const reported: UnreadableRow[] = [];
      expect(await readSequenceCounts(store(), enterprise, (r) => reported.push(r))).toEqual([]);
      expect(reported.map((r) => [r.tags['device'], r.reason])).toEqual([
        [device, 'lacks `last_seq`, `last_at_ms`, `duplicates`, `gaps`, `lost`, `late`, `missing`, `replays`, `resets` (or holds another type)'],
      ]);
    });
  });
}
