import { KafkaBus } from '@meterline/bus-kafka';
import { createLogger, createMetricsRegistry, influxConnection, serveUntilSignalled } from '@meterline/service-kit';
import { InfluxStore } from '@meterline/store-influx';
import { createWriterApp } from './app.ts';
import { loadWriterConfig } from './config.ts';

const config = loadWriterConfig();
const log = createLogger('writer', config.logLevel);
const metrics = createMetricsRegistry('writer');
const bus = new KafkaBus({
  brokers: config.kafkaBrokers,
  clientId: `meterline-writer-${config.instanceId}`,
  log: (level, message, extra) => log[level](extra, message),
});
const app = createWriterApp({
  consumer: await bus.consumer({
    groupId: config.groupId,
    topics: [config.readingsTopic],
    fromBeginning: true,
    sessionTimeoutMs: config.kafkaSessionTimeoutMs,
    fetchMinBytes: config.kafkaFetchMinBytes,
    fetchMaxWaitMs: config.kafkaFetchMaxWaitMs,
  }),
  deadLetterProducer: await bus.producer(),
  deadLetterTopic: config.deadLetterTopic,
  store: new InfluxStore({ ...influxConnection(config), log: (level, message) => log[level]({ logger: 'influxdb-client' }, message) }),
  measurement: config.readingsMeasurement,
  writeChunkPoints: config.writeChunkPoints,
  retry: { baseMs: config.retryBaseMs, maxMs: config.retryMaxMs },
  log,
  metrics,
});
await serveUntilSignalled({
  app,
  alsoClose: [bus],
  ops: { host: config.opsHost, port: config.opsPort, metrics },
  log,
  started: {},
});
