import { describe, expect, it } from 'vitest';
import { FIGURE_KINDS, type FigureV1 } from '@meterline/contracts';
import { calendarPeriod, createFactorCatalog, parseManifest, type Enterprise, type Period } from '@meterline/domain';
import { dailyBaseline } from '@meterline/mining';
import { baselineSubjectOf, FIGURE_DETAIL_FIELDS as D, FIGURE_TAGS as T, loadBaselineDays, READING_FIELDS, READINGS_MEASUREMENT, readFigures, readingTags } from '@meterline/series';
import { aggregateEnterprise } from '../src/aggregate-enterprise.ts';
import { registryVersion } from '../src/registry-version.ts';
import { engineHarness } from './engine-harness.ts';

/**
 * Declared energy baselines (registry `energyBaselines`, ISO 50006) judged day by day as the day
 * units are stored. A press shop's main meter, read hourly (Asia/Shanghai), draws 2 400 kWh a day
 * over its baseline period 2026-01-05 (a Monday) to 02-01: 101 kWh/h in the first and third weeks,
 * 99 in the second and fourth, so working days and weekends both average 2 400 and every residual
 * is ±24. Reporting from 02-02: 2 400 a day for three days, then a lasting step of +96 a day
 * (104 kWh/h) from 02-05 to 02-10.
 */
const manifest = (baselines: string) => {
  const parsed = parseManifest(
    `
version: 1
enterprises:
  - id: press
    name: Press shop
    region: CN-CQ
    gridRegion: southwest
    timeZone: Asia/Shanghai
    factorSet: { name: cn-2023, version: 1.0.0 }
    scope2Level: provincial
    sites:
      - id: hall
        name: Hall
        meteringPoints:
          - { id: main, carrier: electricity, quantity: active-energy-import, unit: kWh, accuracyClass: 0.5, expectedInterval: PT1H,
              calibration: { certificate: c, validFrom: 2024-01-01, validUntil: 2029-12-31 }, topology: { role: boundary-input } }
    devices: []
    energyBaselines:
${baselines}
`,
    'press.yaml',
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.manifest.enterprises[0]!;
};

const POINT_BASELINE = `      - { id: main-2026, point: main, period: '2026-01-05..2026-02-01' }`;
const TCE_BASELINE = `      - { id: plant-2026, period: '2026-01-05..2026-02-01' }`;
/** Declared over January 2025, a year before the first reading: nothing to fit. */
const UNFIT_BASELINE = `      - { id: before-data, period: '2025-01-01..2025-01-31' }`;

const TZ = 'Asia/Shanghai';
const HOUR = 3_600_000;
const first = calendarPeriod('2026-01-05', TZ);
const last = calendarPeriod('2026-02-10', TZ);
const NOW = Date.UTC(2026, 5, 1);
const factorSet = (() => {
  const r = createFactorCatalog().resolve('cn-2023', '1.0.0');
  if (!r.ok) throw r.error;
  return r.factor;
})();

/** kWh drawn in the hour starting at `at`. */
function hourly(at: number): number {
  const day = Math.floor((at - first.start) / (24 * HOUR));
  if (day < 28) return Math.floor(day / 7) % 2 === 0 ? 101 : 99;
  return day < 28 + 3 ? 100 : 104;
}

/** The register read on every hour from the first day's start to an hour after the last day. */
const readings = (() => {
  const out = [];
  let register = 50_000;
  for (let at = first.start; at <= last.end + HOUR; at += HOUR) {
    out.push({ measurement: READINGS_MEASUREMENT, tags: readingTags('press', 'main'), fields: { [READING_FIELDS.value]: register }, timestampMs: at });
    register += hourly(at);
  }
  return out;
})();

async function run(enterprise: Enterprise, harness = engineHarness(), kinds: Period['kind'][] = ['day'], range = { start: first.start, end: last.end }) {
  if (harness.published.length === 0) await harness.store.write(readings);
  const result = await aggregateEnterprise(harness.deps, { enterprise, factorSet, registryVersion: registryVersion(enterprise), kinds, range, now: NOW });
  expect(result.completed).toBe(true);
  const stored = await readFigures(harness.store, 'press', { start: first.start, end: last.end }, ['day']);
  return { ...harness, result, stored, deviations: (id: string) => stored.filter((f) => f.measurement === FIGURE_KINDS.baselineDeviation && f.subject[T.baseline] === id).sort((a, b) => a.startMs - b.startMs) };
}

const REPORTING = ['2026-02-02', '2026-02-03', '2026-02-04', '2026-02-05', '2026-02-06', '2026-02-07', '2026-02-08', '2026-02-09', '2026-02-10'];

describe('baseline_deviation: each day after a declared baseline, against it', () => {
  it('a constant baseline and a lasting step up: expected, interval, CUSUM and change as worked out by hand', async () => {
    const enterprise = manifest(POINT_BASELINE);
    const { deviations, stored, unfit } = await run(enterprise);
    expect(unfit).toEqual([]);
    const days = deviations('main-2026');
    // Only days after the baseline period: none inside it.
    expect(days.map((f) => f.periodKey)).toEqual(REPORTING);

    // The model regresses on workingDay (every day has it): both group means are 2 400, so every
    // day is expected at 2 400. 28 residuals of ±24 on n − p = 26 degrees of freedom:
    // s = 24 √(28/26) = 24.906; the 95 % prediction interval of a day is 2 400 ± t(0.975, 26) s √(1 + 1/n_g),
    // t = 2.055529, n_g = 20 working days or 8 weekend days.
    const s = 24 * Math.sqrt(28 / 26);
    const halfWidth = (weekend: boolean) => 2.055529 * s * Math.sqrt(1 + 1 / (weekend ? 8 : 20));
    const weekend = (date: string) => [0, 6].includes(new Date(`${date}T12:00:00Z`).getUTCDay());
    // Deviations 0, 0, 0, then 96 a day: the cumulative sum; the tabular CUSUM (k = 0.5 s, h = 5 s)
    // reaches 96 − 12.45 = 83.5 on 02-05 (below h s = 124.5) and 167.1 on 02-06: a change up
    // signalled on 02-06, begun on 02-05, of K + C/N = 12.45 + 167.1 / 2 = 96 a day: the level
    // monitored from then on, above the allowance K, so the change stays `up` to 02-10.
    const deviation = [0, 0, 0, 96, 96, 96, 96, 96, 96];
    let cumulative = 0;
    days.forEach((f, i) => {
      const date = REPORTING[i]!;
      cumulative += deviation[i]!;
      expect(f.value, date).toBeCloseTo(deviation[i]!, 6);
      expect(f.unit).toBe('kWh');
      expect(f.subject).toEqual({ [T.baseline]: 'main-2026', [T.point]: 'main' });
      expect(f.detail[D.expected] as number, date).toBeCloseTo(2_400, 6);
      expect(f.detail[D.predictionLow] as number, date).toBeCloseTo(2_400 - halfWidth(weekend(date)), 3);
      expect(f.detail[D.predictionHigh] as number, date).toBeCloseTo(2_400 + halfWidth(weekend(date)), 3);
      expect(f.detail[D.cumulativeDeviation] as number, date).toBeCloseTo(cumulative, 6);
      const outside = deviation[i] === 0 ? 'inside' : 'above';
      // The fit fails ASHRAE Guideline 14 on R² alone: working days explain none of the scatter (R² = 0);
      // CV(RMSE) is 1.04 % and NMBE 0. The figures say so; the band stands.
      expect(f.detail).toMatchObject({ [D.outside]: outside, [D.verdict]: outside, [D.fitPassed]: false, [D.judgedAgainst]: 'main-2026@2026-01-05..2026-02-01 variables=auto' });
      expect(f.detail).toMatchObject(date >= '2026-02-06' ? { [D.changeSignal]: 'up', [D.changeSince]: '2026-02-05' } : { [D.changeSignal]: '', [D.changeSince]: '' });
      expect(f.detail[D.changeLevel] as number, date).toBeCloseTo(date >= '2026-02-06' ? 96 : 0, 6);
      expect(f.detail[D.cvRmse] as number).toBeCloseTo((100 * s) / 2_400, 6);
    });
    expect(days[3]!.detail[D.cusumUpper] as number).toBeCloseTo(96 - s / 2, 6);

    // U and coverage: the day's consumption figure's.
    const dayFigure = (f: FigureV1) => stored.find((x) => x.measurement === FIGURE_KINDS.consumption && x.startMs === f.startMs)!;
    for (const f of days) expect(f).toMatchObject({ expandedUncertainty: dayFigure(f).expandedUncertainty, coveragePercent: dayFigure(f).coveragePercent });
    expect(days[0]!.expandedUncertainty).toBeGreaterThan(0);
  });

  it("equals the daily baseline's band and CUSUM on the same stored days, for a point's and for the enterprise's standard coal", async () => {
    const enterprise = manifest(`${POINT_BASELINE}\n${TCE_BASELINE}`);
    const { deviations, store } = await run(enterprise);
    for (const [id, point, unit] of [['main-2026', 'main', 'kWh'], ['plant-2026', undefined, 'tce']] as const) {
      const loaded = await loadBaselineDays(store, enterprise, baselineSubjectOf(enterprise, { point })!, { from: '2026-01-05', to: '2026-02-10' }, undefined, () => expect.fail('unreadable'));
      if (!loaded.ok) throw new Error(loaded.detail);
      const fit = dailyBaseline(loaded.days, { baseline: { from: '2026-01-05', to: '2026-02-01' }, reporting: { from: '2026-02-02', to: '2026-02-10' } });
      if (!fit.ok) throw new Error(fit.error.message);
      const days = deviations(id);
      expect(days.map((f) => f.periodKey)).toEqual(fit.value.band.map((b) => b.date));
      days.forEach((f, i) => {
        const b = fit.value.band[i]!;
        expect(f.unit).toBe(unit);
        expect(f.value).toBeCloseTo(b.actual - b.predicted, 9);
        const { cusum } = fit.value.anomalies;
        expect(f.detail).toMatchObject({ [D.expected]: b.predicted, [D.predictionLow]: b.low, [D.predictionHigh]: b.high, [D.cumulativeDeviation]: cusum.cumulative[i], [D.changeLevel]: cusum.level[i] });
      });
      expect(days.at(-1)!.detail[D.changeSignal]).toBe(fit.value.anomalies.cusum.changePoints.at(-1)!.direction);
    }
  });

  it('a baseline that cannot be fitted gives no figure and is reported, the others are published', async () => {
    const enterprise = manifest(`${UNFIT_BASELINE}\n${POINT_BASELINE}`);
    const { deviations, unfit, published } = await run(enterprise);
    expect(deviations('before-data')).toEqual([]);
    expect(published.filter((f) => f.subject[T.baseline] === 'before-data')).toEqual([]);
    // Every day unit (all after January 2025) tried it once: one report per unit, with the fit's reason.
    const baselineDays = Array.from({ length: 28 }, (_, i) => new Date(Date.UTC(2026, 0, 5 + i)).toISOString().slice(0, 10));
    expect(unfit.map((u) => u.unit)).toEqual([...baselineDays, ...REPORTING]);
    expect(new Set(unfit.map((u) => u.baselineId))).toEqual(new Set(['before-data']));
    expect(unfit[0]!.reason).toContain('MTL_MINING_TOO_FEW_OBSERVATIONS');
    expect(deviations('main-2026')).toHaveLength(REPORTING.length);
  });

  it('recomputed unchanged, publishes nothing; a changed declaration restates every day it judged', async () => {
    const harness = engineHarness();
    await run(manifest(POINT_BASELINE), harness);
    const announced = harness.published.length;
    const again = await run(manifest(POINT_BASELINE), harness);
    expect(again.published).toHaveLength(announced);
    expect(again.restated).toEqual([]);
    // The same period, its variable now declared: the registry entry changed, so did the yardstick.
    const declared = await run(manifest(`      - { id: main-2026, point: main, period: '2026-01-05..2026-02-01', variables: [workingDay] }`), harness);
    const restated = declared.restated.filter((r) => r.measurement === FIGURE_KINDS.baselineDeviation);
    expect(restated.map((r) => r.periodKey)).toEqual(REPORTING);
    expect(declared.restated).toHaveLength(REPORTING.length);
    for (const r of restated) {
      expect(r.reason).toBe('REGISTRY_CHANGED');
      expect(r.new.revision).toBe(1);
      expect(r.detail).toContain('judged against main-2026@2026-01-05..2026-02-01 variables=auto → main-2026@2026-01-05..2026-02-01 variables=workingDay');
    }
    expect(declared.deviations('main-2026').every((f) => f.revision === 1 && f.detail[D.judgedAgainst] === 'main-2026@2026-01-05..2026-02-01 variables=workingDay')).toBe(true);
  });

  it('a corrected reading that turns a day restates that day, verdict and all; a month unit judges its days again and finds them unchanged', async () => {
    const harness = engineHarness();
    const enterprise = manifest(POINT_BASELINE);
    await run(enterprise, harness);
    // The meter's readings from 02-03 12:00 on were read 200 kWh short: corrected, 02-03 drew 2 600.
    const from = calendarPeriod('2026-02-03', TZ).start + 12 * HOUR;
    await harness.store.write(readings.filter((r) => r.timestampMs >= from).map((r) => ({ ...r, fields: { [READING_FIELDS.value]: r.fields[READING_FIELDS.value] + 200 } })));
    const corrected = await run(enterprise, harness);
    const restated = corrected.restated.filter((r) => r.measurement === FIGURE_KINDS.baselineDeviation);
    // Only 02-03 moved: the later days' deviations are as before (their cumulative sum and CUSUM moved, in the detail).
    expect(restated.map((r) => [r.periodKey, r.old.value, r.reason])).toEqual([['2026-02-03', 0, 'READINGS_CHANGED']]);
    expect(restated[0]!.new.value).toBeCloseTo(200, 6);
    expect(restated[0]!.detail).toContain('verdict inside → above');
    const cumulativeOn = (figures: FigureV1[], date: string) => figures.find((f) => f.periodKey === date)!.detail[D.cumulativeDeviation] as number;
    // A full run judged every day again: the later days' running sums are stored anew (not announced).
    expect(cumulativeOn(corrected.deviations('main-2026'), '2026-02-04')).toBeCloseTo(200, 6);
    expect(corrected.deviations('main-2026').every((f) => f.revision === (f.periodKey === '2026-02-03' ? 1 : 0))).toBe(true);

    // February as a month: its days judged again by the month unit, from the same stored days: nothing moved.
    const feb = calendarPeriod('2026-02', TZ);
    const announced = harness.published.length;
    const month = await run(enterprise, harness, ['month'], { start: feb.start, end: feb.end });
    expect(month.result.units.at(-1)).toMatchObject({ unit: '2026-02', baselines: { figures: REPORTING.length, added: 0, changed: 0, restatements: [] } });
    expect(harness.published.slice(announced).filter((f) => f.measurement === FIGURE_KINDS.baselineDeviation)).toEqual([]);
  });
});
