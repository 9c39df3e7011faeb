import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { DeviceAccounts } from '@meterline/broker-accounts';
import { DynsecDeviceAccounts } from '@meterline/broker-accounts-dynsec';
import type { BusProducer } from '@meterline/bus';
import { KafkaBus } from '@meterline/bus-kafka';
import { aggregationJobCodec } from '@meterline/contracts';
import { createFactorCatalog } from '@meterline/domain';
import {
  alertingTopicGroupId, factorSetTopicGroupId, publishFactorSet, registryPublisher, registrySourceFromConfig, startAlertingTopicReader, startTopicFactorCatalog,
} from '@meterline/feeds';
import { createLogger, createMetricsRegistry, influxConnection, runUntilSignalled, type Logger, type Registry } from '@meterline/service-kit';
import { alertingDirectory } from './alerting/alerting-directory.ts';
import { topicAlertingWriter } from './alerting/alerting-writer.ts';
import { buildApi } from './app.ts';
import { parseApiKeys } from './auth/api-keys.ts';
import { brokerAdmin, loadApiConfigOrExit } from './config.ts';
import { customFactorSets } from './factor-sets/custom-factor-sets.ts';
import { figureCacheMetrics } from './figure-cache/figure-cache-metrics.ts';
import { figureChangesGroupId, followFigureChanges } from './figure-cache/figure-change-follower.ts';
import { figurePageCache } from './figure-cache/figure-page-cache.ts';
import { registryUploads } from './registry/registry-uploads.ts';
import { chromiumPdf } from './reports/report-pdf.ts';
import { apiInfluxStore } from './series/influx-replica-set.ts';
import { influxSeriesPageReader } from './series/influx-series-page-reader.ts';

const config = loadApiConfigOrExit();
const log = createLogger('api', config.logLevel);
const apiKeys = parseApiKeys(await readFile(config.apiKeysFile, 'utf8'), config.apiKeysFile);
// Only names this process's consumer groups (each also gets a part unique to the start).
const instanceId = config.instanceId ?? (hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 48) || 'api');

/** The alerting topic: this process's own reader of all of it (answers wait for it, /ready says when it has caught up). */
async function connectAlerting(bus: KafkaBus, producer: BusProducer, topic: string, logger: Logger) {
  const reader = await startAlertingTopicReader({
    consumer: await bus.consumer({ groupId: alertingTopicGroupId('api'), topics: [topic], fromBeginning: true, ephemeral: true }),
    onRejected: (rejected) => logger.error(rejected, 'alerting topic: a record that is no alerting change was skipped'),
  });
  void reader.caughtUp().then(() => logger.info({ topic, subscriptions: reader.subscriptions().size, silences: reader.silences().size }, 'alerting topic read'));
  return { directory: alertingDirectory({ reader, writer: topicAlertingWriter(producer, topic) }), close: () => reader.close() };
}

/** The broker's admin account, if configured: connect() checks the round trip now, so a wrong password or a broker without the plugin stops the start. */
async function connectBroker(): Promise<DeviceAccounts | undefined> {
  const admin = brokerAdmin(config);
  if (!admin) {
    log.warn('MTL_BROKER_ADMIN_URL, _USERNAME and _PASSWORD are not set: devices’ broker credentials are not served (their routes answer 404)');
    return undefined;
  }
  try {
    return await DynsecDeviceAccounts.connect(admin);
  } catch (error) {
    // The adapter's messages name the URL and the account, never the password.
    log.error({ err: error, url: admin.url, username: admin.username }, 'the broker admin account cannot be used');
    process.exit(1);
  }
}

/**
 * The figure cache and this instance's follower of the aggregator's announcements, which
 * invalidates it; none without Kafka (nothing would tell the cache a figure changed) or with
 * MTL_FIGURE_CACHE_MAX_ENTRIES=0. Announcements are read from settleMs before now: a change
 * announced just before the start may not be stored yet.
 */
async function startFigureCache(metrics: Registry) {
  if (!kafka || config.figureCacheMaxEntries === 0) {
    log.warn(kafka ? 'MTL_FIGURE_CACHE_MAX_ENTRIES is 0: figure pages are read from InfluxDB every time' : 'MTL_KAFKA_BROKERS is not set: no figure cache (nothing would tell it a figure changed)');
    return undefined;
  }
  const observed = figureCacheMetrics(metrics);
  const cache = figurePageCache({ maxEntries: config.figureCacheMaxEntries, maxBytes: config.figureCacheMaxBytes, settleMs: config.figureCacheSettleMs, now: Date.now, events: observed.events });
  const topics = { restatements: config.restatementsTopic, figures: config.figuresTopic };
  const changes = await followFigureChanges({
    consumer: await kafka.consumer({ groupId: figureChangesGroupId(instanceId), topics: [topics.restatements, topics.figures], fromTimestampMs: Date.now() - config.figureCacheSettleMs, ephemeral: true }),
    topics,
    cache,
    onUnreadable: (record) => log.error(record, 'a figure announcement does not decode: the figure cache was emptied'),
    onState: (status, error) => log[status.state === 'current' ? 'info' : 'warn']({ ...status, ...(error ? { err: error } : {}) }, `figure announcements: ${status.state}`),
  });
  observed.watch(cache, () => changes.status());
  return { cache, changes };
}

const kafka = config.kafkaBrokers
  ? new KafkaBus({ brokers: config.kafkaBrokers, clientId: 'meterline-api', log: (level, message, extra) => log[level](extra, message) })
  : undefined;
const noKafka = (): never => {
  throw new Error('unreachable: the configuration requires MTL_KAFKA_BROKERS with MTL_REGISTRY_TOPIC');
};

let registry: Awaited<ReturnType<typeof registrySourceFromConfig>>;
try {
  // A topic is read to its end before this resolves: the API answers from the whole registry from its first request.
  registry = await registrySourceFromConfig(config, { consumer: (options) => (kafka ?? noKafka()).consumer(options), service: 'api', instanceId, log });
} catch (error) {
  log.error({ err: error }, 'the registry cannot be read');
  process.exit(2);
}

const producer = kafka ? await kafka.producer() : undefined;
// With Kafka the catalogue is the shipped sets plus the factor-set topic's, read to its end before the first request (a pinned custom set resolves).
const factorSets = kafka
  ? await startTopicFactorCatalog({
      consumer: await kafka.consumer({ groupId: factorSetTopicGroupId('api', instanceId), topics: [config.factorSetsTopic], fromBeginning: true, ephemeral: true }),
      onRejected: (rejected) => log.error(rejected, 'factor-set topic: a record was not added to the catalogue'),
    })
  : undefined;
await factorSets?.ready();
if (!factorSets) log.warn('MTL_KAFKA_BROKERS is not set: only the shipped factor sets; custom ones cannot be added (POST /v1/factor-sets answers 404)');
const factorCatalog = factorSets?.catalog ?? createFactorCatalog();
const custom =
  factorSets && producer
    ? customFactorSets({ reader: factorSets, publish: (record) => publishFactorSet(producer, config.factorSetsTopic, record), now: Date.now })
    : undefined;
const alerting = kafka && producer ? await connectAlerting(kafka, producer, config.alertingTopic, log) : undefined;
if (!alerting) log.warn('MTL_KAFKA_BROKERS is not set: webhook subscriptions and silences are not served (their routes answer 404)');
const uploads =
  registry.kind === 'topic' && producer
    ? registryUploads({ reader: registry.source, publisher: registryPublisher(producer, registry.topic), factorCatalog, now: Date.now })
    : undefined;
if (!uploads) log.warn('the registry is a file (MTL_REGISTRY_FILE): registry uploads are not served (their routes answer 404)');
const deviceAccounts = await connectBroker();

const metrics = createMetricsRegistry('api');
const figureCache = await startFigureCache(metrics);

const { store, queries, members: influxMembers } = apiInfluxStore(influxConnection(config), config.influxReplicaUrls, config.readingsMeasurement, log);
const app = buildApi({
  registry: registry.source,
  // A file is statted when asked: once a second, not on every request.
  registryRecheckMs: registry.kind === 'file' ? 1_000 : 0,
  apiKeys,
  factorCatalog,
  ...(custom ? { customFactorSets: custom } : {}),
  series: influxSeriesPageReader(queries),
  ...(influxMembers ? { influxMembers } : {}),
  ...(figureCache ? { figureCache } : {}),
  store,
  ...(alerting ? { alerting: alerting.directory } : {}),
  ...(uploads ? { registryUploads: uploads } : {}),
  ...(deviceAccounts ? { deviceAccounts } : {}),
  // A manual entry asks the aggregators to restate the months it changes.
  ...(producer ? { aggregationJobs: { request: (job) => producer.send(config.aggregationJobsTopic, [aggregationJobCodec.encode(job, job.enterpriseId)]) } } : {}),
  metrics,
  bodyLimitBytes: config.bodyLimitBytes,
  rateLimit: { max: config.rateLimitMax, windowMs: config.rateLimitWindowMs },
  reportPdf: chromiumPdf({ command: config.chromiumPath, timeoutMs: config.reportPdfTimeoutMs, concurrency: config.reportPdfConcurrency }),
  readingsMeasurement: config.readingsMeasurement,
  logger: log,
});
await app.listen({ host: config.host, port: config.port });
log.info(
  {
    host: config.host,
    port: config.port,
    registry: registry.kind === 'topic' ? { topic: registry.topic } : { file: registry.file },
    enterprises: (await registry.source.current()).enterprises.length,
    keys: apiKeys.keys.length,
    alertingTopic: alerting ? config.alertingTopic : null,
    factorSetsTopic: factorSets ? { topic: config.factorSetsTopic, custom: factorSets.custom().size } : null,
    deviceCredentials: deviceAccounts !== undefined,
    figureCache: figureCache ? { maxEntries: config.figureCacheMaxEntries, maxBytes: config.figureCacheMaxBytes, settleMs: config.figureCacheSettleMs } : null,
  },
  'started',
);
runUntilSignalled(
  {
    close: async () => {
      await app.close();
      await figureCache?.changes.close();
      await alerting?.close();
      await factorSets?.close();
      await registry.close();
      await deviceAccounts?.close();
      await producer?.close();
      await kafka?.close();
      await store.close();
    },
  },
  log,
);
