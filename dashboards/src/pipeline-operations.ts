// Pipeline operations: what flows from MQTT to InfluxDB and how fast, from the services'
// Prometheus metrics (services/*/src/metrics.ts; process metrics carry the `service` label).
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { PROMETHEUS, UNITS, meterlineDashboard, promQl, statPanel, timeSeriesPanel } from './common.ts';

const PIPELINE_OPERATIONS_UID = 'meterline-pipeline-operations';

const quantile = (q: number, histogram: string) => `histogram_quantile(${q}, sum by (le) (rate(${histogram}_bucket[$__rate_interval])))`;

export function pipelineOperations(): dashboard.DashboardBuilder {
  return meterlineDashboard(
    PIPELINE_OPERATIONS_UID,
    'Meterline · Pipeline operations',
    'Ingest rate, Kafka lag, InfluxDB write latency, aggregation progress and the services’ resources, from their Prometheus metrics.',
  )
    .time({ from: 'now-3h', to: 'now' })
    .refresh('30s')
    .withRow(new dashboard.RowBuilder('Ingest and storage'))
    .withPanel(
      timeSeriesPanel('Readings per second: admitted by ingest, stored by the writer', PROMETHEUS)
        .withTarget(promQl('A', 'sum(rate(meterline_ingest_readings_total[$__rate_interval]))', 'admitted (acknowledged by Kafka)'))
        .withTarget(promQl('B', 'sum(rate(meterline_writer_readings_written_total[$__rate_interval]))', 'stored (accepted by InfluxDB)'))
        .unit(UNITS.perSecond)
        .span(12)
        .height(8),
    )
    .withPanel(
      timeSeriesPanel('MQTT payloads per second by outcome', PROMETHEUS)
        .withTarget(promQl('A', 'sum by (outcome) (rate(meterline_ingest_payloads_total[$__rate_interval]))', '{{outcome}}'))
        .unit(UNITS.perSecond)
        .span(12)
        .height(8),
    )
    .withPanel(
      timeSeriesPanel('Kafka lag of the writer group (readings not yet committed)', PROMETHEUS)
        .withTarget(promQl('A', 'max by (instance) (meterline_writer_consumer_lag)', '{{instance}}'))
        .unit(UNITS.count)
        .min(0)
        .span(12)
        .height(8),
    )
    .withPanel(
      timeSeriesPanel('InfluxDB write latency (one request)', PROMETHEUS)
        .withTarget(promQl('A', quantile(0.5, 'meterline_writer_write_seconds'), 'p50'))
        .withTarget(promQl('B', quantile(0.99, 'meterline_writer_write_seconds'), 'p99'))
        .unit(UNITS.seconds)
        .span(12)
        .height(8),
    )
    .withPanel(
      timeSeriesPanel('Latency from ingest to stored', PROMETHEUS)
        .description('From ingest receiving a reading to InfluxDB accepting it (writer’s histogram).')
        .withTarget(promQl('A', quantile(0.5, 'meterline_writer_ingest_to_store_seconds'), 'p50'))
        .withTarget(promQl('B', quantile(0.99, 'meterline_writer_ingest_to_store_seconds'), 'p99'))
        .unit(UNITS.seconds)
        .span(12)
        .height(8),
    )
    .withPanel(
      timeSeriesPanel('Kafka acknowledgement latency (ingest)', PROMETHEUS)
        .withTarget(promQl('A', quantile(0.5, 'meterline_ingest_kafka_send_seconds'), 'p50'))
        .withTarget(promQl('B', quantile(0.99, 'meterline_ingest_kafka_send_seconds'), 'p99'))
        .unit(UNITS.seconds)
        .span(12)
        .height(8),
    )
    .withPanel(
      timeSeriesPanel('Retried failures per second', PROMETHEUS)
        .withTarget(promQl('A', 'sum(rate(meterline_ingest_kafka_send_failures_total[$__rate_interval]))', 'ingest: Kafka send'))
        .withTarget(promQl('B', 'sum by (operation, retryable) (rate(meterline_writer_write_failures_total[$__rate_interval]))', 'writer: InfluxDB {{operation}} (retryable {{retryable}})'))
        .unit(UNITS.perSecond)
        .span(12)
        .height(8),
    )
    .withPanel(
      statPanel('Ingest now', PROMETHEUS)
        .withTarget(promQl('A', 'sum(meterline_ingest_mqtt_connections)', 'MQTT connections'))
        .withTarget(promQl('B', 'sum(meterline_ingest_in_flight_payloads)', 'payloads waiting for Kafka'))
        .span(12)
        .height(8),
    )
    .withRow(new dashboard.RowBuilder('Aggregation'))
    .withPanel(
      timeSeriesPanel('Aggregator lag per enterprise', PROMETHEUS)
        .description('Now minus the end of the newest period computed: about 15 to 30 minutes when the schedules keep up.')
        .withTarget(promQl('A', 'max by (enterprise) (meterline_aggregator_lag_seconds)', '{{enterprise}}'))
        .unit(UNITS.seconds)
        .span(12)
        .height(8),
    )
    .withPanel(
      timeSeriesPanel('Aggregation jobs by outcome', PROMETHEUS)
        .withTarget(promQl('A', 'sum by (origin, outcome) (increase(meterline_aggregator_jobs_total[$__rate_interval]))', '{{origin}} {{outcome}}'))
        .withTarget(promQl('B', quantile(0.99, 'meterline_aggregator_job_seconds'), 'p99 job duration (s)'))
        .span(12)
        .height(8),
    )
    .withPanel(
      timeSeriesPanel('Aggregator time per phase', PROMETHEUS)
        .withTarget(promQl('A', 'sum by (phase) (rate(meterline_aggregator_phase_seconds_total[$__rate_interval]))', '{{phase}}'))
        .unit('percentunit')
        .span(12)
        .height(8),
    )
    .withPanel(
      timeSeriesPanel('Figures written and restated per second', PROMETHEUS)
        .withTarget(promQl('A', 'sum by (change) (rate(meterline_aggregator_figures_written_total[$__rate_interval]))', 'figures {{change}}'))
        .withTarget(promQl('B', 'sum by (reason) (rate(meterline_aggregator_restatements_total[$__rate_interval]))', 'restated: {{reason}}'))
        .unit(UNITS.perSecond)
        .span(12)
        .height(8),
    )
    .withRow(new dashboard.RowBuilder('Processes'))
    .withPanel(
      timeSeriesPanel('Resident memory by service', PROMETHEUS)
        .withTarget(promQl('A', 'sum by (service) (meterline_process_resident_memory_bytes)', '{{service}}'))
        .unit(UNITS.bytes)
        .span(12)
        .height(8),
    )
    .withPanel(
      timeSeriesPanel('CPU by service', PROMETHEUS)
        .withTarget(promQl('A', 'sum by (service) (rate(meterline_process_cpu_seconds_total[$__rate_interval]))', '{{service}}'))
        .unit('percentunit')
        .span(12)
        .height(8),
    );
}
