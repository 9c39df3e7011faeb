import { KafkaBus } from '@meterline/bus-kafka';
import { createLogger, createMetricsRegistry, influxConnection, serveUntilSignalled } from '@meterline/service-kit';
import { InfluxStore } from '@meterline/store-influx';
import { createWriterApp } from './app.ts';
import { loadWriterConfig } from './config.ts';
import { createFigureCopier } from './figure-copier.ts';

const config = loadWriterConfig();
const log = createLogger('writer', config.logLevel);
const metrics = createMetricsRegistry('writer');
const bus = new KafkaBus({
  brokers: config.kafkaBrokers,
  clientId: `meterline-writer-${config.instanceId}`,
  log: (level, message, extra) => log[level](extra, message),
});
const store = new InfluxStore({ ...influxConnection(config), log: (level, message) => log[level]({ logger: 'influxdb-client' }, message) });
const retry = { baseMs: config.retryBaseMs, maxMs: config.retryMaxMs };
const figureCopier = config.figuresTopic
  ? createFigureCopier({
      consumer: await bus.consumer({
        groupId: `${config.groupId}-figures`,
        topics: [config.figuresTopic, config.restatementsTopic],
        fromBeginning: true,
        sessionTimeoutMs: config.kafkaSessionTimeoutMs,
      }),
      topics: { figures: config.figuresTopic, restatements: config.restatementsTopic },
      store,
      retry,
      log: log.child({ part: 'figure-copier' }),
      metrics,
    })
  : undefined;
const app = createWriterApp({
  consumer: await bus.consumer({
    groupId: config.groupId,
    topics: [config.readingsTopic],
    fromBeginning: true,
    sessionTimeoutMs: config.kafkaSessionTimeoutMs,
    fetchMinBytes: config.kafkaFetchMinBytes,
    fetchMaxWaitMs: config.kafkaFetchMaxWaitMs,
    partitionsConcurrently: config.kafkaPartitionsConcurrently,
  }),
  deadLetterProducer: await bus.producer(),
  deadLetterTopic: config.deadLetterTopic,
  store,
  measurement: config.readingsMeasurement,
  writeChunkPoints: config.writeChunkPoints,
  retry,
  ...(figureCopier ? { figureCopier } : {}),
  log,
  metrics,
});
await serveUntilSignalled({
  app,
  alsoClose: [bus],
  ops: { host: config.opsHost, port: config.opsPort, metrics },
  log,
  started: { figuresTopic: config.figuresTopic || null },
});
