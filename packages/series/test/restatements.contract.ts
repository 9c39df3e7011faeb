import { describe, expect, it } from 'vitest';
import type { RestatementV1 } from '@meterline/contracts';
import type { TimeSeriesStore } from '@meterline/store';
import { RESTATEMENT_MEASUREMENT, restatementOf, restatementPoint, restatementTags } from '../src/index.ts';
import { storePerTest, UNTIL_MS, type MakeSeriesStore } from './series-store-under-test.ts';

const MARCH_1 = Date.UTC(2026, 1, 28, 16);
const published = { factorSet: 'cn-2023@1.0.0', registryVersion: 'r-abc' };

const restatement: RestatementV1 = {
  v: 1,
  restatementId: 'rs-1',
  enterpriseId: 'ent-1',
  measurement: 'consumption',
  subject: { site: 's1', point: 'p1' },
  periodKind: 'day',
  periodKey: '2026-03-01',
  startMs: MARCH_1,
  unit: 'kWh',
  old: { value: 100, expandedUncertainty: 1, coveragePercent: 90, flags: ['gap'], ...published, revision: 0 },
  new: { value: 101.5, expandedUncertainty: 1.25, coveragePercent: 100, flags: [], ...published, revision: 1 },
  reason: 'READINGS_CHANGED',
  detail: 'value 100 → 101.5 kWh',
  restatedAt: '2026-03-05T01:00:00.000Z',
};

export function restatementsContract(name: string, open: MakeSeriesStore): void {
  describe(`restatements series: ${name}`, () => {
    const fresh = storePerTest(open);
    const readAll = (store: TimeSeriesStore, enterprise: string) => store.readSeries({ measurement: RESTATEMENT_MEASUREMENT, tags: restatementTags(enterprise), fromMs: 0, toMs: UNTIL_MS });

    it('reads back a restatement as written, one point per revision of a figure', async () => {
      const store = await fresh();
      const second = { ...restatement, restatementId: 'rs-2', old: restatement.new, new: { ...restatement.new, value: 99, revision: 2 }, reason: 'FACTOR_SET_CHANGED' as const };
      await store.write([restatementPoint(restatement), restatementPoint(second)]);
      const read = (await readAll(store, 'ent-1')).map(restatementOf);
      expect(read).toContainEqual({ ok: true, value: {
        restatementId: 'rs-1',
        enterpriseId: 'ent-1',
        figure: 'consumption',
        periodKind: 'day',
        periodKey: '2026-03-01',
        startMs: MARCH_1,
        subject: 'point=p1;site=s1',
        revision: 1,
        unit: 'kWh',
        old: { value: 100, expandedUncertainty: 1, coveragePercent: 90, flags: ['gap'] },
        new: { value: 101.5, expandedUncertainty: 1.25, coveragePercent: 100, flags: [] },
        reason: 'READINGS_CHANGED',
        detail: 'value 100 → 101.5 kWh',
        restatedAt: '2026-03-05T01:00:00.000Z',
      } });
      expect(read.map((r) => (r.ok ? [r.value.restatementId, r.value.revision, r.value.new.value] : r.reason)).sort()).toEqual([['rs-1', 1, 101.5], ['rs-2', 2, 99]]);
      expect(await readAll(store, 'ent-2')).toEqual([]);
    });

    it('says why a point is no restatement', () => {
      const point = restatementPoint(restatement);
      expect(restatementOf({ ...point, measurement: 'consumption' })).toEqual({ ok: false, reason: '"consumption" is not the restatement measurement' });
      const { old_value: _dropped, ...fields } = point.fields;
      expect(restatementOf({ ...point, fields })).toEqual({ ok: false, reason: expect.stringMatching(/lacks enterprise, figure, period, old_value or new_value/) as unknown });
    });
  });
}
