import { FIGURE_KINDS, type FigureV1 } from '@meterline/contracts';
import { CARBON_SCOPES, type EnterpriseFigures, type Figure, type Period, type QualityFlag, type Scorecard } from '@meterline/domain';
import { FIGURE_DETAIL_FIELDS as D, FIGURE_TAGS as T, INTENSITY_METRICS, STANDARD_COAL_BASES, STANDARD_COAL_LEVELS } from '@meterline/series';

const MANUAL_FLAG: QualityFlag = 'manual';

/** What every figure of one accounting shares. */
interface RowContext {
  enterpriseId: string;
  period: Period;
  registryVersion: string;
  /** The standing manual entries the accounting used, comma-separated ('' for none). */
  manualEntries: string;
}

type Subject = FigureV1['subject'];
type Detail = FigureV1['detail'];

/** The parts of a figure its publication carries. */
type Values = Pick<FigureV1, 'value' | 'unit' | 'expandedUncertainty' | 'coveragePercent' | 'estimated' | 'flags' | 'factorSet'>;

/** Data completeness, published with every figure next to its coverage (issue 15). */
const completenessDetail = (c: { completenessPercent: number; readingsReceived: number; readingsExpected: number }): Detail => ({
  [D.completeness]: c.completenessPercent,
  [D.readingsReceived]: c.readingsReceived,
  [D.readingsExpected]: c.readingsExpected,
});
const completenessOfFigure = (f: Figure): Detail => completenessDetail({ completenessPercent: f.completenessPercent, ...f.quality });

const valuesOf = (f: Figure): Values => ({
  value: f.value,
  unit: f.unit,
  expandedUncertainty: f.expandedUncertainty,
  coveragePercent: f.coveragePercent,
  estimated: f.quality.estimated,
  flags: [...f.quality.flags],
  factorSet: f.factorSet,
});

function row(ctx: RowContext, measurement: FigureV1['measurement'], subject: Subject, values: Values, detail: Detail): FigureV1 {
  // A figure resting on manual entries names them, so a correction's restatement can say so (restatements.ts).
  if (ctx.manualEntries !== '' && values.flags.includes(MANUAL_FLAG)) detail = { ...detail, [D.manualEntries]: ctx.manualEntries };
  return {
    measurement,
    enterpriseId: ctx.enterpriseId,
    subject,
    periodKind: ctx.period.kind,
    periodKey: ctx.period.key,
    startMs: ctx.period.start,
    endMs: ctx.period.end,
    ...values,
    registryVersion: ctx.registryVersion,
    revision: 0,
    detail,
  };
}

/**
 * The publishable figures of one enterprise accounting, one per series: point consumption,
 * standard coal (enterprise, sites), energy balances, carbon by scope and intensities.
 */
export function figureRows(accounting: EnterpriseFigures, period: Period, registryVersion: string): FigureV1[] {
  const ctx: RowContext = { enterpriseId: accounting.id, period, registryVersion, manualEntries: accounting.manualEntries.join(',') };
  const rows: FigureV1[] = [];
  for (const p of accounting.points) {
    const detail: Detail = {
      [D.suspectIntervals]: p.consumption.quality.suspectIntervals,
      [D.outsideCalibration]: p.consumption.quality.readingsOutsideCalibration,
      [D.rollovers]: p.consumption.quality.rollovers,
      ...completenessOfFigure(p.consumption),
    };
    if (p.tce) Object.assign(detail, { [D.tce]: p.tce.value, [D.tceExpandedU]: p.tce.expandedUncertainty });
    const subject = { [T.site]: p.siteId, [T.point]: p.id, [T.carrier]: p.carrier, [T.quantity]: p.quantity, [T.role]: p.role };
    rows.push(row(ctx, FIGURE_KINDS.consumption, subject, valuesOf(p.consumption), detail));
  }
  // Enterprise-wide figures carry the region, so a regulator's dashboards can filter by it.
  const region = { [T.region]: accounting.region };
  const coal = (level: string, basis: string, site?: string): Subject => ({ ...region, [T.level]: level, ...(site === undefined ? {} : { [T.site]: site }), [T.basis]: basis });
  const coalRow = (subject: Subject, f: Figure) => row(ctx, FIGURE_KINDS.standardCoal, subject, valuesOf(f), completenessOfFigure(f));
  rows.push(coalRow(coal(STANDARD_COAL_LEVELS.enterprise, STANDARD_COAL_BASES.equivalent), accounting.tceEquivalent));
  if (accounting.tceEqualValue) rows.push(coalRow(coal(STANDARD_COAL_LEVELS.enterprise, STANDARD_COAL_BASES.equalValue), accounting.tceEqualValue));
  for (const site of accounting.sites) rows.push(coalRow(coal(STANDARD_COAL_LEVELS.site, STANDARD_COAL_BASES.equivalent, site.id), site.tce));
  for (const b of accounting.balances) {
    // The gap is the figure; its U combines the parent's and the children's meters (energy-balance.ts).
    // Its quality is its meters': their flags, readings outside calibration and completeness; its
    // estimated part is the input's estimate less the children's, as the gap is input less children.
    const estimated = b.quality.parts.reduce((s, p) => s + (p.side === 'input' ? p.estimated : -p.estimated), 0);
    const values = {
      value: b.gap === 0 ? 0 : b.gap, unit: b.unit, expandedUncertainty: b.gapExpandedUncertainty, coveragePercent: b.coverage * 100,
      estimated: estimated === 0 ? 0 : estimated, flags: [...b.quality.flags], factorSet: b.factorSet,
    };
    const detail = {
      [D.input]: b.input, [D.childrenSum]: b.childrenSum, [D.significant]: b.significant, [D.children]: b.childIds.join(','),
      [D.outsideCalibration]: b.quality.readingsOutsideCalibration, ...completenessDetail(b.quality),
    };
    rows.push(row(ctx, FIGURE_KINDS.energyBalance, { [T.site]: b.siteId, [T.node]: b.parentId, [T.carrier]: b.carrier }, values, detail));
  }
  for (const [scope, key] of Object.entries(CARBON_SCOPES)) {
    const f = accounting.carbon[key];
    rows.push(row(ctx, FIGURE_KINDS.carbon, { ...region, [T.scope]: scope }, valuesOf(f), completenessOfFigure(f)));
  }
  for (const i of accounting.intensities) {
    const site: Subject = i.siteId ? { ...region, [T.site]: i.siteId } : region;
    const detail = { [D.production]: i.production, [D.productionUnit]: i.productionUnit, [D.productionU]: i.productionRelativeU };
    rows.push(row(ctx, FIGURE_KINDS.intensity, { [T.product]: i.product, [T.metric]: INTENSITY_METRICS.tce, ...site }, valuesOf(i.tcePerUnit), { ...detail, ...completenessOfFigure(i.tcePerUnit) }));
    if (i.tCO2PerUnit) {
      rows.push(row(ctx, FIGURE_KINDS.intensity, { [T.product]: i.product, [T.metric]: INTENSITY_METRICS.tco2, ...site }, valuesOf(i.tCO2PerUnit), { ...detail, ...completenessOfFigure(i.tCO2PerUnit) }));
    }
  }
  return rows;
}

/** A rule's figure passes with 1 and fails with 0: a count of passes that sums over rules and months. */
const PASS_UNIT = 'pass';

/**
 * One figure per rule of an enterprise month's scorecard (the regulator's upload data-quality
 * rules, monitoring-quality-rules.json). The figure rests on the whole month's accounting, so it
 * carries the coverage, completeness and factor set of the month's enterprise standard coal; it
 * is a verdict, not a measurement, so it has no uncertainty and no quality flags. A month that
 * used manual entries names them, so a correction that turns a rule names itself in the restatement.
 */
export function scorecardRows(scorecard: Scorecard, month: EnterpriseFigures, period: Period, registryVersion: string): FigureV1[] {
  const ctx: RowContext = { enterpriseId: month.id, period, registryVersion, manualEntries: month.manualEntries.join(',') };
  const tce = month.tceEquivalent;
  const values: Values = { value: 0, unit: PASS_UNIT, expandedUncertainty: 0, coveragePercent: tce.coveragePercent, estimated: 0, flags: [], factorSet: tce.factorSet };
  return scorecard.outcomes.map((o) =>
    row(ctx, FIGURE_KINDS.qualityRule, { [T.region]: month.region, [T.rule]: o.rule }, { ...values, value: o.passed ? 1 : 0 }, {
      [D.ruleRequirement]: o.requirement,
      [D.ruleSource]: o.source,
      [D.ruleConfidence]: o.confidence,
      [D.ruleSummary]: o.detail,
      [D.ruleFindings]: o.findings.length,
      [D.ruleSet]: scorecard.rules,
      ...completenessOfFigure(tce),
      ...(ctx.manualEntries === '' ? {} : { [D.manualEntries]: ctx.manualEntries }),
    }),
  );
}
