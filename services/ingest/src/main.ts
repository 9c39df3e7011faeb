import { KafkaBus } from '@meterline/bus-kafka';
import { READINGS_TOPIC_FILTER } from '@meterline/contracts';
import { MqttSharedSource } from '@meterline/mqtt-source';
import { createLogger, createMetricsRegistry, loadRegistryFile, serveUntilSignalled } from '@meterline/service-kit';
import { STATUS_TOPIC_FILTER } from './admit-status.ts';
import { createIngestApp } from './app.ts';
import { loadIngestConfig } from './config.ts';

const config = loadIngestConfig();
const log = createLogger('ingest', config.logLevel);
const metrics = createMetricsRegistry('ingest');
let registry = await loadRegistryFile(config.registryFile);

const bus = new KafkaBus({
  brokers: config.kafkaBrokers,
  clientId: `meterline-ingest-${config.instanceId}`,
  log: (level, message, extra) => log[level](extra, message),
});
const app = createIngestApp({
  source: new MqttSharedSource({
    url: config.mqttUrl,
    username: config.mqttUsername,
    password: config.mqttPassword,
    clientIdPrefix: `ingest-${config.instanceId}`,
    connections: config.mqttConnections,
    shareGroup: config.mqttShareGroup,
    topicFilters: [READINGS_TOPIC_FILTER, STATUS_TOPIC_FILTER],
    sessionExpirySeconds: config.mqttSessionExpirySeconds,
    log: (level, message, extra) => log[level](extra ?? {}, message),
  }),
  producer: await bus.producer(),
  registry: () => registry,
  topics: { readings: config.readingsTopic, deadLetters: config.deadLetterTopic, deviceStatus: config.deviceStatusTopic },
  rules: { maxPayloadBytes: config.maxPayloadBytes, maxFutureSkewMs: config.maxFutureSkewMs },
  batching: { lingerMs: config.kafkaLingerMs, maxBatchRecords: config.kafkaMaxBatchRecords, closeGraceMs: config.kafkaCloseGraceMs },
  log,
  metrics,
});

// SIGHUP reloads the registry file; a bad file is reported and the registry in force kept.
process.on('SIGHUP', () => {
  loadRegistryFile(config.registryFile).then(
    (next) => {
      registry = next;
      log.info({ file: config.registryFile }, 'registry reloaded');
    },
    (error: unknown) => log.error({ err: error }, 'registry reload failed; keeping the previous one'),
  );
});

await serveUntilSignalled({
  app,
  alsoClose: [bus],
  ops: { host: config.opsHost, port: config.opsPort, metrics },
  log,
  started: { connections: config.mqttConnections },
});
