import { Counter, Gauge, Histogram, type Registry } from '@meterline/service-kit';

export function createWriterMetrics(registry: Registry) {
  return {
    written: new Counter({ name: 'meterline_writer_readings_written_total', help: 'Readings accepted by InfluxDB', registers: [registry] }),
    deadLetters: new Counter({ name: 'meterline_writer_dead_letters_total', help: 'Records dead-lettered by the writer', labelNames: ['reason'], registers: [registry] }),
    writeSeconds: new Histogram({
      name: 'meterline_writer_write_seconds',
      help: 'Time for InfluxDB to accept one write request',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    repeats: new Counter({
      name: 'meterline_writer_readings_repeated_total',
      help: 'Readings whose point and instant already held the same value (kept, not rewritten)',
      registers: [registry],
    }),
    // One counter for both requests the writer makes: a store that does not answer fails whichever comes first.
    writeFailures: new Counter({
      name: 'meterline_writer_write_failures_total',
      help: 'Failed InfluxDB requests of the writer (retried): writes, and lookups of stored values before a write',
      labelNames: ['retryable', 'operation'],
      registers: [registry],
    }),
    endToEnd: new Histogram({
      name: 'meterline_writer_ingest_to_store_seconds',
      help: 'From ingest receiving a reading to InfluxDB accepting it',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers: [registry],
    }),
    lag: new Gauge({ name: 'meterline_writer_consumer_lag', help: 'Readings on Kafka not yet committed by the writer group', registers: [registry] }),
  };
}
