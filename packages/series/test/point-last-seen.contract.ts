import { describe, expect, it } from 'vitest';
import { loadSeen, recordSeen, type UnreadableRow } from '../src/index.ts';
import { suiteStore, uniqueId, type MakeSeriesStore } from './series-store-under-test.ts';

const T0 = Date.UTC(2026, 2, 2, 1, 0, 0);
const fail = (row: UnreadableRow) => expect.fail(row.reason);

export function pointLastSeenContract(name: string, make: MakeSeriesStore): void {
  describe(`point last-seen series: ${name}`, () => {
    const store = suiteStore(make);

    it('stores each point’s newest reading instant at timestamp 0 and reads the enterprise’s back; a newer one replaces it', async () => {
      const [e1, e2] = [uniqueId('ent'), uniqueId('ent')];
      await recordSeen(store(), new Map([['p1', { enterpriseId: e1, lastMs: T0 }], ['p2', { enterpriseId: e1, lastMs: T0 + 1_000 }], ['q1', { enterpriseId: e2, lastMs: T0 + 2_000 }]]));
      expect(await store().readSeries({ measurement: 'alerter_seen', tags: { enterprise: e2 }, fromMs: 0, toMs: 1 })).toEqual([
        { measurement: 'alerter_seen', tags: { enterprise: e2, point: 'q1' }, fields: { last_ms: T0 + 2_000 }, timestampMs: 0 },
      ]);
      await recordSeen(store(), new Map([['p1', { enterpriseId: e1, lastMs: T0 + 5_000 }]]));
      expect(await loadSeen(store(), e1, fail)).toEqual(new Map([['p1', T0 + 5_000], ['p2', T0 + 1_000]]));
      await recordSeen(store(), new Map());
      expect(await loadSeen(store(), uniqueId('ent'), fail)).toEqual(new Map());
    });

    it('reports a row without its instant and reads the others', async () => {
      const enterprise = uniqueId('ent');
      await recordSeen(store(), new Map([['p1', { enterpriseId: enterprise, lastMs: T0 }]]));
      await store().write([{ measurement: 'alerter_seen', tags: { enterprise, point: 'p2' }, fields: { note: 'no instant' }, timestampMs: 0 }]);
      const reported: UnreadableRow[] = [];
      expect(await loadSeen(store(), enterprise, (r) => reported.push(r))).toEqual(new Map([['p1', T0]]));
      expect(reported).toEqual([{ measurement: 'alerter_seen', tags: { enterprise, point: 'p2' }, timestampMs: 0, reason: 'lacks `last_ms` (or holds another type)' }]);
    });
  });
}
