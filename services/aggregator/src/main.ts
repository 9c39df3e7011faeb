import { KafkaBus } from '@meterline/bus-kafka';
import { PlatformaticKafkaBus } from '@meterline/bus-platformatic';
import { createFactorCatalog } from '@meterline/domain';
import { factorSetTopicGroupId, registrySourceFromConfig, startTopicFactorCatalog } from '@meterline/feeds';
import { CronScheduler } from '@meterline/scheduler-cron';
import { createLogger, createMetricsRegistry, serveUntilSignalled } from '@meterline/service-kit';
import { InfluxStore } from '@meterline/store-influx';
import { createAggregatorApp } from './app.ts';
import { busFigurePublisher } from './bus-figure-publisher.ts';
import { accountingOptions, influxOptions, limitStandardsOf, loadAggregatorConfig } from './config.ts';

const config = loadAggregatorConfig();
const log = createLogger('aggregator', config.logLevel);
const metrics = createMetricsRegistry('aggregator');
const bus = new KafkaBus({
  brokers: config.kafkaBrokers,
  clientId: `meterline-aggregator-${config.instanceId}`,
  log: (level, message, extra) => log[level](extra, message),
});
const producerBus =
  config.kafkaProducerClient === 'platformatic'
    ? new PlatformaticKafkaBus({ brokers: config.kafkaBrokers, clientId: `meterline-aggregator-${config.instanceId}-producer`, log: (level, message, extra) => log[level](extra, message) })
    : bus;
const producer = await producerBus.producer();
// Read to its end before the first schedule or job: nothing is computed on part of the registry.
const registry = await registrySourceFromConfig(config, { consumer: (options) => bus.consumer(options), service: 'aggregator', instanceId: config.instanceId, log });
// Custom sets are read to the topic's end before the first job, so a pinned custom set resolves.
const factorSets = config.factorSetsTopic
  ? await startTopicFactorCatalog({
      consumer: await bus.consumer({ groupId: factorSetTopicGroupId('aggregator', config.instanceId), topics: [config.factorSetsTopic], fromBeginning: true, ephemeral: true }),
      onRejected: (rejected) => log.error(rejected, 'factor-set topic: a record was not added to the catalogue'),
    })
  : undefined;
await factorSets?.ready();
const app = createAggregatorApp({
  jobs: await bus.consumer({ groupId: config.groupId, topics: [config.jobsTopic], fromBeginning: true, sessionTimeoutMs: config.kafkaSessionTimeoutMs }),
  producer,
  jobsTopic: config.jobsTopic,
  publisher: busFigurePublisher({
    producer,
    topics: { figures: config.figuresTopic, restatements: config.restatementsTopic },
    maxFiguresPerMessage: config.maxFiguresPerMessage,
  }),
  store: new InfluxStore({ ...influxOptions(config), log: (level, message) => log[level]({ logger: 'influxdb-client' }, message) }),
  registry: registry.source,
  catalog: factorSets?.catalog ?? createFactorCatalog(),
  scheduler: new CronScheduler({ onError: (name, error) => log.error({ schedule: name, err: error }, 'scheduled task failed') }),
  lookback: { recentMs: config.recentLookbackMinutes * 60_000, dailyMs: config.dailyLookbackDays * 86_400_000 },
  // Late readings as far back as a period's bounding readings are looked for.
  landed: { pollSeconds: config.landedPollSeconds, horizonMs: config.boundSearchDays * 86_400_000 },
  engine: {
    readingsMeasurement: config.readingsMeasurement,
    boundSearchMs: config.boundSearchDays * 86_400_000,
    writeChunkPoints: config.writeChunkPoints,
    accounting: accountingOptions(config),
    // The shipped, cited limit standards (packages/domain reference data): their unconfirmed values are never judged against.
    limits: await limitStandardsOf(config),
  },
  retry: { baseMs: config.retryBaseMs, maxMs: config.retryMaxMs },
  kafkaSilenceLimitMs: config.kafkaSessionTimeoutMs,
  clock: () => new Date(),
  log,
  metrics,
});
await serveUntilSignalled({
  app,
  alsoClose: [registry, ...(factorSets ? [factorSets] : []), producer, bus, ...(producerBus === bus ? [] : [producerBus])],
  ops: { host: config.opsHost, port: config.opsPort, metrics },
  log,
  started: { instance: config.instanceId },
});
