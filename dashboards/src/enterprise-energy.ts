// Enterprise energy: one enterprise's standard coal and consumption, the energy balance of
// each topology node with its loss, carbon by scope with its uncertainty, and intensities.
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { CarbonScope, TopologyRole } from '@meterline/domain';
import { FIGURE_DETAIL_FIELDS as D, FIGURE_FIELDS as F, FIGURE_MEASUREMENTS as M, FIGURE_TAGS as T, STANDARD_COAL_LEVELS as L } from '@meterline/series';
import {
  DAY,
  INFLUXDB,
  TIME_FILTER,
  UNITS,
  enterpriseVariable,
  hideTime,
  influxQl,
  meterlineDashboard,
  mergeTables,
  periodBarsPanel,
  periodVariable,
  q,
  regionVariable,
  siteVariable,
  tablePanel,
  tagIn,
  timeSeriesPanel,
} from './common.ts';

const ENTERPRISE_ENERGY_UID = 'meterline-enterprise-energy';

/** The carbon series charted with their bands (the totals are sums of these; exports are a deduction shown apart). */
const CARBON_SCOPES = ['scope1', 'scope2-location', 'purchased-heat', 'total-location'] as const satisfies readonly CarbonScope[];

/** Where energy enters the enterprise: each carrier counted once. */
const BOUNDARY_INPUT = 'boundary-input' satisfies TopologyRole;

const ofEnterprise = tagIn(T.enterprise, 'enterprise');
const ofPeriod = tagIn(T.period, 'period');
const ofSite = tagIn(T.site, 'site');

/** A band between `<scope> lower` and `<scope> upper` (value ∓ U), drawn as a fill without lines. */
function bandOverrides(scope: string): Array<{ matcher: dashboard.MatcherConfig; properties: dashboard.DynamicConfigValue[] }> {
  const edge = (name: string, extra: dashboard.DynamicConfigValue[]) => ({
    matcher: { id: 'byName', options: name },
    properties: [
      { id: 'custom.lineWidth', value: 0 },
      { id: 'custom.hideFrom', value: { legend: true, tooltip: false, viz: false } },
      ...extra,
    ],
  });
  return [edge(`${scope} upper`, [{ id: 'custom.fillBelowTo', value: `${scope} lower` }, { id: 'custom.fillOpacity', value: 20 }]), edge(`${scope} lower`, [])];
}

export function enterpriseEnergy(): dashboard.DashboardBuilder {
  const carbon = timeSeriesPanel('Carbon by scope ($period) with expanded uncertainty (k = 2)', INFLUXDB)
    .description(
      'Each scope’s figure with a band from value − U to value + U (U: expanded uncertainty, k = 2, GUM). total-location = scope 1 + scope 2 (location-based) + purchased heat.',
    )
    .withTarget(
      influxQl(
        'A',
        q`SELECT "${F.value}" AS "tCO2", "${F.value}" - "${F.expandedU}" AS "lower", "${F.value}" + "${F.expandedU}" AS "upper" FROM "${M.carbon}"
          WHERE ${ofEnterprise} AND ${ofPeriod} AND "${T.scope}" =~ /^(?:${CARBON_SCOPES.join('|')})$/ AND ${TIME_FILTER}
          GROUP BY "${T.scope}"`,
      ).alias('$tag_scope $col'),
    )
    .unit(UNITS.tco2)
    .lineWidth(2)
    .showPoints(common.VisibilityMode.Always)
    .span(24)
    .height(9);
  for (const scope of CARBON_SCOPES) for (const override of bandOverrides(scope)) carbon.withOverride(override);

  return meterlineDashboard(
    ENTERPRISE_ENERGY_UID,
    'Meterline · Enterprise energy',
    'One enterprise: standard coal by site, consumption per metering point by carrier, energy balance per topology node with loss, carbon by scope with uncertainty bands, intensity per unit of production.',
  )
    .time({ from: 'now-7d/d', to: 'now' })
    .refresh('15m')
    .withVariable(regionVariable())
    .withVariable(enterpriseVariable({ multi: false }))
    .withVariable(siteVariable())
    .withVariable(periodVariable())
    .withRow(new dashboard.RowBuilder('Standard coal and consumption'))
    .withPanel(
      periodBarsPanel('Standard coal by site ($period)', true)
        .description('GB/T 2589-2020, equivalent value: boundary inputs − boundary outputs of each site, in tce.')
        .withTarget(
          influxQl(
            'A',
            q`SELECT "${F.value}" FROM "${M.standardCoal}"
              WHERE "${T.level}" = '${L.site}' AND ${ofEnterprise} AND ${ofSite} AND ${ofPeriod} AND ${TIME_FILTER}
              GROUP BY "${T.site}"`,
          ).alias('$tag_site'),
        )
        .unit(UNITS.tce)
        .span(12)
        .height(9),
    )
    .withPanel(
      tablePanel('Consumption by carrier and metering point, days in the selected range', INFLUXDB)
        .description(
          'Sum of the day figures of each metering point, in its own unit, and its standard coal where the carrier converts. Sub-meters are listed with their parents: do not add the rows up (the site totals are in the standard coal panel).',
        )
        .withTarget(
          influxQl(
            'A',
            q`SELECT sum("${F.value}") AS "consumption", last("${F.unit}") AS "unit", sum("${D.tce}") AS "tce", min("${F.coverage}") AS "lowest_coverage"
              FROM "${M.consumption}"
              WHERE "${T.period}" = '${DAY}' AND ${ofEnterprise} AND ${ofSite} AND ${TIME_FILTER}
              GROUP BY "${T.carrier}", "${T.site}", "${T.point}"`,
          ).table(),
        )
        .transformations([
          hideTime({ carrier: 'Carrier', site: 'Site', point: 'Metering point', consumption: 'Consumption', unit: 'Unit', tce: 'Standard coal (tce)', lowest_coverage: 'Lowest daily coverage (%)' }),
        ])
        .decimals(2)
        .span(12)
        .height(9),
    )
    .withPanel(
      timeSeriesPanel('Consumption per metering point ($period), by carrier', INFLUXDB)
        .description('Each point in its own unit (kWh, Nm³, GJ…), labelled carrier · point.')
        .withTarget(
          influxQl(
            'A',
            q`SELECT "${F.value}" FROM "${M.consumption}"
              WHERE ${ofEnterprise} AND ${ofSite} AND ${ofPeriod} AND ${TIME_FILTER}
              GROUP BY "${T.carrier}", "${T.point}"`,
          ).alias('$tag_carrier · $tag_point'),
        )
        .drawStyle(common.GraphDrawStyle.Bars)
        .barAlignment(common.BarAlignment.After)
        .fillOpacity(60)
        .unit(UNITS.none)
        .span(24)
        .height(8),
    )
    .withPanel(
      tablePanel('Energy entering the enterprise by carrier, days in the selected range', INFLUXDB)
        .description(
          'Standard coal of the boundary-input meters only (each unit of energy counted once, at the boundary), by carrier: what the enterprise takes in of each carrier.',
        )
        .withTarget(
          influxQl(
            'A',
            q`SELECT sum("${D.tce}") AS "tce", sum("${F.value}") AS "consumption", last("${F.unit}") AS "unit", min("${F.coverage}") AS "lowest_coverage"
              FROM "${M.consumption}"
              WHERE "${T.period}" = '${DAY}' AND "${T.role}" = '${BOUNDARY_INPUT}' AND ${ofEnterprise} AND ${ofSite} AND ${TIME_FILTER}
              GROUP BY "${T.carrier}"`,
          ).table(),
        )
        .transformations([hideTime({ carrier: 'Carrier', tce: 'Standard coal (tce)', consumption: 'Consumption', unit: 'Unit', lowest_coverage: 'Lowest daily coverage (%)' })])
        .decimals(3)
        .span(24)
        .height(6),
    )
    .withRow(new dashboard.RowBuilder('Energy balance'))
    .withPanel(
      tablePanel('Energy balance per topology node, days in the selected range', INFLUXDB)
        .description(
          'Gap = input − Σ sub-meters (distribution losses and unmetered loads, GB/T 3484-2009); loss = gap ÷ input. A node whose input is 0 has no loss percentage.',
        )
        .withTarget(
          influxQl(
            'A',
            q`SELECT sum("${D.input}") AS "input", sum("${D.childrenSum}") AS "sub_meters", sum("${F.value}") AS "gap"
              FROM "${M.energyBalance}"
              WHERE "${T.period}" = '${DAY}' AND ${ofEnterprise} AND ${ofSite} AND ${TIME_FILTER}
              GROUP BY "${T.site}", "${T.node}", "${T.carrier}"`,
          ).table(),
        )
        .withTarget(
          influxQl(
            'B',
            q`SELECT sum("${F.value}") / sum("${D.input}") * 100 AS "loss_percent"
              FROM "${M.energyBalance}"
              WHERE "${T.period}" = '${DAY}' AND "${D.input}" > 0 AND ${ofEnterprise} AND ${ofSite} AND ${TIME_FILTER}
              GROUP BY "${T.site}", "${T.node}", "${T.carrier}"`,
          ).table(),
        )
        .transformations([mergeTables, hideTime({ site: 'Site', node: 'Node', carrier: 'Carrier', input: 'Input', sub_meters: 'Σ sub-meters', gap: 'Gap', loss_percent: 'Loss (%)' })])
        .decimals(2)
        .span(12)
        .height(8),
    )
    .withPanel(
      timeSeriesPanel('Loss per node ($period)', INFLUXDB)
        .withTarget(
          influxQl(
            'A',
            q`SELECT "${F.value}" / "${D.input}" * 100 AS "loss_percent" FROM "${M.energyBalance}"
              WHERE "${D.input}" > 0 AND ${ofEnterprise} AND ${ofSite} AND ${ofPeriod} AND ${TIME_FILTER}
              GROUP BY "${T.node}"`,
          ).alias('$tag_node'),
        )
        .unit(UNITS.percent)
        .showPoints(common.VisibilityMode.Always)
        .span(12)
        .height(8),
    )
    .withPanel(
      tablePanel('Energy balance per $period', INFLUXDB)
        .description('Each period of each node: the gap with its expanded uncertainty U(gap) (k = 2); significant when |gap| > U(gap).')
        .withTarget(
          influxQl(
            'A',
            q`SELECT "${F.periodKey}", "${D.input}", "${D.childrenSum}", "${F.value}" AS "gap", "${F.expandedU}", "${D.significant}", "${F.coverage}" FROM "${M.energyBalance}"
              WHERE ${ofEnterprise} AND ${ofSite} AND ${ofPeriod} AND ${TIME_FILTER}
              GROUP BY "${T.node}"`,
          ).table(),
        )
        .withTarget(
          influxQl(
            'B',
            q`SELECT "${F.value}" / "${D.input}" * 100 AS "loss_percent" FROM "${M.energyBalance}"
              WHERE "${D.input}" > 0 AND ${ofEnterprise} AND ${ofSite} AND ${ofPeriod} AND ${TIME_FILTER}
              GROUP BY "${T.node}"`,
          ).table(),
        )
        .transformations([
          mergeTables,
          hideTime({ node: 'Node', period_key: 'Period', input: 'Input', children_sum: 'Σ sub-meters', gap: 'Gap', [F.expandedU]: 'U(gap)', significant: 'Significant', coverage: 'Coverage (%)', loss_percent: 'Loss (%)' }),
        ])
        .decimals(2)
        .span(24)
        .height(8),
    )
    .withRow(new dashboard.RowBuilder('Carbon and intensity'))
    .withPanel(carbon)
    .withPanel(
      tablePanel('Carbon by scope, days in the selected range', INFLUXDB)
        .withTarget(
          influxQl(
            'A',
            q`SELECT sum("${F.value}") AS "tco2" FROM "${M.carbon}"
              WHERE "${T.period}" = '${DAY}' AND ${ofEnterprise} AND ${TIME_FILTER}
              GROUP BY "${T.scope}"`,
          ).table(),
        )
        .transformations([hideTime({ scope: 'Scope', tco2: 'tCO₂' })])
        .decimals(3)
        .span(12)
        .height(8),
    )
    .withPanel(
      tablePanel('Intensity per unit of production', INFLUXDB)
        .description('Standard coal (tce) and CO₂ (t, location-based) per unit of the production recorded in the registry for a period.')
        .withTarget(
          influxQl(
            'A',
            q`SELECT "${F.periodKey}", "${F.value}", "${F.unit}", "${F.expandedU}", "${D.production}", "${D.productionUnit}", "${F.coverage}" FROM "${M.intensity}"
              WHERE ${ofEnterprise} AND ${TIME_FILTER}
              GROUP BY "${T.product}", "${T.metric}", "${T.site}", "${T.period}"`,
          ).table(),
        )
        .transformations([
          hideTime({ product: 'Product', metric: 'Metric', site: 'Site', period: 'Kind', period_key: 'Period', value: 'Intensity', unit: 'Unit', [F.expandedU]: 'U', production: 'Production', production_unit: 'Production unit', coverage: 'Coverage (%)' }),
        ])
        .span(12)
        .height(8),
    );
}
