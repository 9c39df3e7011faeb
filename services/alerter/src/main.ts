import { KafkaBus } from '@meterline/bus-kafka';
import { alertingTopicGroupId, overlayAlerting, registrySourceFromConfig, startAlertingTopicReader } from '@meterline/feeds';
import { CronScheduler } from '@meterline/scheduler-cron';
import { createLogger, createMetricsRegistry, influxConnection, serveUntilSignalled } from '@meterline/service-kit';
import { InfluxStore } from '@meterline/store-influx';
import { UndiciWebhookSender } from '@meterline/webhook-sender-undici';
import { alertingFileSource, type AlertingConfig } from './alerting-config.ts';
import { createAlerterApp } from './app.ts';
import { loadAlerterConfig } from './config.ts';
import { createDispatcher, createStoreDeliveryLog } from './delivery/index.ts';
import { createAlerterMetrics } from './metrics.ts';

const config = loadAlerterConfig();
const log = createLogger('alerter', config.logLevel);
const metrics = createMetricsRegistry('alerter');
const bus = new KafkaBus({
  brokers: config.kafkaBrokers,
  clientId: `meterline-alerter-${config.instanceId}`,
  log: (level, message, extra) => log[level](extra, message),
});
const producer = await bus.producer();
const registry = await registrySourceFromConfig(config, { consumer: (options) => bus.consumer(options), service: 'alerter', instanceId: config.instanceId, log });
const store = new InfluxStore({ ...influxConnection(config), log: (level, message) => log[level]({ logger: 'influxdb-client' }, message) });
const alertingFile = await alertingFileSource(config.alertingFile, (problems) => log.error({ file: config.alertingFile, problems }, 'alerting file invalid; keeping the previous one'));
const alertingTopic = await startAlertingTopicReader({
  consumer: await bus.consumer({ groupId: alertingTopicGroupId('alerter'), topics: [config.alertingTopic], fromBeginning: true, sessionTimeoutMs: config.kafkaSessionTimeoutMs, ephemeral: true }),
  onRejected: (rejected) => log.error(rejected, 'alerting topic: a record that is no alerting change was skipped'),
});
// Before the dispatcher starts: it dead-letters notifications of subscriptions it does not know.
await alertingTopic.caughtUp();
// The dispatcher looks subscriptions up synchronously: the file as last loaded (every evaluation refreshes it) under the topic's entries, read at each lookup.
let alerting: AlertingConfig = overlayAlerting(await alertingFile.current(), alertingTopic);
const currentAlerting = async () => (alerting = overlayAlerting(await alertingFile.current(), alertingTopic));
const sessionTimeoutMs = config.kafkaSessionTimeoutMs;
const deliveryLog = createStoreDeliveryLog({ store, log, metrics });
const sender = new UndiciWebhookSender();
const app = createAlerterApp({
  inputs: await bus.consumer({ groupId: config.observerGroupId, topics: [config.readingsTopic, config.deviceStatusTopic, config.deviceSequenceTopic, config.figuresTopic], fromBeginning: true, sessionTimeoutMs }),
  signals: await bus.consumer({ groupId: config.managerGroupId, topics: [config.signalsTopic], fromBeginning: true, sessionTimeoutMs }),
  dispatcher: createDispatcher({
    // Partitions in parallel: a subscriber being retried must not hold back the others' notifications.
    consumer: await bus.consumer({ groupId: config.dispatcherGroupId, topics: [config.notificationsTopic], fromBeginning: true, sessionTimeoutMs, partitionsConcurrently: config.dispatchPartitionsConcurrently }),
    deadLetterProducer: producer,
    deadLetterTopic: config.notificationsDlqTopic,
    subscriptions: { subscription: (id) => alerting.subscription(id) },
    sender,
    deliveryLog,
    log,
    metrics,
    policy: {
      baseDelayMs: config.deliveryBaseDelayMs,
      maxDelayMs: config.deliveryMaxDelayMs,
      maxAttempts: config.deliveryMaxAttempts,
      requestTimeoutMs: config.deliveryTimeoutMs,
      maxRetryAfterMs: config.deliveryMaxRetryAfterMs,
    },
    ...(config.webhookExternalUrl ? { externalUrl: config.webhookExternalUrl } : {}),
  }),
  producer,
  topics: {
    readings: config.readingsTopic,
    deviceStatus: config.deviceStatusTopic,
    deviceSequence: config.deviceSequenceTopic,
    figures: config.figuresTopic,
    signals: config.signalsTopic,
    notifications: config.notificationsTopic,
  },
  store,
  registry: registry.source,
  alerting: currentAlerting,
  scheduler: new CronScheduler({ onError: (name, error) => log.error({ schedule: name, err: error }, 'scheduled task failed') }),
  tickSeconds: config.tickSeconds,
  figureMaxAgeMs: config.figureMaxAgeHours * 3_600_000,
  maxFiguresPerSignal: config.maxFiguresPerSignal,
  clock: () => new Date(),
  log,
  metrics: createAlerterMetrics(metrics),
});
await serveUntilSignalled({
  app,
  alsoClose: [alertingTopic, sender, { close: () => deliveryLog.flush() }, registry, producer, bus],
  ops: { host: config.opsHost, port: config.opsPort, metrics },
  log,
  started: { instance: config.instanceId },
});
