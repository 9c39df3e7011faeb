import { readFile } from 'node:fs/promises';
import { alertingTopicGroupId, startAlertingTopicReader } from '@meterline/alerter';
import { KafkaBus } from '@meterline/bus-kafka';
import { createFactorCatalog, parseManifest } from '@meterline/domain';
import { createLogger, createMetricsRegistry, influxConnection, runUntilSignalled, type Logger } from '@meterline/service-kit';
import { InfluxStore } from '@meterline/store-influx';
import { alertingDirectory } from './alerting/alerting-directory.ts';
import { topicAlertingWriter } from './alerting/alerting-writer.ts';
import { buildApi } from './app.ts';
import { parseApiKeys } from './auth/api-keys.ts';
import { loadApiConfig } from './config.ts';
import { influxSeriesPageReader } from './series/influx-series-page-reader.ts';

const config = loadApiConfig();
const log = createLogger('api', config.logLevel);

const fail = (message: string): never => {
  log.error(message);
  process.exit(2);
};
const manifestText = await readFile(config.registryFile, 'utf8');
const parsed = parseManifest(manifestText, config.registryFile);
const manifest = parsed.ok ? parsed.manifest : fail(`${config.registryFile}: invalid registry manifest\n  ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('\n  ')}`);
const apiKeys = parseApiKeys(await readFile(config.apiKeysFile, 'utf8'), config.apiKeysFile);

/** The alerting topic: this process's own reader of all of it (answers wait for it, /ready says when it has caught up) and a producer. */
async function connectAlerting(brokers: string[], topic: string, logger: Logger) {
  const bus = new KafkaBus({ brokers, clientId: 'meterline-api', log: (level, message, extra) => logger[level](extra, message) });
  const producer = await bus.producer();
  const reader = await startAlertingTopicReader({
    consumer: await bus.consumer({ groupId: alertingTopicGroupId('api'), topics: [topic], fromBeginning: true }),
    onRejected: (rejected) => logger.error(rejected, 'alerting topic: a record that is no alerting change was skipped'),
  });
  void reader.caughtUp().then(() => logger.info({ topic, subscriptions: reader.subscriptions().size, silences: reader.silences().size }, 'alerting topic read'));
  return {
    directory: alertingDirectory({ reader, writer: topicAlertingWriter(producer, topic) }),
    close: async () => {
      await reader.close();
      await producer.close();
      await bus.close();
    },
  };
}

const store = new InfluxStore({ ...influxConnection(config), log: (level, message) => log[level]({ logger: 'influxdb-client' }, message) });
const alerting = config.kafkaBrokers ? await connectAlerting(config.kafkaBrokers, config.alertingTopic, log) : undefined;
if (!alerting) log.warn('MTL_KAFKA_BROKERS is not set: webhook subscriptions and silences are not served (their routes answer 404)');
const app = buildApi({
  manifest,
  apiKeys,
  factorCatalog: createFactorCatalog(),
  series: influxSeriesPageReader(store),
  store,
  ...(alerting ? { alerting: alerting.directory } : {}),
  metrics: createMetricsRegistry('api'),
  bodyLimitBytes: config.bodyLimitBytes,
  rateLimit: { max: config.rateLimitMax, windowMs: config.rateLimitWindowMs },
  readingsMeasurement: config.readingsMeasurement,
  logger: log,
});
await app.listen({ host: config.host, port: config.port });
log.info({ host: config.host, port: config.port, enterprises: manifest.enterprises.length, keys: apiKeys.keys.length, alertingTopic: alerting ? config.alertingTopic : null }, 'started');
runUntilSignalled(
  {
    close: async () => {
      await app.close();
      await alerting?.close();
      await store.close();
    },
  },
  log,
);
