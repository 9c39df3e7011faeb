// Targets and limits: what a provincial regulator is held to. The region's dual-control targets
// (total energy and energy intensity, total CO₂ and carbon intensity) with progress to date and a
// projection to the year's end with its band; the enterprises whose own targets are at risk; and
// each key enterprise's products against their mandatory energy-consumption limit standards,
// with a verdict that says when the data's uncertainty does not decide.
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { COMPLIANCE_SPANS, FIGURE_DETAIL_FIELDS as D, FIGURE_FIELDS as F, FIGURE_MEASUREMENTS as M, FIGURE_TAGS as T, REGION_TARGET_PROGRESS as R } from '@meterline/series';
import { INFLUXDB, MONTH, hideTime, influxQl, meterlineDashboard, q, regionVariable, tablePanel, tagIn, timeSeriesPanel } from './common.ts';

const TARGETS_AND_LIMITS_UID = 'meterline-targets-and-limits';

/** A target's months sit at their 1st: a year back from now always holds the current year's. */
const YEAR_BACK = '1y';

const TARGET_METRICS = 'energy-total,energy-intensity,co2-total,carbon-intensity';

/** The dual-control metric charted (TARGET_METRICS of packages/domain). */
function metricVariable(): dashboard.CustomVariableBuilder {
  return new dashboard.CustomVariableBuilder('metric')
    .label('Target')
    .description('energy-total and co2-total: tce and tCO₂ of the year; energy-intensity and carbon-intensity: per 10⁴ CNY of value added.')
    .values(TARGET_METRICS)
    .allowCustomValue(false)
    .current({ text: 'energy-intensity', value: 'energy-intensity', selected: true });
}

const ofRegionMetric = `${tagIn(R.tags.region, 'region')} AND ${tagIn(R.tags.metric, 'metric')}`;
const RF = R.fields;

const statusColours: dashboard.ValueMapping = {
  type: dashboard.MappingType.ValueToText,
  options: {
    'on-track': { text: 'on track', color: 'green', index: 0 },
    'at-risk': { text: 'at risk', color: 'orange', index: 1 },
    exceeded: { text: 'exceeded', color: 'red', index: 2 },
    'no-data': { text: 'no data', color: 'text', index: 3 },
  },
};

const verdictColours: dashboard.ValueMapping = {
  type: dashboard.MappingType.ValueToText,
  options: {
    'clearly-above': { text: 'clearly above', color: 'red', index: 0 },
    'clearly-below': { text: 'clearly below', color: 'green', index: 1 },
    undecidable: { text: 'not decidable at this quality', color: 'orange', index: 2 },
    unconfirmed: { text: 'value not confirmed', color: 'text', index: 3 },
    'not-applicable': { text: 'no figure', color: 'text', index: 4 },
  },
};

const coloured = (mapping: dashboard.ValueMapping) => [
  { id: 'mappings', value: [mapping] },
  { id: 'custom.cellOptions', value: { type: 'color-text' } },
];

/** The region's progress month by month: to date, the projection with its band (k = 2) and the ceiling. */
function regionProgressChart() {
  return timeSeriesPanel('Region: projection to year end with its band, and the ceiling ($metric)', INFLUXDB)
    .description(
      'As of each month: the year’s projection from the months so far and the region’s seasonal profile of the previous year (uniform when there is none), its band (± U, k = 2: the meters’ uncertainty and the profile’s), the value to date and the target’s ceiling. A band that reaches the ceiling is at risk; a total already above it is exceeded.',
    )
    .timeFrom(YEAR_BACK)
    .withTarget(
      influxQl(
        'A',
        q`SELECT "${RF.projection}" AS "projection", "${RF.projection}" - "${RF.projectionExpandedU}" AS "lower", "${RF.projection}" + "${RF.projectionExpandedU}" AS "upper", "${RF.toDate}" AS "to date", "${RF.ceiling}" AS "ceiling"
          FROM "${R.measurement}" WHERE ${ofRegionMetric} AND $timeFilter
          GROUP BY "${R.tags.region}", "${R.tags.basis}"`,
      ).alias('$tag_region $col'),
    )
    .fillOpacity(0)
    .span(14)
    .height(9);
}

/** The latest month of each region target: status, rule and the enterprises counted. */
function regionStatusTable() {
  return tablePanel('Region targets, latest month', INFLUXDB)
    .description('Each region target as of its latest month: status with the rule that gave it, the months counted, and the enterprises of the region whose month was missing (the region is not summed without them).')
    .timeFrom(YEAR_BACK)
    .withTarget(
      influxQl(
        'A',
        q`SELECT last("${RF.status}") AS "${RF.status}", "${RF.asOf}", "${RF.toDate}", "${RF.projection}", "${RF.projectionExpandedU}", "${RF.ceiling}", "${RF.unit}", "${RF.months}", "${RF.profile}", "${RF.missing}", "${RF.statusRule}"
          FROM "${R.measurement}" WHERE ${tagIn(R.tags.region, 'region')} AND $timeFilter
          GROUP BY "${R.tags.region}", "${R.tags.metric}", "${R.tags.basis}"`,
      ).table(),
    )
    .transformations([
      hideTime({
        [R.tags.region]: 'Region', [R.tags.metric]: 'Target', [R.tags.basis]: 'Basis', [RF.status]: 'Status', [RF.asOf]: 'As of', [RF.toDate]: 'To date', [RF.projection]: 'Projection',
        [RF.projectionExpandedU]: 'U (k = 2)', [RF.ceiling]: 'Ceiling', [RF.unit]: 'Unit', [RF.months]: 'Months', [RF.profile]: 'Profile', [RF.missing]: 'Enterprises missing', [RF.statusRule]: 'Rule',
      }),
    ])
    .overrideByName('Status', coloured(statusColours))
    .span(10)
    .height(9);
}

/** Enterprises whose own targets are at risk or exceeded, by month. */
function enterprisesAtRisk() {
  return tablePanel('Enterprises at risk of missing their targets', INFLUXDB)
    .description('Every month an enterprise’s own dual-control target was at risk or exceeded: the projection ± U against the ceiling, the value to date and the rule. The same finding raises the target-at-risk alert to the enterprise.')
    .timeFrom(YEAR_BACK)
    .withTarget(
      influxQl(
        'A',
        q`SELECT "${F.periodKey}", "${D.verdict}", "${F.value}", "${F.expandedU}", "${D.ceiling}", "${D.toDate}", "${F.unit}", "${D.profile}", "${D.statusRule}"
          FROM "${M.targetProgress}" WHERE "${T.period}" = '${MONTH}' AND "${D.verdict}" =~ /^(at-risk|exceeded)$/ AND ${tagIn(T.region, 'region')} AND $timeFilter
          GROUP BY "${T.enterprise}", "${T.metric}", "${T.basis}"`,
      ).table(),
    )
    .transformations([
      hideTime({
        [T.enterprise]: 'Enterprise', [T.metric]: 'Target', [T.basis]: 'Basis', [F.periodKey]: 'As of', [D.verdict]: 'Status', [F.value]: 'Projection', [F.expandedU]: 'U (k = 2)',
        [D.ceiling]: 'Ceiling', [D.toDate]: 'To date', [F.unit]: 'Unit', [D.profile]: 'Profile', [D.statusRule]: 'Rule',
      }),
    ])
    .overrideByName('Status', coloured(statusColours))
    .sortBy([new common.TableSortByFieldStateBuilder().displayName('As of').desc(true)])
    .span(24)
    .height(8);
}

/** Products against their limit standards, year to date and by month. */
function complianceTable(span: string, title: string, description: string) {
  return tablePanel(title, INFLUXDB)
    .description(description)
    .timeFrom(YEAR_BACK)
    .withTarget(
      influxQl(
        'A',
        q`SELECT "${F.periodKey}", "${F.value}", "${F.expandedU}", "${F.unit}", "${D.verdict}", "${D.bindingGrade}", "${D.limitValue}", "${D.limitVerdict}", "${D.accessValue}", "${D.accessVerdict}", "${D.advancedValue}", "${D.advancedVerdict}", "${D.standardNumber}", "${D.clause}", "${D.months}"
          FROM "${M.limitCompliance}" WHERE "${T.period}" = '${MONTH}' AND "${T.span}" = '${span}' AND ${tagIn(T.region, 'region')} AND $timeFilter
          GROUP BY "${T.enterprise}", "${T.product}", "${T.standard}", "${T.site}"`,
      ).table(),
    )
    .transformations([
      hideTime({
        [T.enterprise]: 'Enterprise', [T.product]: 'Product', [T.standard]: 'Standard product', [T.site]: 'Site', [F.periodKey]: 'Month', [F.value]: 'Unit consumption', [F.expandedU]: 'U (k = 2)',
        [F.unit]: 'Unit', [D.verdict]: 'Verdict', [D.bindingGrade]: 'Held to', [D.limitValue]: 'Limit', [D.limitVerdict]: 'vs limit', [D.accessValue]: 'Access', [D.accessVerdict]: 'vs access',
        [D.advancedValue]: 'Advanced', [D.advancedVerdict]: 'vs advanced', [D.standardNumber]: 'Standard', [D.clause]: 'Clause', [D.months]: 'Months',
      }),
    ])
    .overrideByName('Verdict', coloured(verdictColours))
    .overrideByName('vs limit', coloured(verdictColours))
    .overrideByName('vs access', coloured(verdictColours))
    .overrideByName('vs advanced', coloured(verdictColours))
    .sortBy([new common.TableSortByFieldStateBuilder().displayName('Month').desc(true)])
    .span(24)
    .height(9);
}

export function targetsAndLimits(): dashboard.DashboardBuilder {
  return meterlineDashboard(
    TARGETS_AND_LIMITS_UID,
    'Meterline · Targets and limits',
    'The region’s dual-control targets (total energy, energy intensity, total CO₂, carbon intensity) with progress, projection and status; enterprises at risk of missing their own; and products against the mandatory energy-consumption limit standards, judged with their uncertainty.',
  )
    .time({ from: 'now-1y', to: 'now' })
    .refresh('1h')
    .withVariable(regionVariable())
    .withVariable(metricVariable())
    .withRow(new dashboard.RowBuilder('Dual-control targets'))
    .withPanel(regionProgressChart())
    .withPanel(regionStatusTable())
    .withPanel(enterprisesAtRisk())
    .withRow(new dashboard.RowBuilder('Energy-consumption limit standards'))
    .withPanel(
      complianceTable(
        COMPLIANCE_SPANS.yearToDate,
        'Products against their limit standards, year to date',
        'Unit-product comprehensive energy consumption from January to each month (Σ energy ÷ Σ output), with U (k = 2), against the standard’s limit value (existing plants), access value (new plants) and advanced value. Clearly above: even the lower end of the band is above; clearly below: even the upper end is below; otherwise the meters’ uncertainty does not decide. A value not confirmed from the standard’s text gives no verdict. The year to date is what the limit-exceeded alert judges.',
      ),
    )
    .withPanel(
      complianceTable(
        COMPLIANCE_SPANS.month,
        'Products against their limit standards, by month',
        'The same judgement of each month alone: a month above its limit is shown here and not alerted (the standards judge a year’s statistics).',
      ),
    );
}
