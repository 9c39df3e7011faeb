import { CARBON_SCOPES } from '@meterline/domain';
import type { MonthlyReport } from './report-schema.ts';

type Cell = string | number | boolean | null;

/** One section of the report as a table: what the CSV and the workbook both render. */
export interface ReportTable {
  name: string;
  columns: string[];
  rows: Cell[][];
}

type Figure = MonthlyReport['energy']['comprehensive']['tceEquivalent'];

const FIGURE_COLUMNS = ['value', 'unit', 'expanded_uncertainty', 'coverage_percent', 'estimated', 'flags'];
const figureCells = (f: Figure | null): Cell[] =>
  f ? [f.value, f.unit, f.expandedUncertainty, f.coveragePercent, f.quality.estimated, f.quality.flags.join(' ')] : [null, null, null, null, null, null];
const prefixed = (prefix: string) => FIGURE_COLUMNS.map((c) => `${prefix}_${c}`);

/** The report, section after section: the first (`report`) names the inputs hash. */
export function reportTables(r: MonthlyReport): ReportTable[] {
  const carbonRows = Object.entries(CARBON_SCOPES).map(([scope, key]): [string, Figure] => [scope, r.carbon[key]]);
  const factor = r.carbon.scope2LocationFactor;
  return [
    {
      name: 'report',
      columns: ['key', 'value'],
      rows: [
        ['schema', r.schema],
        ['inputs_hash', r.inputsHash],
        ['enterprise', r.enterprise.id],
        ['enterprise_name', r.enterprise.name],
        ['region', r.enterprise.region],
        ['grid_region', r.enterprise.gridRegion],
        ['time_zone', r.enterprise.timeZone],
        ['month', r.month],
        ['period_start', r.period.start],
        ['period_end', r.period.end],
        ['factor_set', r.factorSet],
        ['scope2_level', r.enterprise.scope2Level],
        ['scope2_location_factor', factor ? factor.value : null],
        ['scope2_location_factor_unit', factor ? factor.unit : null],
        ['scope2_location_factor_source', factor ? factor.source : null],
        ['readings_used', r.readingsUsed],
        ['coverage_percent', r.coverage.percent],
      ],
    },
    {
      name: 'energy',
      columns: ['carrier', 'direction', 'points', ...prefixed('tce_equivalent'), ...prefixed('tce_equal_value'), ...prefixed('tco2_location_net')],
      rows: [
        ...r.energy.byCarrier.map((c) => [c.carrier, c.direction, c.points.join(' '), ...figureCells(c.tceEquivalent), ...figureCells(c.tceEqualValue), ...figureCells(c.tCO2LocationNet)]),
        ['comprehensive', 'net', '', ...figureCells(r.energy.comprehensive.tceEquivalent), ...figureCells(r.energy.comprehensive.tceEqualValue), ...figureCells(r.carbon.totalLocationNetOfExports)],
      ],
    },
    {
      name: 'daily',
      columns: ['day', 'carrier', 'direction', ...prefixed('tce_equivalent'), ...prefixed('tco2_location_net')],
      rows: r.daily.flatMap((d) => [
        ...d.byCarrier.map((c): Cell[] => [d.day, c.carrier, c.direction, ...figureCells(c.tceEquivalent), ...figureCells(c.tCO2LocationNet)]),
        [d.day, 'comprehensive', 'net', ...figureCells(d.tceEquivalent), ...figureCells(d.tCO2LocationNet)],
      ]),
    },
    {
      name: 'balances',
      columns: ['node', 'site', 'carrier', 'unit', 'children', 'input', 'sub_meters_sum', 'gap', 'gap_percent', 'gap_expanded_uncertainty', 'significant', 'coverage_percent'],
      rows: r.balances.map((b) => [b.node, b.siteId, b.carrier, b.unit, b.children.join(' '), b.input, b.childrenSum, b.gap, b.gapPercent, b.gapExpandedUncertainty, b.significant, b.coveragePercent]),
    },
    { name: 'sites', columns: ['site', 'name', ...prefixed('tce_equivalent')], rows: r.energy.sites.map((s) => [s.id, s.name, ...figureCells(s.tceEquivalent)]) },
    { name: 'carbon', columns: ['scope', ...FIGURE_COLUMNS], rows: carbonRows.map(([scope, f]) => [scope, ...figureCells(f)]) },
    {
      name: 'intensity',
      columns: ['product', 'site', 'production', 'production_unit', ...prefixed('tce_per_unit'), ...prefixed('tco2_per_unit')],
      rows: r.intensities.map((i) => [i.product, i.siteId, i.production, i.productionUnit, ...figureCells(i.tcePerUnit), ...figureCells(i.tCO2PerUnit)]),
    },
    {
      name: 'year_on_year',
      columns: ['month', 'metric', 'unit', 'current', 'current_expanded_uncertainty', 'previous', 'previous_expanded_uncertainty', 'previous_coverage_percent', 'change', 'change_percent', 'reason'],
      rows: r.yearOnYear.comparison
        ? r.yearOnYear.comparison.map((y) => [r.yearOnYear.month, y.metric, y.unit, y.current, y.currentExpandedUncertainty, y.previous, y.previousExpandedUncertainty, y.previousCoveragePercent, y.change, y.changePercent, null])
        : [[r.yearOnYear.month, null, null, null, null, null, null, null, null, null, r.yearOnYear.reason]],
    },
    {
      name: 'metering_points',
      columns: [
        'point', 'name', 'site', 'carrier', 'quantity', 'role', 'parent', ...prefixed('consumption'), 'suspect_intervals', ...prefixed('tce_equivalent'),
        'readings_used', 'readings_verified', 'readings_verified_percent',
      ],
      rows: r.meteringPoints.map((p) => [
        p.id, p.name, p.siteId, p.carrier, p.quantity, p.role, p.parent, ...figureCells(p.consumption), p.consumption.quality.suspectIntervals, ...figureCells(p.tceEquivalent),
        p.verifiedReadings.used, p.verifiedReadings.verified, p.verifiedReadings.percent,
      ]),
    },
    {
      name: 'calibration',
      columns: ['point', 'certificate', 'valid_from', 'valid_until', 'status', 'readings_outside_calibration'],
      rows: r.calibration.map((c) => [c.pointId, c.certificate, c.validFrom, c.validUntil, c.status, c.readingsOutsideCalibration]),
    },
    {
      name: 'data_quality',
      columns: ['kind', 'subject', 'code', 'detail'],
      rows: [
        ['flags', 'report', null, r.dataQuality.flags.join(' ')],
        ['suspect_intervals', 'report', null, r.dataQuality.suspectIntervals],
        ...r.dataQuality.figures.map((x): Cell[] => ['figure_flags', x.figure, null, x.flags.join(' ')]),
        ...r.dataQuality.issues.map((i): Cell[] => ['issue', i.pointId, i.code, i.message]),
      ],
    },
    {
      name: 'scorecard',
      columns: ['rule', 'requirement', 'passed', 'detail', 'source', 'confidence'],
      rows: r.scorecard.outcomes.map((x) => [x.rule, x.requirement, x.passed, x.detail, x.source, x.confidence]),
    },
    ...targetsAndLimitsTables(r.targetsAndLimits),
    ...baselinesAndIntegrityTables(r.baselinesAndIntegrity),
  ];
}

/**
 * The energy baselines (a row each: model, savings, reason), their judged days, and the
 * fabrication findings; an empty table has a row with the reason (not judged, none found).
 */
function baselinesAndIntegrityTables(s: MonthlyReport['baselinesAndIntegrity']): ReportTable[] {
  const baselineColumns = [
    'baseline', 'point', 'unit', 'period_from', 'period_to', 'product', 'reporting_from', 'reporting_to', 'variables', 'baseline_days', 'excluded_days', 'r_squared', 'cv_rmse_percent', 'nmbe_percent',
    'fit_meets_criteria', 'fit_criteria', 'fit_failures', 'reporting_days', 'adjusted_baseline', 'actual', 'savings', 'savings_expanded_uncertainty', 'claimed', 'not_claimed_reasons', 'change_points', 'reason',
  ];
  const baselines = s.baselines.map((b): Cell[] => {
    const m = b.model;
    const v = b.savings;
    return [
      b.id, b.point, b.unit, b.period.from, b.period.to, b.product, b.reporting?.from ?? null, b.reporting?.to ?? null,
      m ? m.variables.join(' ') : null, m?.baselineDays ?? null, m?.excludedDays ?? null, m?.rSquared ?? null, m?.cvRmsePercent ?? null, m?.nmbePercent ?? null,
      m?.passed ?? null, m?.criteria ?? null, m ? m.failures.join('; ') : null,
      v?.days ?? null, v?.adjustedBaseline ?? null, v?.actual ?? null, v?.savings ?? null, v?.expandedUncertainty ?? null, v?.claimed ?? null, v ? v.notClaimedReasons.join('; ') : null,
      b.changePoints.map((c) => `${c.direction} ${c.startDate}..${c.signalDate}`).join(' '), b.reason,
    ];
  });
  const f = s.fabrication;
  return [
    { name: 'energy_baselines', columns: baselineColumns, rows: baselines.length > 0 ? baselines : [[...Array<Cell>(baselineColumns.length - 1).fill(null), s.baselinesReason]] },
    {
      name: 'baseline_days',
      columns: ['baseline', 'day', 'actual', 'expected', 'interval_low', 'interval_high', 'outside', 'cusum'],
      rows: s.baselines.flatMap((b) => b.days.map((d): Cell[] => [b.id, d.date, d.actual, d.expected, d.predictionLow, d.predictionHigh, d.outside, d.cumulativeDeviation])),
    },
    {
      name: 'fabrication_findings',
      columns: ['point', 'detector', 'summary', 'evidence', 'revision', 'status', 'points_judged'],
      rows: f.findings.length > 0 ? f.findings.map((x) => [x.point, x.detector, x.summary, x.evidence, x.revision, f.status, f.pointsJudged]) : [[null, null, f.statement, null, null, f.status, f.pointsJudged]],
    },
  ];
}

/** The published targets and limits, a table each; an empty one has a row with the reason, as year on year does. */
function targetsAndLimitsTables(s: MonthlyReport['targetsAndLimits']): ReportTable[] {
  const orReason = (rows: Cell[][], width: number, reason: string | null): Cell[][] => (rows.length > 0 ? rows : [[...Array<Cell>(width - 1).fill(null), reason]]);
  const targetColumns = ['metric', 'basis', 'year', 'unit', 'ceiling', 'to_date', 'to_date_expanded_uncertainty', 'projection', 'projection_expanded_uncertainty', 'months', 'profile', 'status', 'status_rule', 'judged_against', 'revision', 'reason'];
  const regionColumns = ['region', 'metric', 'basis', 'year', 'target', 'unit', 'ceiling', 'to_date', 'to_date_expanded_uncertainty', 'projection', 'projection_expanded_uncertainty', 'months', 'profile', 'status', 'status_rule', 'enterprises', 'missing', 'computed_at', 'reason'];
  const complianceColumns = [
    'product', 'standard', 'span', 'site', 'unit', 'value', 'expanded_uncertainty', 'verdict', 'binding_grade', 'standard_number', 'clause',
    'limit_value', 'limit_verdict', 'access_value', 'access_verdict', 'advanced_value', 'advanced_verdict', 'months', 'judged_against', 'revision', 'reason',
  ];
  return [
    {
      name: 'targets',
      columns: targetColumns,
      rows: orReason(
        s.targets.map((t) => [t.metric, t.basis, t.year, t.unit, t.ceiling, t.toDate, t.toDateExpandedUncertainty, t.projection, t.projectionExpandedUncertainty, t.months, t.profile, t.status, t.statusRule, t.judgedAgainst, t.revision, null]),
        targetColumns.length,
        s.targetsReason,
      ),
    },
    {
      name: 'region_targets',
      columns: regionColumns,
      rows: orReason(
        s.region.map((p) => [
          p.region, p.metric, p.basis, p.year, p.targetId, p.unit, p.ceiling, p.toDate, p.toDateExpandedUncertainty, p.projection, p.projectionExpandedUncertainty, p.months, p.profile, p.status, p.statusRule,
          p.enterprises.join(' '), p.missing.join(' '), p.computedAt, null,
        ]),
        regionColumns.length,
        s.regionReason,
      ),
    },
    {
      name: 'limit_compliance',
      columns: complianceColumns,
      rows: orReason(
        s.compliance.map((c) => [
          c.product, c.standard, c.span, c.siteId, c.unit, c.value, c.expandedUncertainty, c.verdict, c.bindingGrade, c.standardNumber, c.clause,
          c.limit.value, c.limit.verdict, c.access.value, c.access.verdict, c.advanced.value, c.advanced.verdict, c.months, c.judgedAgainst, c.revision, null,
        ]),
        complianceColumns.length,
        s.complianceReason,
      ),
    },
  ];
}
