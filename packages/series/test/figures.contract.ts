import { describe, expect, it } from 'vitest';
import type { FigureV1 } from '@meterline/contracts';
import { completenessOf, FIGURE_DETAIL_FIELDS, figureKey, figureOf, figurePoint, publishedFigureOf, readFigureMeasures, readFigures, readFigureValues, readPublishedFigures, type UnreadableRow } from '../src/index.ts';
import { storePerTest, UNTIL_MS, type MakeSeriesStore } from './series-store-under-test.ts';

const DAY = 86_400_000;
const fail = (row: UnreadableRow) => expect.fail(row.reason);
/** 2026-03-01T00:00+08:00 */
const MARCH_1 = Date.UTC(2026, 1, 28, 16);

const figure = (over: Partial<FigureV1> = {}): FigureV1 => ({
  measurement: 'consumption',
  enterpriseId: 'ent-1',
  subject: { site: 's1', point: 'p1', carrier: 'electricity', quantity: 'active-energy-import', role: 'boundary-input' },
  periodKind: 'day',
  periodKey: '2026-03-01',
  startMs: MARCH_1,
  endMs: MARCH_1 + DAY,
  value: 1234.5,
  unit: 'kWh',
  expandedUncertainty: 6.25,
  coveragePercent: 97.5,
  estimated: 12,
  flags: ['gap', 'estimated'],
  factorSet: 'cn-2023@1.0.0',
  registryVersion: 'r-abc',
  revision: 2,
  detail: { tce: 0.1517, tce_u: 0.0008, suspect_intervals: 1, outside_calibration: 0, completeness: 87.5, readings_received: 84, readings_expected: 96, rollovers: 1 },
  ...over,
});

const coal = (level: string, start: number, value: number, site?: string): FigureV1 =>
  figure({ measurement: 'standard_coal', subject: { region: 'CN-CQ', level, basis: 'equivalent', ...(site ? { site } : {}) }, startMs: start, endMs: start + DAY, periodKey: new Date(start + 8 * 3_600_000).toISOString().slice(0, 10), value, unit: 'tce', detail: {} });

export function figuresContract(name: string, open: MakeSeriesStore): void {
  describe(`figures series: ${name}`, () => {
    const fresh = storePerTest(open);
    const march = { start: MARCH_1, end: MARCH_1 + 31 * DAY };

    it('reads back every figure as written, of the period kinds asked for', async () => {
      const store = await fresh();
      const day = figure();
      const hour = figure({ periodKind: 'hour', periodKey: '2026-03-01T00:00+08:00', endMs: MARCH_1 + 3_600_000, value: 51.5, flags: [], detail: { suspect_intervals: 0, outside_calibration: 3 } });
      const balance = figure({ measurement: 'energy_balance', subject: { site: 's1', node: 'n1', carrier: 'electricity' }, value: -3.5, detail: { input: 100, children_sum: 103.5, significant: true, children: 'c1,c2' } });
      await store.write([day, hour, balance].map(figurePoint));
      const byKey = (fs: FigureV1[]) => new Map(fs.map((f) => [figureKey(f), f]));
      expect(byKey(await readFigures(store, 'ent-1', march, ['day', 'hour']))).toEqual(byKey([day, hour, balance]));
      expect(await readFigures(store, 'ent-1', march, ['hour'])).toEqual([hour]);
      expect(await readFigures(store, 'ent-2', march, ['day'])).toEqual([]);
    });

    it('reads the published state a recomputation is compared with', async () => {
      const store = await fresh();
      await store.write([figurePoint(figure())]);
      expect(await readPublishedFigures(store, 'ent-1', march, ['day'])).toEqual([
        {
          measurement: 'consumption',
          enterpriseId: 'ent-1',
          subject: { site: 's1', point: 'p1', carrier: 'electricity', quantity: 'active-energy-import', role: 'boundary-input' },
          periodKind: 'day',
          startMs: MARCH_1,
          value: 1234.5,
          expandedUncertainty: 6.25,
          coveragePercent: 97.5,
          flags: ['gap', 'estimated'],
          factorSet: 'cn-2023@1.0.0',
          registryVersion: 'r-abc',
          revision: 2,
          completenessPercent: 87.5,
        },
      ]);
    });

    it('keeps a figure\'s completeness next to its coverage, and reads one stored before completeness was kept (issue 15)', async () => {
      const store = await fresh();
      const older = figure({ subject: { site: 's1', point: 'p0', carrier: 'electricity', quantity: 'active-energy-import', role: 'boundary-input' }, detail: { suspect_intervals: 0, outside_calibration: 0 } });
      await store.write([figure(), older].map(figurePoint));
      const [row] = await store.readSeries({ measurement: 'consumption', tags: { enterprise: 'ent-1', period: 'day', point: 'p1' }, fromMs: 0, toMs: UNTIL_MS });
      expect(row?.fields).toMatchObject({ coverage: 97.5, completeness: 87.5, readings_received: 84, readings_expected: 96, rollovers: 1 });
      const read = await readFigures(store, 'ent-1', march, ['day']);
      expect(read.map((f) => [f.subject['point'], completenessOf(f)]).sort()).toEqual([['p0', undefined], ['p1', 87.5]]);
      const published = await readPublishedFigures(store, 'ent-1', march, ['day']);
      expect(published.map((f) => [f.subject['point'], f.completenessPercent]).sort()).toEqual([['p0', undefined], ['p1', 87.5]]);
    });

    it('reads back the manual entries a figure rests on: in the published state, and in the detail of the whole figure (issue 15, item 3)', async () => {
      const store = await fresh();
      const manual = figure({ subject: { site: 's1', point: 'manual:diesel', carrier: 'diesel', quantity: 'mass', role: 'boundary-input' }, unit: 't', flags: ['manual'], detail: { [FIGURE_DETAIL_FIELDS.manualEntries]: 'me-1,me-2' } });
      await store.write([figurePoint(figure()), figurePoint(manual)]);
      const published = await readPublishedFigures(store, 'ent-1', march, ['day']);
      expect(published.map((f) => [f.subject['point'], f.manualEntries])).toEqual(expect.arrayContaining([['p1', undefined], ['manual:diesel', 'me-1,me-2']]));
      const whole = (await readFigures(store, 'ent-1', march, ['day'])).find((f) => f.subject['point'] === 'manual:diesel');
      expect(whole).toEqual(manual);
    });

    it('stores a quality rule of an enterprise\'s month under its region and rule, its requirement, source and outcome as fields (issue 15, item 2)', async () => {
      const store = await fresh();
      const rule = figure({
        measurement: 'quality_rule',
        subject: { region: 'CN-CQ', rule: 'completeness' },
        periodKind: 'month',
        periodKey: '2026-03',
        endMs: MARCH_1 + 31 * DAY,
        value: 0,
        unit: 'pass',
        expandedUncertainty: 0,
        coveragePercent: 96.5,
        estimated: 0,
        flags: [],
        revision: 0,
        detail: {
          requirement: "every metering point's readings received / due >= 90 % over the month",
          source: 'provincial platform upload requirements',
          confidence: 'M',
          summary: '1 finding(s): main: 85.7 % of the readings due',
          findings: 1,
          rule_set: 'online-monitoring-upload-quality@1',
          completeness: 88.2,
        },
      });
      await store.write([figurePoint(rule), figurePoint(figure())]);
      const [row] = await store.readSeries({ measurement: 'quality_rule', tags: { enterprise: 'ent-1', period: 'month' }, fromMs: 0, toMs: UNTIL_MS });
      expect(row?.tags).toEqual({ enterprise: 'ent-1', period: 'month', region: 'CN-CQ', rule: 'completeness' });
      expect(row?.fields).toMatchObject({ value: 0, unit: 'pass', coverage: 96.5, confidence: 'M', findings: 1, rule_set: 'online-monitoring-upload-quality@1' });
      expect(await readFigures(store, 'ent-1', march, ['month'])).toEqual([rule]);
      expect((await readPublishedFigures(store, 'ent-1', march, ['month'])).map((f) => [f.measurement, f.subject, f.value, f.completenessPercent])).toEqual([
        ['quality_rule', { region: 'CN-CQ', rule: 'completeness' }, 0, 88.2],
      ]);
    });

    it('a recomputed figure overwrites its period: one series, one point', async () => {
      const store = await fresh();
      await store.write([figurePoint(figure())]);
      await store.write([figurePoint(figure({ value: 1300, revision: 3 }))]);
      expect((await readFigures(store, 'ent-1', march, ['day'])).map((f) => [f.value, f.revision])).toEqual([[1300, 3]]);
    });

    it('reads the day values of one series: what a month-to-date budget sums', async () => {
      const store = await fresh();
      await store.write([coal('enterprise', MARCH_1, 4.5), coal('enterprise', MARCH_1 + DAY, 5.25), coal('site', MARCH_1, 2, 's1')].map(figurePoint));
      const values = await readFigureValues(store, { kind: 'standard_coal', enterpriseId: 'ent-1', periodKind: 'day', subject: { level: 'enterprise', basis: 'equivalent' }, fromMs: MARCH_1, toMs: MARCH_1 + 2 * DAY }, fail);
      expect(values).toEqual([
        { startMs: MARCH_1, value: 4.5 },
        { startMs: MARCH_1 + DAY, value: 5.25 },
      ]);
    });

    it('reads the day figures of one series with their U and coverage: what a baseline regresses on', async () => {
      const store = await fresh();
      const measured = (start: number, value: number, expandedUncertainty: number, coveragePercent: number) => figurePoint({ ...coal('enterprise', start, value), expandedUncertainty, coveragePercent });
      await store.write([measured(MARCH_1, 4.5, 0.09, 100), measured(MARCH_1 + DAY, 5.25, 0.125, 87.5), figurePoint(coal('site', MARCH_1, 2, 's1'))]);
      const query = { kind: 'standard_coal', enterpriseId: 'ent-1', periodKind: 'day', subject: { level: 'enterprise', basis: 'equivalent' }, fromMs: MARCH_1, toMs: MARCH_1 + 2 * DAY } as const;
      expect(await readFigureMeasures(store, query, fail)).toEqual([
        { startMs: MARCH_1, value: 4.5, expandedU: 0.09, coveragePercent: 100 },
        { startMs: MARCH_1 + DAY, value: 5.25, expandedU: 0.125, coveragePercent: 87.5 },
      ]);
    });

    it('reports a day row without its U and leaves it out of a baseline', async () => {
      const store = await fresh();
      const enterprise = { level: 'enterprise', basis: 'equivalent' };
      await store.write([{ measurement: 'standard_coal', tags: { enterprise: 'ent-1', period: 'day', region: 'CN-CQ', ...enterprise }, fields: { value: 4.5, coverage: 100 }, timestampMs: MARCH_1 }]);
      const reported: UnreadableRow[] = [];
      const values = await readFigureMeasures(store, { kind: 'standard_coal', enterpriseId: 'ent-1', periodKind: 'day', subject: enterprise, fromMs: MARCH_1, toMs: MARCH_1 + DAY }, (row) => reported.push(row));
      expect(values).toEqual([]);
      expect(reported.map((r) => r.reason)).toEqual(['lacks a numeric `expanded_u`']);
    });

    it('reports a day row without a numeric value and leaves it out of the sum', async () => {
      const store = await fresh();
      const enterprise = { level: 'enterprise', basis: 'equivalent' };
      // Alone in its store: InfluxDB refuses a text value where a shard holds numeric ones.
      await store.write([{ measurement: 'standard_coal', tags: { enterprise: 'ent-1', period: 'day', region: 'CN-CQ', ...enterprise }, fields: { value: 'n/a' }, timestampMs: MARCH_1 + DAY }]);
      const reported: UnreadableRow[] = [];
      const values = await readFigureValues(store, { kind: 'standard_coal', enterpriseId: 'ent-1', periodKind: 'day', subject: enterprise, fromMs: MARCH_1, toMs: MARCH_1 + 2 * DAY }, (row) => reported.push(row));
      expect(values).toEqual([]);
      expect(reported).toEqual([{ measurement: 'standard_coal', tags: expect.objectContaining({ enterprise: 'ent-1', period: 'day' }) as unknown, timestampMs: MARCH_1 + DAY, reason: 'lacks a numeric `value`' }]);
    });

    it('stores U under a name that says it is the expanded uncertainty', async () => {
      const store = await fresh();
      await store.write([figurePoint(figure())]);
      const [row] = await store.readSeries({ measurement: 'consumption', tags: { enterprise: 'ent-1', period: 'day' }, fromMs: 0, toMs: UNTIL_MS });
      expect(row?.fields['expanded_u']).toBe(6.25);
      expect(row?.fields).not.toHaveProperty('u');
      expect(row?.tags).toEqual({ enterprise: 'ent-1', period: 'day', site: 's1', point: 'p1', carrier: 'electricity', quantity: 'active-energy-import', role: 'boundary-input' });
    });

    it('refuses a figure whose detail or subject would overwrite the series layout', () => {
      expect(() => figurePoint(figure({ detail: { coverage: 1 } }))).toThrow('figure detail "coverage" would overwrite a base field');
      expect(() => figurePoint(figure({ subject: { period: 'x' } }))).toThrow('figure subject "period" would overwrite a series tag');
    });

    it('names what a point written by something else lacks, and a read of it fails loudly', async () => {
      const store = await fresh();
      const foreign = { measurement: 'consumption', tags: { enterprise: 'ent-1', period: 'day', point: 'p1' }, fields: { value: 1, u: 0.5, coverage: 100 }, timestampMs: MARCH_1 };
      expect(publishedFigureOf(foreign)).toEqual({ ok: false, reason: expect.stringMatching(/lacks enterprise, period, value, expanded_u or coverage/) as unknown });
      expect(figureOf({ ...foreign, measurement: 'reading' })).toEqual({ ok: false, reason: '"reading" is not a figure measurement' });
      expect(figureOf({ ...foreign, fields: { value: 1, expanded_u: 0.5, coverage: 100 } })).toEqual({ ok: false, reason: expect.stringMatching(/lacks period_end/) as unknown });
      await store.write([foreign]);
      await expect(readFigures(store, 'ent-1', march, ['day'])).rejects.toThrow(/stored figure unreadable/);
    });
  });
}
