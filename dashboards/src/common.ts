// Shared factories of the Meterline dashboards: data sources, the InfluxQL query type, the
// template variables and the units. One module per dashboard builds on these.
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder as PrometheusQueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanelBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeSeriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import type { PeriodKind } from '@meterline/domain';
import { FIGURE_MEASUREMENTS as M, FIGURE_TAGS as T } from '@meterline/series';

/**
 * The reporting time zone: every dashboard is shown in it, so `now/M` (month to date) starts
 * at local midnight of the 1st and a day figure, stored at its enterprise's local midnight,
 * sits on its own day. The aggregator's demo and test enterprises are all in this zone.
 */
export const REPORTING_TIME_ZONE = 'Asia/Shanghai';

/** Provisioned in infra/grafana/provisioning/datasources (uids fixed there). */
export const INFLUXDB: common.DataSourceRef = { type: 'influxdb', uid: 'meterline-influxdb' };
export const PROMETHEUS: common.DataSourceRef = { type: 'prometheus', uid: 'meterline-prometheus' };

/** Grafana unit ids; custom units are `suffix:<text>`. */
export const UNITS = {
  tce: 'suffix: tce',
  tco2: 'suffix: tCO₂',
  percent: 'percent',
  count: 'short',
  perSecond: 'reqps',
  seconds: 's',
  bytes: 'bytes',
  none: 'none',
} as const;

/**
 * A query of Grafana's InfluxDB data source in InfluxQL raw mode, as the plugin stores it in
 * dashboard JSON. The foundation SDK has no InfluxDB query type, so this is its custom
 * query-type pattern: the type declares itself a Dataquery variant, and a builder makes it.
 * InfluxQL (not Flux, not SQL) so the same dashboards read InfluxDB 1.8, 2.x (through a
 * DBRP mapping) and 3.x.
 */
export interface InfluxQlQuery {
  refId: string;
  hide?: boolean;
  datasource: common.DataSourceRef;
  rawQuery: true;
  query: string;
  resultFormat: 'time_series' | 'table';
  /** Series name pattern: `$tag_<key>`, `$col`, `$m`. */
  alias?: string;
  _implementsDataqueryVariant(): void;
}

export class InfluxQlQueryBuilder implements cog.Builder<cog.Dataquery> {
  private readonly internal: InfluxQlQuery;

  constructor(refId: string, query: string) {
    this.internal = { refId, datasource: INFLUXDB, rawQuery: true, query, resultFormat: 'time_series', _implementsDataqueryVariant() {} };
  }

  build(): InfluxQlQuery {
    return this.internal;
  }

  /** One row per series with its tags as columns (tables, rankings). */
  table(): this {
    this.internal.resultFormat = 'table';
    return this;
  }

  alias(alias: string): this {
    this.internal.alias = alias;
    return this;
  }
}

/**
 * InfluxQL written over several lines for reading, stored on one line: `q` joins the lines
 * of a template literal with single spaces.
 */
export function q(strings: TemplateStringsArray, ...values: string[]): string {
  return String.raw({ raw: strings }, ...values)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
}

export const influxQl = (refId: string, query: string): InfluxQlQueryBuilder => new InfluxQlQueryBuilder(refId, query);

export const promQl = (refId: string, expr: string, legend: string): PrometheusQueryBuilder =>
  new PrometheusQueryBuilder().refId(refId).datasource(PROMETHEUS).expr(expr).legendFormat(legend).range();

/**
 * `"tag" =~ /^(?:$variable)$/`. Grafana formats a multi-value selection as `a|b` in some
 * versions and `(a|b)` in others; the group keeps both anchors on every alternative either
 * way (a bare `/^a|b$/` would also match "ab…"). A regex, not `= '$variable'`, because
 * Grafana regex-escapes a variable's value even where the query has a string literal.
 */
export const tagIn = (tag: string, variable: string): string => `"${tag}" =~ /^(?:$${variable})$/`;

/** The Grafana macro an InfluxQL query must carry to read only the dashboard's time range. */
export const TIME_FILTER = '$timeFilter';

/** The period kind of the figures a range sums (closed local days); its owner is the domain's PeriodKind. */
export const DAY = 'day' satisfies PeriodKind;
/** The period kind the regulator's scorecard judges (an enterprise's local month). */
export const MONTH = 'month' satisfies PeriodKind;

const ALL: dashboard.VariableOption = { text: 'All', value: '$__all', selected: true };

/** Regions of the enterprises that have standard-coal figures (the regulator's entry point). */
/** A variable listing the values of one tag, from the data source, sorted, no free text. */
function tagValuesVariable(name: string, label: string, query: string): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(INFLUXDB)
    .query(query)
    .definition(query)
    .allowCustomValue(false)
    .refresh(dashboard.VariableRefresh.OnDashboardLoad)
    .sort(dashboard.VariableSort.AlphabeticalAsc);
}

export function regionVariable(): dashboard.QueryVariableBuilder {
  return tagValuesVariable('region', 'Region', `SHOW TAG VALUES FROM "${M.standardCoal}" WITH KEY = "${T.region}"`).multi(true).includeAll(true).current(ALL);
}

/**
 * Enterprises of the selected regions. No custom "All" value: All must expand to the
 * enterprises of the region, since measurements without a region tag (consumption, balances)
 * are filtered by enterprise alone.
 */
export function enterpriseVariable(options: { multi: boolean }): dashboard.QueryVariableBuilder {
  const variable = tagValuesVariable('enterprise', 'Enterprise', `SHOW TAG VALUES FROM "${M.standardCoal}" WITH KEY = "${T.enterprise}" WHERE ${tagIn(T.region, 'region')}`)
    .multi(options.multi)
    .includeAll(options.multi);
  return options.multi ? variable.current(ALL) : variable;
}

/** Sites of the selected enterprises (from their metering points' consumption figures). */
export function siteVariable(): dashboard.QueryVariableBuilder {
  return tagValuesVariable('site', 'Site', `SHOW TAG VALUES FROM "${M.consumption}" WITH KEY = "${T.site}" WHERE ${tagIn(T.enterprise, 'enterprise')}`).multi(true).includeAll(true).current(ALL);
}

/**
 * The declared energy baselines of the selected enterprise (from its baseline_deviation
 * figures), one at a time: each is in its own unit (tce, or its point's), so one is charted.
 */
export function baselineVariable(): dashboard.QueryVariableBuilder {
  return tagValuesVariable('baseline', 'Energy baseline', `SHOW TAG VALUES FROM "${M.baselineDeviation}" WITH KEY = "${T.baseline}" WHERE ${tagIn(T.enterprise, 'enterprise')}`)
    .multi(false)
    .includeAll(false);
}

/** The period kind of the figures charted: each figure is plotted at its own local start. */
export function periodVariable(): dashboard.CustomVariableBuilder {
  return new dashboard.CustomVariableBuilder('period')
    .label('Period')
    .description('Kind of figure charted: each is a closed local period, plotted at its start (a day at local midnight).')
    .values('day,hour,quarter-hour,month')
    .allowCustomValue(false)
    .current({ text: DAY, value: DAY, selected: true });
}

/** What every Meterline dashboard shares: the reporting time zone, read-only, tags. */
export function meterlineDashboard(uid: string, title: string, description: string): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['meterline'])
    .timezone(REPORTING_TIME_ZONE)
    .weekStart('monday')
    .readonly()
    .tooltip(dashboard.DashboardCursorSync.Crosshair);
}

/**
 * A time series panel with its legend shown: the SDK's timeseries builder defaults to
 * `showLegend: false`, which hides which series is which enterprise, point or scope.
 */
export function timeSeriesPanel(title: string, datasource: common.DataSourceRef): TimeSeriesPanelBuilder {
  return new TimeSeriesPanelBuilder()
    .title(title)
    .datasource(datasource)
    .legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
}

/** Day (or other period) figures as bars starting at the period's start, stacked or not. */
export function periodBarsPanel(title: string, stacked: boolean): TimeSeriesPanelBuilder {
  return timeSeriesPanel(title, INFLUXDB)
    .drawStyle(common.GraphDrawStyle.Bars)
    .barAlignment(common.BarAlignment.After)
    .fillOpacity(70)
    .lineWidth(1)
    .stacking(new common.StackingConfigBuilder().mode(stacked ? common.StackingMode.Normal : common.StackingMode.None));
}

export function tablePanel(title: string, datasource: common.DataSourceRef): TablePanelBuilder {
  return new TablePanelBuilder().title(title).datasource(datasource);
}

export function statPanel(title: string, datasource: common.DataSourceRef): StatPanelBuilder {
  return new StatPanelBuilder()
    .title(title)
    .datasource(datasource)
    .graphMode(common.BigValueGraphMode.None)
    .textMode(common.BigValueTextMode.ValueAndName)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
}

/** Hides the time column of table results (an aggregate's time is only the range start). */
export const hideTime = (renames: Record<string, string> = {}): dashboard.DataTransformerConfig => ({
  id: 'organize',
  options: { excludeByName: { Time: true }, renameByName: renames },
});

/** Joins the rows of several table queries that share their tag columns (one row per enterprise, node…). */
export const mergeTables: dashboard.DataTransformerConfig = { id: 'merge', options: {} };

/**
 * Gives every panel (rows and the panels inside collapsed rows included) an id in layout
 * order: the SDK leaves ids unset, and Grafana needs them stable for links and for
 * provisioned dashboards to keep their panels across reloads.
 */
export function numberPanels(built: dashboard.Dashboard): dashboard.Dashboard {
  let next = 1;
  for (const panel of built.panels ?? []) {
    panel.id = next++;
    if (panel.type === 'row') for (const inner of (panel as dashboard.RowPanel).panels) inner.id = next++;
  }
  return built;
}
