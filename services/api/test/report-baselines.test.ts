// The monthly report's "Energy baselines and data integrity": each declared energy baseline
// fitted on the stored day figures, the month's savings, and the month's published
// fabrication findings. Every expected savings figure is computed here by hand from the seeded days.
import { describe, expect, it } from 'vitest';
import { FIGURE_KINDS, type FigureV1 } from '@meterline/contracts';
import { calendarPeriod, type EnergyBaseline, type Manifest } from '@meterline/domain';
import { FIGURE_DETAIL_FIELDS as D, figurePoint, FIGURE_TAGS as T, STANDARD_COAL_BASES, STANDARD_COAL_LEVELS } from '@meterline/series';
import { InMemoryStore } from '@meterline/store';
import { baselinesAndIntegrity } from '../src/reports/report-baselines.ts';
import type { MonthlyReport } from '../src/reports/report-schema.ts';
import { storeSeriesPageReader } from '../src/series/series-page-reader.ts';
import { bearer, SECRETS, testApi, testManifest } from './fixtures.ts';
import { REPORT_ENTERPRISE, REPORT_MONTH, reportManifest, reportReadings } from './report-dataset.ts';

const URL = `/v1/enterprises/${REPORT_ENTERPRISE}/reports/${REPORT_MONTH}`;
const TZ = 'Asia/Shanghai';
const DAY_MS = 86_400_000;

/** The local days from `from` to `to`, inclusive. */
function daysOf(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}
const isWorkingDay = (day: string): boolean => ![0, 6].includes(new Date(`${day}T12:00:00Z`).getUTCDay());

/** A figure as the aggregator stores it. */
function figure(kind: FigureV1['measurement'], subject: Record<string, string>, periodKind: 'day' | 'month', key: string, value: number, unit: string, detail: FigureV1['detail'] = {}, revision = 0): FigureV1 {
  const period = calendarPeriod(key, TZ);
  return {
    measurement: kind, enterpriseId: REPORT_ENTERPRISE, subject, periodKind, periodKey: key, startMs: period.start, endMs: period.end, value, unit, expandedUncertainty: value * 0.01,
    coveragePercent: 100, estimated: 0, flags: [], factorSet: 'cn-2023@1.0.0', registryVersion: 'r1', revision, detail,
  };
}
const standardCoalDay = (day: string, tce: number) =>
  figure(FIGURE_KINDS.standardCoal, { [T.region]: 'CN-CQ', [T.level]: STANDARD_COAL_LEVELS.enterprise, [T.basis]: STANDARD_COAL_BASES.equivalent }, 'day', day, tce, 'tce');
const heatDay = (day: string, gj: number) =>
  figure(FIGURE_KINDS.consumption, { [T.site]: 'rpt-plant', [T.point]: 'rpt-heat', [T.carrier]: 'heat', [T.quantity]: 'heat-energy', [T.role]: 'boundary-input' }, 'day', day, gj, 'GJ');
const finding = (point: string, detector: string, found: boolean, summary = '', revision = 0) =>
  figure(FIGURE_KINDS.fabricationFinding, { [T.point]: point, [T.detector]: detector }, 'month', REPORT_MONTH, found ? 1 : 0, 'finding', { [D.findingSummary]: summary, [D.evidence]: found ? '{"days":["2026-03-12","2026-03-05"]}' : '' }, revision);

/**
 * The enterprise's standard coal, January and February 2026 the baseline: 12 tce a working day
 * and 7 a day off, ± 0.3; March uses 1 tce less on working days. Rounded to 0.001 tce, as stored.
 */
function seededDays(): { baseline: Map<string, number>; march: Map<string, number> } {
  let seed = 11;
  const noise = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648 - 0.5) * 0.6;
  const day = (d: string, working: number) => Math.round(((isWorkingDay(d) ? working : 7) + noise()) * 1000) / 1000;
  return {
    baseline: new Map(daysOf('2026-01-01', '2026-02-28').map((d) => [d, day(d, 12)])),
    march: new Map(daysOf('2026-03-01', '2026-03-31').map((d) => [d, day(d, 11)])),
  };
}

/** The heat meter's days: 100 GJ ± 70, nothing a model can explain. */
function noisyHeat(): Map<string, number> {
  let seed = 5;
  const noise = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648 - 0.5) * 140;
  return new Map(daysOf('2026-01-01', '2026-03-31').map((d) => [d, Math.round((100 + noise()) * 10) / 10]));
}

const BASELINES: EnergyBaseline[] = [
  { id: 'enb-site', period: '2026-01-01..2026-02-28' },
  { id: 'enb-heat', point: 'rpt-heat', period: '2026-01-01..2026-02-28', variables: ['workingDay'] },
  // The gas meter's 2025 has no day figure: nothing to fit.
  { id: 'enb-gas', point: 'rpt-gas', period: '2025-01-01..2025-06-30' },
];

/** The report dataset's registry, the enterprise declaring `baselines` ('none': the dataset's entry as it is). */
function manifestWith(baselines: EnergyBaseline[] | 'none'): Manifest {
  const m = reportManifest(testManifest().enterprises);
  return baselines === 'none' ? m : { ...m, enterprises: m.enterprises.map((e) => (e.id === REPORT_ENTERPRISE ? { ...e, energyBaselines: baselines } : e)) };
}

async function reportApi(baselines: EnergyBaseline[] | 'none' = BASELINES) {
  const readings = new InMemoryStore();
  await readings.write(reportReadings());
  const api = await testApi({ series: storeSeriesPageReader(readings) }, { manifest: manifestWith(baselines) });
  const { baseline, march } = seededDays();
  await api.store.write([...baseline, ...march].map(([d, tce]) => figurePoint(standardCoalDay(d, tce))));
  await api.store.write([...noisyHeat()].map(([d, gj]) => figurePoint(heatDay(d, gj))));
  const report = async (format = 'json') => api.app.inject({ url: `${URL}?format=${format}`, headers: bearer(SECRETS.regulatorCq) });
  return { ...api, report, days: { baseline, march } };
}

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

describe('energy baselines in the monthly report', () => {
  it('fits a declared baseline and gives the month’s savings: Σ(expected − actual), expected the baseline’s mean of its kind of day', async () => {
    const { report, days } = await reportApi();
    const response = await report();
    expect(response.statusCode, response.body).toBe(200);
    const section = response.json<MonthlyReport>().baselinesAndIntegrity;
    expect(section.baselines.map((b) => b.id)).toEqual(['enb-site', 'enb-heat', 'enb-gas']);
    const site = section.baselines[0]!;

    // A model on one 0/1 variable predicts the mean of the baseline's days of each kind.
    const baselineDays = [...days.baseline];
    const expected = { working: mean(baselineDays.filter(([d]) => isWorkingDay(d)).map(([, v]) => v)), off: mean(baselineDays.filter(([d]) => !isWorkingDay(d)).map(([, v]) => v)) };
    const savings = [...days.march].reduce((s, [d, actual]) => s + (isWorkingDay(d) ? expected.working : expected.off) - actual, 0);

    expect(site).toMatchObject({ point: null, unit: 'tce', period: { from: '2026-01-01', to: '2026-02-28' }, reporting: { from: '2026-03-01', to: '2026-03-31' }, reason: null });
    expect(site.model).toMatchObject({ variables: ['workingDay'], baselineDays: 59, excludedDays: 0, passed: true, failures: [] });
    expect(site.model!.rSquared!).toBeGreaterThan(0.9);
    expect(site.savings!.days).toBe(31);
    expect(site.savings!.savings).toBeCloseTo(savings, 9);
    expect(site.savings!.actual).toBeCloseTo([...days.march.values()].reduce((a, b) => a + b, 0), 9);
    // 22 working days 1 tce below the baseline: about 22 tce saved, claimed.
    expect(Math.abs(site.savings!.savings - 22)).toBeLessThan(site.savings!.expandedUncertainty + 1);
    expect(site.savings).toMatchObject({ claimed: true, notClaimedReasons: [] });

    // Every day of March is charted; the CUSUM ends at −savings.
    expect(site.days.map((d) => d.date)).toEqual(daysOf('2026-03-01', '2026-03-31'));
    expect(site.days[1]).toMatchObject({ date: '2026-03-02', actual: days.march.get('2026-03-02') });
    expect(site.days[1]!.expected).toBeCloseTo(expected.working, 9);
    for (const d of site.days) expect(d.predictionLow < d.expected && d.expected < d.predictionHigh).toBe(true);
    expect(site.days.at(-1)!.cumulativeDeviation).toBeCloseTo(-savings, 9);
    // A lasting drop from the first working day of March.
    expect(site.changePoints[0]).toMatchObject({ direction: 'down' });
  });

  it('says “not claimed” with the reasons when the fit fails, and why a baseline cannot be fitted', async () => {
    const { report } = await reportApi();
    const [, heat, gas] = (await report()).json<MonthlyReport>().baselinesAndIntegrity.baselines;
    expect(heat!.model!.passed).toBe(false);
    expect(heat!.model!.failures.some((f) => f.startsWith('CV(RMSE)') || f.startsWith('R²'))).toBe(true);
    expect(heat!.savings!.claimed).toBe(false);
    expect(heat!.savings!.notClaimedReasons[0]).toMatch(/^baseline fit: /);

    expect(gas).toMatchObject({ id: 'enb-gas', point: 'rpt-gas', unit: 'Nm3', model: null, savings: null, days: [], reason: 'no model: no day of the baseline period 2025-01-01 to 2025-06-30 has data' });

    const page = (await report('html')).body;
    const section = page.slice(page.indexOf('<section class="page" id="baselines-and-integrity">'));
    expect(section).toContain('<h2>Energy baselines and data integrity</h2>');
    expect(section).toContain('<h3>Baseline enb-site: standard coal of the enterprise (equivalent value), 2026-01-01 to 2026-02-28</h3>');
    expect(section).toMatch(/<div class="baseline" data-baseline="enb-heat">[\s\S]*<span class="fail" data-not-claimed>not claimed<\/span>: baseline fit: /);
    expect(section).toContain('<p class="note nodata" data-baseline-reason>no model: no day of the baseline period 2025-01-01 to 2025-06-30 has data.</p>');
    // The chart: the band, and a dot per day with its numbers.
    expect(section).toContain('<polygon points="');
    expect(section.match(/<circle [^>]*class="actual[^"]*" data-day="2026-03-\d\d"/g)).toHaveLength(2 * 31);
    expect(section).toMatch(/<line [^>]*class="change change-down" data-change-start="2026-03-\d\d"/);
    expect(page).not.toMatch(/<script/i);
  });

  it('names the baselines’ day figures in the inputs hash, and only when a baseline is declared', async () => {
    const { report, store } = await reportApi();
    const before = (await report()).json<MonthlyReport>().inputsHash;
    expect((await report()).json<MonthlyReport>().inputsHash).toBe(before);
    await store.write([figurePoint(standardCoalDay('2026-03-10', 3))]);
    expect((await report()).json<MonthlyReport>().inputsHash).not.toBe(before);

    // Without a declared baseline the report's hash is what it was before baselines: stored days do not enter it.
    const plain = await reportApi('none');
    const withoutBaselines = (await plain.report()).json<MonthlyReport>();
    expect(withoutBaselines.baselinesAndIntegrity.baselines).toEqual([]);
    expect(withoutBaselines.baselinesAndIntegrity.baselinesReason).toBe('rpt-works declares no energy baseline (registry energyBaselines)');
    const readings = new InMemoryStore();
    await readings.write(reportReadings());
    const bare = await testApi({ series: storeSeriesPageReader(readings) }, { manifest: reportManifest(testManifest().enterprises) });
    expect((await bare.app.inject({ url: URL, headers: bearer(SECRETS.regulatorCq) })).json<MonthlyReport>().inputsHash).toBe(withoutBaselines.inputsHash);
  });

  it('serves the baselines and their days in CSV', async () => {
    const { report } = await reportApi();
    const csv = (await report('csv')).body;
    expect(csv).toContain('section:energy_baselines\r\nbaseline,point,unit,period_from,period_to,product,reporting_from,reporting_to,variables,');
    // Reporting is the month (after the baseline period), even where no model can be fitted.
    expect(csv).toContain('\r\nenb-gas,rpt-gas,Nm3,2025-01-01,2025-06-30,,2026-03-01,2026-03-31,,,,,,,,,,,,,,,,,,no model: no day of the baseline period 2025-01-01 to 2025-06-30 has data\r\n');
    expect(csv.match(/\r\nenb-site,2026-03-\d\d,/g)).toHaveLength(31);
  });
});

describe('signs of fabricated or tampered data in the monthly report', () => {
  it('is “not yet judged” without a judgement of the month, then lists each finding with its point, detector and summary', async () => {
    const { report, store } = await reportApi('none');
    const before = (await report()).json<MonthlyReport>();
    expect(before.baselinesAndIntegrity.fabrication).toMatchObject({ status: 'not-judged', pointsJudged: 0, findings: [], statement: "not yet judged: no fabrication detector's judgement of rpt-works is stored for 2026-03" });

    const copied = finding('rpt-e-press', 'copied-day', true, 'the 12th repeats the 5th quarter-hour for quarter-hour', 1);
    const february = { ...finding('rpt-gas', 'flat-register', true, 'flat in February'), periodKey: '2026-02', startMs: calendarPeriod('2026-02', TZ).start, endMs: calendarPeriod('2026-02', TZ).end };
    await store.write([copied, finding('rpt-e-press', 'too-regular', false), finding('rpt-e-in', 'flat-register', false), finding('rpt-gas', 'flat-register', false), february].map(figurePoint));

    const after = (await report()).json<MonthlyReport>();
    // Published figures are shown as they are: the inputs hash does not change with them.
    expect(after.inputsHash).toBe(before.inputsHash);
    expect(after.baselinesAndIntegrity.fabrication).toEqual({
      source: 'as published by the aggregator',
      status: 'found',
      pointsJudged: 3,
      findings: [{ point: 'rpt-e-press', detector: 'copied-day', summary: 'the 12th repeats the 5th quarter-hour for quarter-hour', evidence: '{"days":["2026-03-12","2026-03-05"]}', revision: 1 }],
      statement: 'signs found on 1 point of 3 judged (1 finding)',
    });
    const page = (await report('html')).body;
    expect(page).toContain('<p data-fabrication="found" class="fail">Signs found on 1 point of 3 judged (1 finding).</p>');
    expect(page).toContain('<tr data-finding="rpt-e-press/copied-day"><td>rpt-e-press</td><td>copied-day</td><td>the 12th repeats the 5th quarter-hour for quarter-hour</td><td class="num">revision 1</td></tr>');
    const csv = (await report('csv')).body;
    expect(csv).toContain('section:fabrication_findings\r\npoint,detector,summary,evidence,revision,status,points_judged\r\nrpt-e-press,copied-day,the 12th repeats the 5th quarter-hour for quarter-hour,"{""days"":[""2026-03-12"",""2026-03-05""]}",1,found,3\r\n');
  });

  it('is “none found among N points judged” when every judgement is clean', () => {
    const s = baselinesAndIntegrity([], [finding('rpt-e-in', 'flat-register', false), finding('rpt-e-in', 'copied-day', false), finding('rpt-gas', 'flat-register', false)], REPORT_ENTERPRISE, REPORT_MONTH);
    expect(s.fabrication).toMatchObject({ status: 'none-found', pointsJudged: 2, findings: [], statement: 'none found among 2 points judged' });
  });
});
