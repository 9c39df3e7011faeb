// Baselines and integrity: one enterprise's days against each energy baseline it declared (ISO
// 50001, ISO 50006): the actual against the baseline's expectation with its 95 % prediction
// band, the cumulative deviation (CUSUM) since the baseline period; and the months the
// fabrication detectors found signs of fabricated or tampered data on a metering point.
import * as common from '@grafana/grafana-foundation-sdk/common';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { FIGURE_DETAIL_FIELDS as D, FIGURE_FIELDS as F, FIGURE_MEASUREMENTS as M, FIGURE_TAGS as T } from '@meterline/series';
import { DAY, INFLUXDB, MONTH, TIME_FILTER, UNITS, baselineVariable, enterpriseVariable, hideTime, influxQl, meterlineDashboard, q, regionVariable, tablePanel, tagIn, timeSeriesPanel } from './common.ts';

const BASELINES_AND_INTEGRITY_UID = 'meterline-baselines-and-integrity';

const ofEnterprise = tagIn(T.enterprise, 'enterprise');
const ofBaseline = tagIn(T.baseline, 'baseline');

/** A series drawn as one edge of a band: no line, not in the legend. */
const bandEdge = (name: string, extra: dashboard.DynamicConfigValue[] = []) => ({
  matcher: { id: 'byName', options: name },
  properties: [{ id: 'custom.lineWidth', value: 0 }, { id: 'custom.hideFrom', value: { legend: true, tooltip: false, viz: false } }, ...extra],
});

/** The days against the baseline: actual (value + expected), expected dashed, the prediction interval as a band. */
function actualAgainstExpected() {
  return timeSeriesPanel('Actual against expected, with the 95 % prediction band ($baseline)', INFLUXDB)
    .description(
      'Each day after the baseline period: the actual (value + expected), the baseline model’s expected value and its 95 % prediction interval, in the baseline’s unit (tce for the enterprise’s standard coal, else its metering point’s). A day outside the band is more (or less) than the model explains.',
    )
    .withTarget(
      influxQl(
        'A',
        q`SELECT "${F.value}" + "${D.expected}" AS "actual", "${D.expected}" AS "expected", "${D.predictionLow}" AS "low", "${D.predictionHigh}" AS "high"
          FROM "${M.baselineDeviation}"
          WHERE "${T.period}" = '${DAY}' AND ${ofEnterprise} AND ${ofBaseline} AND ${TIME_FILTER}`,
      ).alias('$col'),
    )
    .withOverride(bandEdge('high', [{ id: 'custom.fillBelowTo', value: 'low' }, { id: 'custom.fillOpacity', value: 20 }]))
    .withOverride(bandEdge('low'))
    .withOverride({ matcher: { id: 'byName', options: 'expected' }, properties: [{ id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } }] })
    .unit(UNITS.none)
    .decimals(3)
    .lineWidth(2)
    .showPoints(common.VisibilityMode.Always)
    .span(24)
    .height(9);
}

/** The CUSUM chart of measurement and verification: Σ(actual − expected) since the baseline period. */
function cumulativeDeviation() {
  return timeSeriesPanel('Cumulative deviation since the baseline period (CUSUM, $baseline)', INFLUXDB)
    .description(
      'Σ(actual − expected) from the first day after the baseline period: a falling line is energy saved against the baseline, a rising one more used; a change of slope is a lasting change (the tabular CUSUM’s change signal and the day it began are in the stored figures).',
    )
    .withTarget(
      influxQl(
        'A',
        q`SELECT "${D.cumulativeDeviation}" AS "cumulative deviation"
          FROM "${M.baselineDeviation}"
          WHERE "${T.period}" = '${DAY}' AND ${ofEnterprise} AND ${ofBaseline} AND ${TIME_FILTER}`,
      ).alias('$col'),
    )
    .unit(UNITS.none)
    .decimals(3)
    .lineWidth(2)
    .span(24)
    .height(8);
}

/** The months a fabrication detector found signs of fabrication on a point. */
function fabricationFindings() {
  return tablePanel('Signs of fabricated or tampered data, months in the selected range', INFLUXDB)
    .description('Each metering point’s month a fabrication detector judged found (value 1): the point, the detector and its finding. Months judged clean are not listed.')
    .withTarget(
      influxQl(
        'A',
        q`SELECT "${F.periodKey}", "${D.findingSummary}" FROM "${M.fabricationFinding}"
          WHERE "${T.period}" = '${MONTH}' AND "${F.value}" = 1 AND ${ofEnterprise} AND ${TIME_FILTER}
          GROUP BY "${T.point}", "${T.detector}"`,
      ).table(),
    )
    .transformations([hideTime({ [T.point]: 'Metering point', [T.detector]: 'Detector', [F.periodKey]: 'Month', [D.findingSummary]: 'Finding' })])
    .span(24)
    .height(8);
}

export function baselinesAndIntegrity(): dashboard.DashboardBuilder {
  return meterlineDashboard(
    BASELINES_AND_INTEGRITY_UID,
    'Meterline · Baselines and integrity',
    'One enterprise: its days against each energy baseline it declared (actual, expected, 95 % prediction band, cumulative deviation), and the months its metering points showed signs of fabricated or tampered data.',
  )
    .time({ from: 'now-3M/M', to: 'now' })
    .refresh('1h')
    .withVariable(regionVariable())
    .withVariable(enterpriseVariable({ multi: false }))
    .withVariable(baselineVariable())
    .withRow(new RowBuilder('Energy baselines'))
    .withPanel(actualAgainstExpected())
    .withPanel(cumulativeDeviation())
    .withRow(new RowBuilder('Data integrity'))
    .withPanel(fabricationFindings());
}
