import { describe, expect, it } from 'vitest';
import type { Target } from '@meterline/domain';
import { readTargets, TARGETS, targetOf, targetPoint, writeTargets, type UnreadableRow } from '../src/index.ts';
import { storePerTest, type MakeSeriesStore } from './series-store-under-test.ts';

/** A province's energy-intensity ceiling for 2026, entered by its regulator. */
const regionIntensity: Target = {
  id: 'tg-0001',
  holder: { kind: 'region', region: 'CN-CQ' },
  year: 2026,
  metric: 'energy-intensity',
  basis: 'equivalent',
  value: 0.412,
  document: 'Chongqing 14th five-year energy-saving plan, annual decomposition 2026',
  enteredBy: 'cq-regulator',
  enteredAt: '2026-01-15T02:00:00.000Z',
};
/** The same slot revised later in the year: it supersedes the first. */
const regionIntensityRevised: Target = {
  ...regionIntensity,
  id: 'tg-0002',
  value: 0.405,
  reason: 'provincial plan revised in June',
  enteredBy: 'ops-admin',
  enteredAt: '2026-06-30T08:00:00.000Z',
};
/** The region's CO2 ceiling: no electricity basis. Entered in the same millisecond as the revision: still two targets. */
const regionCo2: Target = {
  id: 'tg-0003',
  holder: { kind: 'region', region: 'CN-CQ' },
  year: 2026,
  metric: 'co2-total',
  value: 152_000_000,
  document: 'carbon peaking plan, 2026 allocation',
  enteredBy: 'cq-regulator',
  enteredAt: '2026-06-30T08:00:00.000Z',
};
const enterpriseTotal: Target = {
  id: 'tg-0004',
  holder: { kind: 'enterprise', enterpriseId: 'ent-1' },
  year: 2026,
  metric: 'energy-total',
  basis: 'equal-value',
  value: 48_500,
  document: 'energy-saving target agreement 2026 No. 17',
  enteredBy: 'cq-regulator',
  enteredAt: '2026-02-01T01:00:00.000Z',
};
const lastYear: Target = { ...enterpriseTotal, id: 'tg-0005', year: 2025, value: 50_000, enteredAt: '2025-02-01T01:00:00.000Z' };

export function targetsContract(name: string, open: MakeSeriesStore): void {
  describe(`targets series: ${name}`, () => {
    const fresh = storePerTest(open);
    const unreadable: UnreadableRow[] = [];
    const onUnreadable = (row: UnreadableRow) => void unreadable.push(row);

    it('reads back the targets of a region, of an enterprise and of a year as written, oldest first (issue 16)', async () => {
      const store = await fresh();
      await writeTargets(store, [enterpriseTotal, regionCo2, regionIntensityRevised, lastYear, regionIntensity]);
      // The revision and the CO2 target share their instant: by id then (tg-0002 before tg-0003).
      expect(await readTargets(store, { region: 'CN-CQ' }, onUnreadable)).toEqual([regionIntensity, regionIntensityRevised, regionCo2]);
      expect(await readTargets(store, { enterpriseId: 'ent-1' }, onUnreadable)).toEqual([lastYear, enterpriseTotal]);
      expect(await readTargets(store, { enterpriseId: 'ent-1', year: 2025 }, onUnreadable)).toEqual([lastYear]);
      expect(await readTargets(store, { year: 2026 }, onUnreadable)).toEqual([regionIntensity, enterpriseTotal, regionIntensityRevised, regionCo2]);
      expect(await readTargets(store, { region: 'CN-JS' }, onUnreadable)).toEqual([]);
      // A region's read is its own targets, never its enterprises' (an enterprise target names no region).
      expect(await readTargets(store, { region: 'CN-CQ', enterpriseId: 'ent-1' }, onUnreadable)).toEqual([]);
      expect(unreadable).toEqual([]);
    });

    it('stores the layout its README table states', async () => {
      const store = await fresh();
      await writeTargets(store, [regionIntensityRevised]);
      const [row] = await store.readSeries({ measurement: 'dual_control_target', tags: { target: 'tg-0002' }, fromMs: 0, toMs: Date.UTC(2200, 0, 1) });
      expect(row?.tags).toEqual({ target: 'tg-0002', holder: 'region', region: 'CN-CQ', year: '2026', metric: 'energy-intensity' });
      expect(row?.fields).toEqual({
        basis: 'equivalent',
        value: 0.405,
        unit: 'tce/10^4 CNY',
        document: regionIntensity.document,
        reason: 'provincial plan revised in June',
        entered_by: 'ops-admin',
        entered_at: '2026-06-30T08:00:00.000Z',
      });
      expect(row?.timestampMs).toBe(Date.UTC(2026, 5, 30, 8));
    });

    it('rewrites a target written twice instead of adding it again', async () => {
      const store = await fresh();
      await writeTargets(store, [enterpriseTotal]);
      await writeTargets(store, [enterpriseTotal]);
      expect(await readTargets(store, { enterpriseId: 'ent-1' }, onUnreadable)).toEqual([enterpriseTotal]);
    });

    it('says why a row is no target, and leaves it out of the read', async () => {
      const store = await fresh();
      const point = targetPoint(regionIntensity);
      const { [TARGETS.fields.document]: _dropped, ...withoutDocument } = point.fields;
      const cases: Array<[string, Parameters<typeof targetOf>[0], string]> = [
        ['no document', { ...point, fields: withoutDocument }, 'lacks `document` (or holds another type)'],
        ['a value as text', { ...point, fields: { ...point.fields, value: '0.4' } }, 'lacks `value` (or holds another type)'],
        ['an unknown holder', { ...point, tags: { ...point.tags, holder: 'province' } }, 'its `holder` tag is "province", not one of region, enterprise'],
        ['a region target without its region', { ...point, tags: { target: 'tg-0001', holder: 'region', year: '2026', metric: 'energy-intensity' } }, 'a region target lacks its `region` tag'],
        ['a year that is no year', { ...point, tags: { ...point.tags, year: '20x6' } }, 'its `year` tag is "20x6", not a year'],
        ['an unknown metric', { ...point, tags: { ...point.tags, metric: 'water-total' } }, 'its `metric` tag is "water-total", not one of energy-total, energy-intensity, co2-total, carbon-intensity'],
        ['kgce for tce', { ...point, fields: { ...point.fields, unit: 'kgce/10^4 CNY' } }, 'its `unit` is "kgce/10^4 CNY", not tce/10^4 CNY, the unit of energy-intensity targets'],
        ['an unknown basis', { ...point, fields: { ...point.fields, basis: 'calorific' } }, 'its `basis` is "calorific", not one of equivalent, equal-value'],
        ['a ceiling of 0', { ...point, fields: { ...point.fields, value: 0 } }, 'is no valid target: value: 0 is not a ceiling above 0'],
      ];
      for (const [what, row, reason] of cases) expect(targetOf(row), what).toEqual({ ok: false, reason });

      await store.write([{ ...point, tags: { ...point.tags, target: 'tg-broken' }, fields: withoutDocument }]);
      await writeTargets(store, [regionCo2]);
      const seen: UnreadableRow[] = [];
      expect(await readTargets(store, { region: 'CN-CQ' }, (row) => void seen.push(row))).toEqual([regionCo2]);
      expect(seen.map((r) => [r.tags[TARGETS.tags.target], r.reason])).toEqual([['tg-broken', 'lacks `document` (or holds another type)']]);
    });
  });
}
