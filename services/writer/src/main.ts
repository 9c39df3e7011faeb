import { KafkaBus } from '@meterline/bus-kafka';
import { createLogger, createMetricsRegistry, runUntilSignalled, startOpsServer } from '@meterline/service-kit';
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
  consumer: await bus.consumer({ groupId: config.groupId, topics: [config.readingsTopic], fromBeginning: true }),
  deadLetterProducer: await bus.producer(),
  deadLetterTopic: config.deadLetterTopic,
  store: new InfluxStore({
    url: config.influxUrl,
    token: config.influxToken,
    database: config.influxDatabase,
    retentionPolicy: config.influxRetentionPolicy,
    org: config.influxOrg,
    log: (level, message) => log[level]({ logger: 'influxdb-client' }, message),
  }),
  measurement: config.readingsMeasurement,
  writeChunkPoints: config.writeChunkPoints,
  retry: { baseMs: config.retryBaseMs, maxMs: config.retryMaxMs },
  log,
  metrics,
});
const ops = await startOpsServer({ host: config.opsHost, port: config.opsPort, health: app.health, metrics });
await app.start();
log.info({ opsPort: ops.port }, 'writer started');
runUntilSignalled(
  {
    close: async () => {
      await app.close();
      await bus.close();
      await ops.close();
    },
  },
  log,
);
