// Regulator overview: the enterprises of a region ranked by standard coal and CO₂, month to
// date against the same days a year earlier, with their coverage and calibration status.
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { CarbonScope } from '@meterline/domain';
import { ALERT_HISTORY, FIGURE_DETAIL_FIELDS as D, FIGURE_FIELDS as F, FIGURE_MEASUREMENTS as M, FIGURE_TAGS as T, STANDARD_COAL_BASES as B, STANDARD_COAL_LEVELS as L } from '@meterline/series';
import {
  DAY,
  TIME_FILTER,
  UNITS,
  enterpriseVariable,
  hideTime,
  influxQl,
  meterlineDashboard,
  mergeTables,
  periodBarsPanel,
  q,
  regionVariable,
  statPanel,
  tablePanel,
  tagIn,
  INFLUXDB,
} from './common.ts';

const REGULATOR_OVERVIEW_UID = 'meterline-regulator-overview';

/*
 * Month to date is the dashboard's default range, `now/M` to `now`, in the reporting time
 * zone: Grafana rounds `now/M` in the dashboard's zone, so the range starts at local midnight
 * of the 1st. Each panel sums the `period = 'day'` figures whose start (local midnight) falls
 * in the range — closed days only, never a day cut at UTC midnight.
 *
 * "Same period last year" is the same panel with `timeShift: '1y'`: Grafana moves the range
 * back one calendar year in the dashboard's zone, so it covers the same local days a year
 * earlier (leap years included, which `${__from}ms - 365d` in InfluxQL would not) and follows
 * any other range the regulator picks. `now()`-relative InfluxQL bounds were the other option;
 * they would be fixed to month to date and computed in UTC.
 */
const LAST_YEAR = '1y';

/** The CO₂ a region is ranked by: scope 1 + scope 2 (location-based) + purchased heat. */
const RANKED_SCOPE = 'total-location' satisfies CarbonScope;
const A = ALERT_HISTORY;

const enterpriseTce = (refId: string) =>
  influxQl(
    refId,
    q`SELECT sum("${F.value}") AS "tce" FROM "${M.standardCoal}"
      WHERE "${T.period}" = '${DAY}' AND "${T.level}" = '${L.enterprise}' AND "${T.basis}" = '${B.equivalent}'
      AND ${tagIn(T.region, 'region')} AND ${tagIn(T.enterprise, 'enterprise')} AND ${TIME_FILTER}
      GROUP BY "${T.enterprise}"`,
  ).table();

const enterpriseCo2 = (refId: string) =>
  influxQl(
    refId,
    q`SELECT sum("${F.value}") AS "tco2" FROM "${M.carbon}"
      WHERE "${T.period}" = '${DAY}' AND "${T.scope}" = '${RANKED_SCOPE}'
      AND ${tagIn(T.region, 'region')} AND ${tagIn(T.enterprise, 'enterprise')} AND ${TIME_FILTER}
      GROUP BY "${T.enterprise}"`,
  ).table();

const regionTce = (refId: string) =>
  influxQl(
    refId,
    q`SELECT sum("${F.value}") AS "tce" FROM "${M.standardCoal}"
      WHERE "${T.period}" = '${DAY}' AND "${T.level}" = '${L.enterprise}' AND "${T.basis}" = '${B.equivalent}'
      AND ${tagIn(T.region, 'region')} AND ${tagIn(T.enterprise, 'enterprise')} AND ${TIME_FILTER}`,
  ).alias('Standard coal');

const regionCo2 = (refId: string) =>
  influxQl(
    refId,
    q`SELECT sum("${F.value}") AS "tco2" FROM "${M.carbon}"
      WHERE "${T.period}" = '${DAY}' AND "${T.scope}" = '${RANKED_SCOPE}'
      AND ${tagIn(T.region, 'region')} AND ${tagIn(T.enterprise, 'enterprise')} AND ${TIME_FILTER}`,
  ).alias('CO₂ (location-based)');

function ranking(title: string, description: string) {
  return tablePanel(title, INFLUXDB)
    .description(description)
    .withTarget(enterpriseTce('A'))
    .withTarget(enterpriseCo2('B'))
    .transformations([mergeTables, hideTime({ enterprise: 'Enterprise', tce: 'Standard coal (tce)', tco2: 'CO₂, location-based (t)' })])
    .sortBy([new common.TableSortByFieldStateBuilder().displayName('Standard coal (tce)').desc(true)])
    .decimals(2)
    .span(12)
    .height(10);
}

function totals(title: string) {
  return statPanel(title, INFLUXDB)
    .withTarget(regionTce('A'))
    .withTarget(regionCo2('B'))
    .overrideByName('Standard coal', [{ id: 'unit', value: UNITS.tce }])
    .overrideByName('CO₂ (location-based)', [{ id: 'unit', value: UNITS.tco2 }])
    .decimals(1)
    .span(12)
    .height(4);
}

export function regulatorOverview(): dashboard.DashboardBuilder {
  return meterlineDashboard(
    REGULATOR_OVERVIEW_UID,
    'Meterline · Regulator overview',
    'Enterprises of a region ranked by standard coal (GB/T 2589-2020, equivalent value) and CO₂, month to date against the same days a year earlier; coverage and calibration status.',
  )
    .time({ from: 'now/M', to: 'now' })
    .refresh('1h')
    .withVariable(regionVariable())
    .withVariable(enterpriseVariable({ multi: true }))
    .withRow(new dashboard.RowBuilder('Standard coal and CO₂: month to date against last year'))
    .withPanel(totals('Region total, selected range (default: month to date)'))
    .withPanel(totals('Region total, same days a year earlier').timeShift(LAST_YEAR))
    .withPanel(
      ranking(
        'Enterprises by standard coal, selected range (default: month to date)',
        'Sum of the closed local days in the range. CO₂ is total-location: scope 1 + scope 2 (location-based) + purchased heat.',
      ),
    )
    .withPanel(ranking('Same days a year earlier', 'The same panel with the range shifted back one calendar year in the reporting time zone.').timeShift(LAST_YEAR))
    .withPanel(
      periodBarsPanel('Standard coal per day by enterprise', false)
        .withTarget(
          influxQl(
            'A',
            q`SELECT "${F.value}" FROM "${M.standardCoal}"
              WHERE "${T.period}" = '${DAY}' AND "${T.level}" = '${L.enterprise}' AND "${T.basis}" = '${B.equivalent}'
              AND ${tagIn(T.region, 'region')} AND ${tagIn(T.enterprise, 'enterprise')} AND ${TIME_FILTER}
              GROUP BY "${T.enterprise}"`,
          ).alias('$tag_enterprise'),
        )
        .unit(UNITS.tce)
        .span(24)
        .height(8),
    )
    .withRow(new dashboard.RowBuilder('Coverage and calibration'))
    .withPanel(
      tablePanel('Coverage and calibration status, selected range', INFLUXDB)
        .description(
          'Lowest daily coverage: the least share of a day backed by measured data (100 % = every interval metered). Readings outside calibration: readings bounding a used interval dated outside their meter’s calibration validity; meters: how many metering points had any.',
        )
        .withTarget(
          influxQl(
            'A',
            q`SELECT min("${F.coverage}") AS "lowest_coverage" FROM "${M.standardCoal}"
              WHERE "${T.period}" = '${DAY}' AND "${T.level}" = '${L.enterprise}' AND "${T.basis}" = '${B.equivalent}'
              AND ${tagIn(T.region, 'region')} AND ${tagIn(T.enterprise, 'enterprise')} AND ${TIME_FILTER}
              GROUP BY "${T.enterprise}"`,
          ).table(),
        )
        .withTarget(
          influxQl(
            'B',
            q`SELECT sum("${D.outsideCalibration}") AS "readings_outside_calibration" FROM "${M.consumption}"
              WHERE "${T.period}" = '${DAY}' AND ${tagIn(T.enterprise, 'enterprise')} AND ${TIME_FILTER}
              GROUP BY "${T.enterprise}"`,
          ).table(),
        )
        .withTarget(
          influxQl(
            'C',
            q`SELECT count("readings") AS "meters_outside_calibration" FROM (
                SELECT sum("${D.outsideCalibration}") AS "readings" FROM "${M.consumption}"
                WHERE "${T.period}" = '${DAY}' AND ${tagIn(T.enterprise, 'enterprise')} AND ${TIME_FILTER}
                GROUP BY "${T.enterprise}", "${T.point}"
              ) WHERE "readings" > 0
              GROUP BY "${T.enterprise}"`,
          ).table(),
        )
        .transformations([
          mergeTables,
          hideTime({
            enterprise: 'Enterprise',
            lowest_coverage: 'Lowest daily coverage (%)',
            readings_outside_calibration: 'Readings outside calibration',
            meters_outside_calibration: 'Meters outside calibration',
          }),
        ])
        .sortBy([new common.TableSortByFieldStateBuilder().displayName('Lowest daily coverage (%)').desc(false)])
        .span(16)
        .height(8),
    )
    .withPanel(
      tablePanel('Open alerts now, by enterprise and rule', INFLUXDB)
        .description(
          'Alerts firing now (the alerter: offline meters, expiring or expired calibration, budgets, coverage, suspect counters, thresholds, balance gaps), whatever the selected range: an alert is open until its condition no longer holds.',
        )
        .withTarget(
          influxQl(
            'A',
            q`SELECT count("${A.fields.alertId}") AS "open" FROM "${A.measurement}"
              WHERE "${A.fields.status}" = 'firing' AND ${tagIn(A.tags.enterprise, 'enterprise')}
              GROUP BY "${A.tags.enterprise}", "${A.tags.rule}"`,
          ).table(),
        )
        .transformations([hideTime({ enterprise: 'Enterprise', rule: 'Rule', open: 'Open alerts' })])
        .span(8)
        .height(8),
    );
}
