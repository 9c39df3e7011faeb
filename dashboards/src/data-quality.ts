// Metering and data quality: the regulator's scorecard of each enterprise's months, how much of
// each period is metered (energy coverage) and how many of the expected readings came (data
// completeness), where the gaps and suspect readings are, which meters read outside their
// calibration validity, what devices' seqs showed (gaps, replays, resets), and what ingest refused.
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { DEVICE_SEQUENCE_EVENTS as E, FIGURE_DETAIL_FIELDS as D, FIGURE_FIELDS as F, FIGURE_MEASUREMENTS as M, FIGURE_TAGS as T } from '@meterline/series';
import {
  DAY,
  INFLUXDB,
  MONTH,
  PROMETHEUS,
  TIME_FILTER,
  UNITS,
  enterpriseVariable,
  hideTime,
  influxQl,
  meterlineDashboard,
  periodVariable,
  promQl,
  q,
  regionVariable,
  siteVariable,
  tablePanel,
  tagIn,
  timeSeriesPanel,
} from './common.ts';

const DATA_QUALITY_UID = 'meterline-data-quality';

const ofPoints = `${tagIn(T.enterprise, 'enterprise')} AND ${tagIn(T.site, 'site')}`;
const ofPeriod = tagIn(T.period, 'period');

const periodRows = {
  enterprise: 'Enterprise', point: 'Metering point', period_key: 'Period', coverage: 'Coverage (%)', completeness: 'Completeness (%)',
  readings_received: 'Readings received', readings_expected: 'Readings expected', estimated: 'Estimated', flags: 'Quality flags',
};

/** How many months back the scorecard panel looks, whatever the dashboard's range (a month's figure sits at its 1st). */
const SCORECARD_MONTHS = '6M';

/**
 * The regulator's upload data-quality rules judged per enterprise and month by the aggregator
 * (one quality_rule figure per rule: 1 passed, 0 failed), with what each found.
 */
function regulatorScorecard() {
  const passedOrFailed: dashboard.ValueMapping = {
    type: dashboard.MappingType.ValueToText,
    options: { '1': { text: 'passed', color: 'green', index: 0 }, '0': { text: 'failed', color: 'red', index: 1 } },
  };
  return tablePanel('Regulator scorecard, last six months', INFLUXDB)
    .description(
      'The regulator’s upload data-quality rules for key energy-consuming units, per enterprise and month: every metering point’s completeness ≥ 90 %, the days adding up to the month within 5 %, daily periods starting at 00:00 and the month on the 1st, the required indicators present (comprehensive, primary and secondary energy by day and month, output and unit-product consumption, output value and value added). A failed rule also raises the quality-rule-failed alert.',
    )
    .timeFrom(SCORECARD_MONTHS)
    .withTarget(
      influxQl(
        'A',
        q`SELECT "${F.periodKey}", "${F.value}", "${D.ruleFindings}", "${D.ruleSummary}", "${D.ruleRequirement}" FROM "${M.qualityRule}"
          WHERE "${T.period}" = '${MONTH}' AND ${tagIn(T.enterprise, 'enterprise')} AND ${TIME_FILTER}
          GROUP BY "${T.enterprise}", "${T.rule}"`,
      ).table(),
    )
    .transformations([
      hideTime({
        [T.enterprise]: 'Enterprise', [F.periodKey]: 'Month', [T.rule]: 'Rule', [F.value]: 'Result', [D.ruleFindings]: 'Findings', [D.ruleSummary]: 'Detail', [D.ruleRequirement]: 'Requirement',
      }),
    ])
    .overrideByName('Result', [
      { id: 'mappings', value: [passedOrFailed] },
      { id: 'custom.cellOptions', value: { type: 'color-text' } },
    ])
    .sortBy([new common.TableSortByFieldStateBuilder().displayName('Month').desc(true)])
    .decimals(0)
    .span(24)
    .height(9);
}

export function dataQuality(): dashboard.DashboardBuilder {
  return meterlineDashboard(
    DATA_QUALITY_UID,
    'Meterline · Metering and data quality',
    'The regulator’s data-quality scorecard of each enterprise’s months, coverage and completeness per metering point, periods with gaps, suspect readings, meters read outside their calibration validity, devices’ sequence gaps, replays and resets, and the payloads ingest dead-lettered, by reason.',
  )
    .time({ from: 'now-7d/d', to: 'now' })
    .refresh('15m')
    .withVariable(regionVariable())
    .withVariable(enterpriseVariable({ multi: true }))
    .withVariable(siteVariable())
    .withVariable(periodVariable())
    .withRow(new dashboard.RowBuilder('Regulator scorecard'))
    .withPanel(regulatorScorecard())
    .withRow(new dashboard.RowBuilder('Coverage and gaps'))
    .withPanel(
      timeSeriesPanel('Coverage per metering point ($period)', INFLUXDB)
        .description(
          'Energy coverage: the share of each period whose consumption real readings bound. Below 100 % part of it is interpolated over a long silence (estimated) or bounded by no reading.',
        )
        .withTarget(
          influxQl(
            'A',
            q`SELECT "${F.coverage}" FROM "${M.consumption}"
              WHERE ${ofPoints} AND ${ofPeriod} AND ${TIME_FILTER}
              GROUP BY "${T.enterprise}", "${T.point}"`,
          ).alias('$tag_point'),
        )
        .unit(UNITS.percent)
        .min(0)
        .max(100)
        .span(12)
        .height(8),
    )
    .withPanel(
      timeSeriesPanel('Completeness per metering point ($period)', INFLUXDB)
        .description(
          'Data completeness: readings received ÷ readings expected at the point’s declared interval (default every 15 min). A register difference can bound the energy exactly while readings are missing; the regulator asks for at least 90 %.',
        )
        .withTarget(
          influxQl(
            'A',
            q`SELECT "${D.completeness}" FROM "${M.consumption}"
              WHERE ${ofPoints} AND ${ofPeriod} AND ${TIME_FILTER}
              GROUP BY "${T.enterprise}", "${T.point}"`,
          ).alias('$tag_point'),
        )
        .unit(UNITS.percent)
        .min(0)
        .max(100)
        .span(12)
        .height(8),
    )
    .withPanel(
      tablePanel('Periods with gaps ($period)', INFLUXDB)
        .description(
          'Every period of a metering point with data missing (quality flag gap): less than full coverage or less than full completeness, with the readings received and expected, the estimated part of its consumption and its quality flags.',
        )
        .withTarget(
          influxQl(
            'A',
            q`SELECT "${F.periodKey}", "${F.coverage}", "${D.completeness}", "${D.readingsReceived}", "${D.readingsExpected}", "${F.estimated}", "${F.flags}" FROM "${M.consumption}"
              WHERE ("${F.coverage}" < 100 OR "${D.completeness}" < 100) AND ${ofPoints} AND ${ofPeriod} AND ${TIME_FILTER}
              GROUP BY "${T.enterprise}", "${T.point}"`,
          ).table(),
        )
        .transformations([hideTime(periodRows)])
        .span(12)
        .height(9),
    )
    .withPanel(
      tablePanel('Suspect readings ($period)', INFLUXDB)
        .description(
          'Periods with intervals not booked: a register that fell without rollover or replacement (suspect-drop), or a delta beyond the point’s physical capacity (suspect-over-capacity).',
        )
        .withTarget(
          influxQl(
            'A',
            q`SELECT "${F.periodKey}", "${D.suspectIntervals}", "${F.coverage}", "${F.flags}" FROM "${M.consumption}"
              WHERE "${D.suspectIntervals}" > 0 AND ${ofPoints} AND ${ofPeriod} AND ${TIME_FILTER}
              GROUP BY "${T.enterprise}", "${T.point}"`,
          ).table(),
        )
        .transformations([hideTime({ ...periodRows, suspect_intervals: 'Suspect intervals' })])
        .span(12)
        .height(9),
    )
    .withRow(new dashboard.RowBuilder('Calibration'))
    .withPanel(
      tablePanel('Meters read outside calibration validity, days in the selected range', INFLUXDB)
        .description(
          'Metering points whose figures used readings dated outside the calibration certificate’s validity (quality flag calibration-invalid): the readings and the days concerned.',
        )
        .withTarget(
          influxQl(
            'A',
            q`SELECT sum("${D.outsideCalibration}") AS "readings", count("${D.outsideCalibration}") AS "days" FROM "${M.consumption}"
              WHERE "${T.period}" = '${DAY}' AND "${D.outsideCalibration}" > 0 AND ${ofPoints} AND ${TIME_FILTER}
              GROUP BY "${T.enterprise}", "${T.site}", "${T.point}"`,
          ).table(),
        )
        .transformations([hideTime({ enterprise: 'Enterprise', site: 'Site', point: 'Metering point', readings: 'Readings outside calibration', days: 'Days' })])
        .span(24)
        .height(7),
    )
    .withRow(new dashboard.RowBuilder('Device sequences (tamper evidence)'))
    .withPanel(
      tablePanel('Gaps, replays and resets per device, in the selected range', INFLUXDB)
        .description(
          'What each device’s seq showed of the messages between it and Meterline: gaps (seqs skipped; lost: how many), replays (a seen seq with other content) and resets (the device counting again from 0 or 1).',
        )
        .withTarget(
          influxQl(
            'A',
            q`SELECT count("${E.fields.seq}") AS "events", sum("${E.fields.lost}") AS "lost" FROM "${E.measurement}"
              WHERE "${E.tags.kind}" =~ /^(gap|replay|reset)$/ AND ${tagIn(E.tags.enterprise, 'enterprise')} AND ${TIME_FILTER}
              GROUP BY "${E.tags.enterprise}", "${E.tags.device}", "${E.tags.kind}"`,
          ).table(),
        )
        .transformations([hideTime({ enterprise: 'Enterprise', device: 'Device', kind: 'Kind', events: 'Events', lost: 'Seqs lost' })])
        .decimals(0)
        .span(24)
        .height(7),
    )
    .withRow(new dashboard.RowBuilder('Dead letters (ingest and writer, all enterprises)'))
    .withPanel(
      timeSeriesPanel('Dead-letter rate by reason', PROMETHEUS)
        .description('Payloads and readings refused and kept on the dead-letter topic with their reason, per second.')
        .withTarget(promQl('A', 'sum by (reason) (rate(meterline_ingest_dead_letters_total[$__rate_interval]))', 'ingest {{reason}}'))
        .withTarget(promQl('B', 'sum by (reason) (rate(meterline_writer_dead_letters_total[$__rate_interval]))', 'writer {{reason}}'))
        .unit(UNITS.perSecond)
        .span(12)
        .height(8),
    )
    .withPanel(
      timeSeriesPanel('Dead letters per payload handled', PROMETHEUS)
        .description('Ingest dead letters divided by the MQTT payloads it handled: the share of what devices send that does not become readings.')
        .withTarget(
          promQl('A', 'sum(rate(meterline_ingest_dead_letters_total[$__rate_interval])) / sum(rate(meterline_ingest_payloads_total[$__rate_interval]))', 'dead letters / payloads'),
        )
        .unit('percentunit')
        .span(12)
        .height(8),
    )
    .withPanel(
      tablePanel('Dead letters in the selected range by reason', PROMETHEUS)
        .withTarget(promQl('A', 'sum by (reason) (increase(meterline_ingest_dead_letters_total[$__range]))', '{{reason}}').instant().format(PromQueryFormat.Table))
        .transformations([hideTime({ reason: 'Reason', Value: 'Dead letters' })])
        .decimals(0)
        .span(24)
        .height(6),
    );
}
