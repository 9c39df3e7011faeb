// Issue 16, item 4: the monthly report's "Targets and limits", from the figures the aggregator
// stored (target_progress, limit_compliance) and the region's progress series. Every figure here
// is written by hand as the aggregator stores it; every expected string is formatted by hand.
import { describe, expect, it } from 'vitest';
import { FIGURE_KINDS, type FigureV1 } from '@meterline/contracts';
import { FIGURE_DETAIL_FIELDS as D, figurePoint, regionTargetProgressPoint, type RegionTargetProgress } from '@meterline/series';
import { InMemoryStore } from '@meterline/store';
import type { MonthlyReport } from '../src/reports/report-schema.ts';
import { targetsAndLimits } from '../src/reports/report-targets.ts';
import { storeSeriesPageReader } from '../src/series/series-page-reader.ts';
import { bearer, SECRETS, testApi, testManifest } from './fixtures.ts';
import { REPORT_ENTERPRISE, REPORT_MONTH, reportManifest, reportReadings } from './report-dataset.ts';

const URL = `/v1/enterprises/${REPORT_ENTERPRISE}/reports/${REPORT_MONTH}`;
/** 2026-03-01T00:00:00+08:00 and 2026-04-01T00:00:00+08:00: the report month in Asia/Shanghai. */
const MARCH = Date.UTC(2026, 1, 28, 16);
const APRIL = Date.UTC(2026, 2, 31, 16);
/** 2026-02-01T00:00:00+08:00 */
const FEBRUARY = Date.UTC(2026, 0, 31, 16);

function monthFigure(kind: FigureV1['measurement'], subject: Record<string, string>, value: number, u: number, unit: string, revision: number, detail: FigureV1['detail'], startMs = MARCH): FigureV1 {
  return {
    measurement: kind,
    enterpriseId: REPORT_ENTERPRISE,
    subject,
    periodKind: 'month',
    periodKey: startMs === MARCH ? '2026-03' : '2026-02',
    startMs,
    endMs: startMs === MARCH ? APRIL : MARCH,
    value,
    unit,
    expandedUncertainty: u,
    coveragePercent: 100,
    estimated: 0,
    flags: [],
    factorSet: 'cn-2023@1.0.0',
    registryVersion: 'r1',
    revision,
    detail,
  };
}

/** The enterprise's energy-intensity target, at risk: 0.5436 ± 0.0213 projected against 0.52. */
const intensityTarget = monthFigure(FIGURE_KINDS.targetProgress, { region: 'CN-CQ', metric: 'energy-intensity', basis: 'equivalent' }, 0.5436, 0.0213, 'tce/10^4 CNY', 2, {
  [D.verdict]: 'at-risk',
  [D.ceiling]: 0.52,
  [D.toDate]: 0.5618,
  [D.toDateExpandedU]: 0.0307,
  [D.months]: 3,
  [D.profile]: 'previous-year',
  [D.statusRule]: 'at risk: projection + U reaches the ceiling <0.52>',
  [D.year]: 2026,
  [D.judgedAgainst]: 'tgt-7@0.52',
});
/** Its total-energy target, on track: 10 840.6 ± 412.3 tce projected against 12 000. */
const totalTarget = monthFigure(FIGURE_KINDS.targetProgress, { region: 'CN-CQ', metric: 'energy-total', basis: 'equivalent' }, 10840.6, 412.3, 'tce', 0, {
  [D.verdict]: 'on-track',
  [D.ceiling]: 12000,
  [D.toDate]: 2480.25,
  [D.toDateExpandedU]: 96.4,
  [D.months]: 3,
  [D.profile]: 'uniform',
  [D.statusRule]: 'on track: projection + U below the ceiling',
  [D.year]: 2026,
  [D.judgedAgainst]: 'tgt-6@12000',
});

const clinker = { region: 'CN-CQ', product: 'clinker', standard: 'cement-clinker' };
const gradeValues = { [D.standardNumber]: 'GB 16780-2021', [D.clause]: '4.1', [D.bindingGrade]: 'limit', [D.limitValue]: 117, [D.accessValue]: 107, [D.advancedVerdict]: 'unconfirmed', [D.judgedAgainst]: 'limit-standards@1.0.0' };
/** March alone: 112.4 ± 3.1 kgce/t, the band 109.3–115.5 below the limit 117, above the access value 107. */
const clinkerMonth = monthFigure(FIGURE_KINDS.limitCompliance, { ...clinker, span: 'month' }, 112.4, 3.1, 'kgce/t', 1, {
  ...gradeValues,
  [D.verdict]: 'clearly-below',
  [D.limitVerdict]: 'clearly-below',
  [D.accessVerdict]: 'clearly-above',
  [D.months]: 1,
});
/** January to March: 116.2 ± 2.4, the band 113.8–118.6 holds the limit 117: not decidable. */
const clinkerYear = monthFigure(FIGURE_KINDS.limitCompliance, { ...clinker, span: 'year-to-date' }, 116.2, 2.4, 'kgce/t', 0, {
  ...gradeValues,
  [D.verdict]: 'undecidable',
  [D.limitVerdict]: 'undecidable',
  [D.accessVerdict]: 'clearly-above',
  [D.months]: 3,
});

const regionProgress: RegionTargetProgress = {
  region: 'CN-CQ',
  metric: 'energy-intensity',
  basis: 'equivalent',
  monthStartMs: MARCH,
  asOf: '2026-03',
  year: 2026,
  targetId: 'tgt-1',
  ceiling: 0.48,
  unit: 'tce/10^4 CNY',
  toDate: 0.4712,
  toDateExpandedU: 0.0094,
  projection: 0.4657,
  projectionExpandedU: 0.0121,
  months: 3,
  profile: 'previous-year',
  status: 'at-risk',
  statusRule: 'at risk: projection + U reaches the ceiling',
  enterprises: ['rpt-works', 'ent-a'],
  missing: ['ent-c'],
  computedAt: '2026-04-01T02:00:00+08:00',
};

describe('targets and limits of the monthly report, composed from the published figures (issue 16)', () => {
  it('makes a row per figure: targets by metric, products month before year to date, each with its revision', () => {
    const s = targetsAndLimits({ targetProgress: [intensityTarget, totalTarget], limitCompliance: [clinkerYear, clinkerMonth], region: [regionProgress] }, { id: REPORT_ENTERPRISE, region: 'CN-CQ' }, '2026-03');
    expect(s.source).toBe('as published by the aggregator');
    // energy-total comes before energy-intensity (the order of the dual-control metrics), whatever order the store gave.
    expect(s.targets.map((t) => [t.metric, t.basis, t.status, t.revision])).toEqual([
      ['energy-total', 'equivalent', 'on-track', 0],
      ['energy-intensity', 'equivalent', 'at-risk', 2],
    ]);
    expect(s.targets[1]).toEqual({
      metric: 'energy-intensity', basis: 'equivalent', year: 2026, unit: 'tce/10^4 CNY', ceiling: 0.52, toDate: 0.5618, toDateExpandedUncertainty: 0.0307, projection: 0.5436,
      projectionExpandedUncertainty: 0.0213, months: 3, profile: 'previous-year', status: 'at-risk', statusRule: 'at risk: projection + U reaches the ceiling <0.52>', judgedAgainst: 'tgt-7@0.52', revision: 2,
    });
    expect(s.compliance.map((c) => [c.span, c.value, c.expandedUncertainty, c.verdict, c.revision])).toEqual([
      ['month', 112.4, 3.1, 'clearly-below', 1],
      ['year-to-date', 116.2, 2.4, 'undecidable', 0],
    ]);
    // The advanced value was not confirmed from the standard's text: no value, its verdict says so.
    expect(s.compliance[1]).toMatchObject({ standardNumber: 'GB 16780-2021', clause: '4.1', bindingGrade: 'limit', siteId: null, limit: { value: 117, verdict: 'undecidable' }, access: { value: 107, verdict: 'clearly-above' }, advanced: { value: null, verdict: 'unconfirmed' } });
    expect(s.region).toEqual([{ ...regionProgressRow(), enterprises: ['rpt-works', 'ent-a'], missing: ['ent-c'] }]);
    expect([s.targetsReason, s.regionReason, s.complianceReason]).toEqual([null, null, null]);
  });

  it('says why a list is empty: no target, no region progress as of the month, no product mapped', () => {
    const february = { ...regionProgress, asOf: '2026-02', monthStartMs: FEBRUARY };
    const otherRegion = { ...regionProgress, region: 'CN-JS' };
    const s = targetsAndLimits({ targetProgress: [], limitCompliance: [], region: [february, otherRegion] }, { id: REPORT_ENTERPRISE, region: 'CN-CQ' }, '2026-03');
    expect([s.targets, s.region, s.compliance]).toEqual([[], [], []]);
    expect(s.targetsReason).toBe('no target progress of rpt-works is published for 2026-03: the enterprise has no dual-control target for the year, or its month is not aggregated yet');
    expect(s.regionReason).toBe("no progress of region CN-CQ is published as of 2026-03: the region has no dual-control target for the year, or its enterprises' month is not aggregated yet");
    expect(s.complianceReason).toBe('no limit compliance of rpt-works is published for 2026-03: none of its products is mapped to an energy-consumption limit standard, or its month is not aggregated yet');
  });
});

/** The region row the report makes of `regionProgress`: its fields renamed, nothing recomputed. */
function regionProgressRow(): MonthlyReport['targetsAndLimits']['region'][number] {
  return {
    region: 'CN-CQ', metric: 'energy-intensity', basis: 'equivalent', year: 2026, targetId: 'tgt-1', unit: 'tce/10^4 CNY', ceiling: 0.48, toDate: 0.4712, toDateExpandedUncertainty: 0.0094,
    projection: 0.4657, projectionExpandedUncertainty: 0.0121, months: 3, profile: 'previous-year', status: 'at-risk', statusRule: 'at risk: projection + U reaches the ceiling',
    enterprises: [], missing: [], computedAt: '2026-04-01T02:00:00+08:00',
  };
}

async function reportApi() {
  const readings = new InMemoryStore();
  await readings.write(reportReadings());
  // The readings behind the report's own figures; the published figures in the API's store, where the aggregator writes them.
  return testApi({ series: storeSeriesPageReader(readings) }, { manifest: reportManifest(testManifest().enterprises) });
}

describe('targets and limits in the served report (issue 16)', () => {
  it('reads the month’s stored figures and the region’s progress; the inputs hash does not change with them', async () => {
    const { app, store } = await reportApi();
    const before = (await app.inject({ url: URL, headers: bearer(SECRETS.regulatorCq) })).json<MonthlyReport>();
    expect(before.targetsAndLimits.targets).toEqual([]);
    expect(before.targetsAndLimits.targetsReason).toMatch(/^no target progress of rpt-works is published for 2026-03/);

    // February's figures and another enterprise's are not the month's.
    const february = monthFigure(FIGURE_KINDS.targetProgress, { region: 'CN-CQ', metric: 'co2-total' }, 1, 0.1, 'tCO2', 0, { [D.verdict]: 'exceeded' }, FEBRUARY);
    await store.write([intensityTarget, totalTarget, clinkerMonth, clinkerYear, february, { ...intensityTarget, enterpriseId: 'ent-a' }].map(figurePoint));
    await store.write([regionTargetProgressPoint(regionProgress), regionTargetProgressPoint({ ...regionProgress, asOf: '2026-02', monthStartMs: FEBRUARY, status: 'exceeded' })]);

    const after = (await app.inject({ url: URL, headers: bearer(SECRETS.regulatorCq) })).json<MonthlyReport>();
    expect(after.inputsHash).toBe(before.inputsHash);
    expect(after.targetsAndLimits.targets.map((t) => [t.metric, t.projection, t.revision])).toEqual([
      ['energy-total', 10840.6, 0],
      ['energy-intensity', 0.5436, 2],
    ]);
    expect(after.targetsAndLimits.compliance.map((c) => [c.span, c.verdict])).toEqual([
      ['month', 'clearly-below'],
      ['year-to-date', 'undecidable'],
    ]);
    // The region series keeps its enterprise lists sorted.
    expect(after.targetsAndLimits.region).toEqual([{ ...regionProgressRow(), enterprises: ['ent-a', 'rpt-works'], missing: ['ent-c'] }]);

    const csv = (await app.inject({ url: `${URL}?format=csv`, headers: bearer(SECRETS.regulatorCq) })).body;
    expect(csv).toContain('section:limit_compliance\r\nproduct,standard,span,site,unit,value,expanded_uncertainty,verdict,binding_grade,standard_number,clause,limit_value,limit_verdict,access_value,access_verdict,advanced_value,advanced_verdict,months,judged_against,revision,reason\r\n');
    expect(csv).toContain('\r\nclinker,cement-clinker,year-to-date,,kgce/t,116.2,2.4,undecidable,limit,GB 16780-2021,4.1,117,undecidable,107,clearly-above,,unconfirmed,3,limit-standards@1.0.0,0,\r\n');
  });

  it('renders the section: targets with ceiling, to date ± U, projection ± U, status and rule; the region; the products with every grade', async () => {
    const { app, store } = await reportApi();
    await store.write([intensityTarget, totalTarget, clinkerMonth, clinkerYear].map(figurePoint));
    await store.write([regionTargetProgressPoint(regionProgress)]);
    const page = (await app.inject({ url: `${URL}?format=html`, headers: bearer(SECRETS.regulatorCq) })).body;
    const section = page.slice(page.indexOf('<section class="page" id="targets-and-limits">'));
    expect(section).toContain('<h2>Targets and limits</h2>');
    expect(section).toContain('shown as published by the aggregator, each with its revision');

    // energy-intensity: U 0.0213 shows to 3 decimals (two significant digits of U): 0.544 ± 0.021; ceiling 0.520;
    // to date's U 0.0307 also to 3: 0.562 ± 0.031. The rule is text: its "<" escaped.
    expect(section).toContain('<td class="num">0.520</td><td class="num" data-figure="target.energy-intensity.equivalent.toDate" data-value="0.5618" data-u="0.0307">0.562 ± 0.031</td><td class="num" data-figure="target.energy-intensity.equivalent.projection" data-value="0.5436" data-u="0.0213">0.544 ± 0.021</td>');
    expect(section).toContain('<td class="status-at-risk" data-status="at-risk">at risk<br><small>at risk: projection + U reaches the ceiling &lt;0.52&gt;</small></td><td>3 months, previous-year</td><td class="num">revision 2</td>');
    // energy-total: U 412.3 shows to 0 decimals: 10,841 ± 412 against 12,000; to date's U 96.4 also 0: 2,480 ± 96.
    expect(section).toContain('<td class="num">12,000</td><td class="num" data-figure="target.energy-total.equivalent.toDate" data-value="2480.25" data-u="96.4">2,480 ± 96</td><td class="num" data-figure="target.energy-total.equivalent.projection" data-value="10840.6" data-u="412.3">10,841 ± 412</td>');
    expect(section).toContain('<td class="status-on-track" data-status="on-track">on track');
    // The bar: projection ± U = 10,428.3 to 11,252.9 against the ceiling 12,000 (the lower end as a double: 10428.300000000001).
    expect(section).toContain(`data-ceiling="12000" data-band-from="${10840.6 - 412.3}" data-band-to="11252.9"`);

    // The region: projection U 0.0121 → 3 decimals (0.466 ± 0.012, ceiling 0.480); to date U 0.0094 → 4 (0.4712 ± 0.0094).
    expect(section).toContain('<tr data-region-target="energy-intensity.equivalent"><td>energy-intensity (equivalent)<br><small>2026, tgt-1</small></td><td>tce/10^4 CNY</td><td class="num">0.480</td><td class="num" data-figure="region.energy-intensity.equivalent.toDate" data-value="0.4712" data-u="0.0094">0.4712 ± 0.0094</td><td class="num" data-figure="region.energy-intensity.equivalent.projection" data-value="0.4657" data-u="0.0121">0.466 ± 0.012</td>');
    expect(section).toContain('2 counted; <span class="fail">missing: ent-c</span>');

    // Clinker, year to date: U 2.4 → 1 decimal; the band holds the limit: not decidable, said in words.
    expect(section).toContain('<td class="num" data-figure="limit.cement-clinker.year-to-date" data-value="116.2" data-u="2.4">116.2 ± 2.4</td><td>kgce/t</td><td class="verdict-undecidable" data-verdict="undecidable">not decidable at the data&#39;s quality<br><small>held to the limit value</small></td>');
    expect(section).toContain('<td class="num">117.0<br><small class="verdict-undecidable">not decidable at the data&#39;s quality</small></td><td class="num">107.0<br><small class="verdict-clearly-above">clearly above</small></td><td class="num">not confirmed<br><small class="verdict-unconfirmed">value not confirmed from the standard&#39;s text: no verdict</small></td>');
    expect(section).toContain('<td>GB 16780-2021, clause 4.1<br><small>cement-clinker</small></td><td>month<br><small>1 month</small></td><td class="num" data-figure="limit.cement-clinker.month" data-value="112.4" data-u="3.1">112.4 ± 3.1</td><td>kgce/t</td><td class="verdict-clearly-below" data-verdict="clearly-below">clearly below');
  });

  it('renders an empty section with the sentences that say why', async () => {
    const { app } = await reportApi();
    const page = (await app.inject({ url: `${URL}?format=html`, headers: bearer(SECRETS.regulatorCq) })).body;
    expect(page).toContain('<p class="note nodata">no target progress of rpt-works is published for 2026-03: the enterprise has no dual-control target for the year, or its month is not aggregated yet.</p>');
    expect(page).toContain('<p class="note nodata">no limit compliance of rpt-works is published for 2026-03: none of its products is mapped to an energy-consumption limit standard, or its month is not aggregated yet.</p>');
    expect(page).toContain('<td colspan="99" class="nodata">no region target</td>');
  });
});
