import { KafkaBus } from '@meterline/bus-kafka';
import { PlatformaticKafkaBus } from '@meterline/bus-platformatic';
import { READINGS_TOPIC_FILTER, ingestClientIdPrefix } from '@meterline/contracts';
import { loadRegistryFile, registrySourceFromConfig } from '@meterline/feeds';
import { MqttSharedSource } from '@meterline/mqtt-source';
import { indexRegistry, parseInstant } from '@meterline/domain';
import { createLogger, createMetricsRegistry, serveUntilSignalled } from '@meterline/service-kit';
import { SparkplugHost } from '@meterline/sparkplug';
import { SPARKPLUG_TOPIC_FILTERS } from './admit-sparkplug.ts';
import { STATUS_TOPIC_FILTER } from './admit-status.ts';
import { createIngestApp } from './app.ts';
import { loadIngestConfig } from './config.ts';
import { latestRegistryIndex } from './latest-registry-index.ts';
import { MqttNodeCommands, RebirthThrottle } from './node-commands.ts';

const config = loadIngestConfig();
const log = createLogger('ingest', config.logLevel);
const horizonMs = parseInstant(config.readingHorizon);
if (horizonMs === undefined) {
  log.fatal({ readingHorizon: config.readingHorizon }, 'MTL_READING_HORIZON is not a real instant');
  process.exit(1);
}
const metrics = createMetricsRegistry('ingest');

const bus = new KafkaBus({
  brokers: config.kafkaBrokers,
  clientId: `meterline-ingest-${config.instanceId}`,
  log: (level, message, extra) => log[level](extra, message),
});
const producerBus =
  config.kafkaProducerClient === 'platformatic'
    ? new PlatformaticKafkaBus({ brokers: config.kafkaBrokers, clientId: `meterline-ingest-${config.instanceId}-producer`, log: (level, message, extra) => log[level](extra, message) })
    : bus;
// The topic is read to its end before MQTT is subscribed: no payload is judged on part of the registry.
const registry = await registrySourceFromConfig(config, { consumer: (options) => bus.consumer(options), service: 'ingest', instanceId: config.instanceId, log });
// File: the index loaded at start, replaced at each SIGHUP; topic: built again when an entry is read.
let fileIndex = indexRegistry(registry.kind === 'file' ? await registry.source.current() : { version: 1, enterprises: [] });
const registryIndex = registry.kind === 'topic' ? latestRegistryIndex(() => registry.source.latest()) : () => fileIndex;
const mqttLog = (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => log[level](extra ?? {}, message);
const mqttAccount = { url: config.mqttUrl, username: config.mqttUsername, password: config.mqttPassword };
const sparkplug = config.sparkplugHost
  ? {
      source: new MqttSharedSource({
        ...mqttAccount,
        clientIdPrefix: `${ingestClientIdPrefix(config.instanceId)}-sparkplug`,
        // One connection: the broker hands it each node's messages in the order the node sent them.
        connections: 1,
        inFlightPerConnection: config.mqttInFlightPerConnection,
        maxInFlightBytes: config.mqttInFlightBytes,
        shareGroup: config.sparkplugShareGroup,
        topicFilters: SPARKPLUG_TOPIC_FILTERS,
        sessionExpirySeconds: config.mqttSessionExpirySeconds,
        keepaliveSeconds: config.mqttKeepaliveSeconds,
        log: mqttLog,
      }),
      // Births are kept only of devices the registry maps a metric of: a node cannot grow the host's memory with devices it invents.
      host: new SparkplugHost({ tracksDevice: (_group, node, device) => registryIndex().hasSparkplugDevice(node, device) }),
      commands: new MqttNodeCommands({ ...mqttAccount, clientId: `${ingestClientIdPrefix(config.instanceId)}-sparkplug-commands`, log: mqttLog }),
      rebirths: new RebirthThrottle(config.sparkplugRebirthIntervalMs),
    }
  : undefined;
const app = createIngestApp({
  source: new MqttSharedSource({
    ...mqttAccount,
    clientIdPrefix: ingestClientIdPrefix(config.instanceId),
    connections: config.mqttConnections,
    inFlightPerConnection: config.mqttInFlightPerConnection,
    maxInFlightBytes: config.mqttInFlightBytes,
    shareGroup: config.mqttShareGroup,
    topicFilters: [READINGS_TOPIC_FILTER, STATUS_TOPIC_FILTER],
    sessionExpirySeconds: config.mqttSessionExpirySeconds,
    keepaliveSeconds: config.mqttKeepaliveSeconds,
    log: mqttLog,
  }),
  producer: await producerBus.producer(),
  readingsPartitioner: await producerBus.keyPartitioner(config.readingsTopic),
  registry: registryIndex,
  topics: { readings: config.readingsTopic, deadLetters: config.deadLetterTopic, deviceStatus: config.deviceStatusTopic, deviceSequence: config.deviceSequenceTopic },
  rules: { maxPayloadBytes: config.maxPayloadBytes, maxFutureSkewMs: config.maxFutureSkewMs, horizonMs },
  batching: { lingerMs: config.kafkaLingerMs, maxBatchRecords: config.kafkaMaxBatchRecords, closeGraceMs: config.kafkaCloseGraceMs },
  log,
  metrics,
  ...(sparkplug ? { sparkplug } : {}),
});

// SIGHUP reloads the registry file; a bad file is reported and the registry in force kept.
process.on('SIGHUP', () => {
  if (registry.kind === 'topic') {
    log.info({ topic: registry.topic }, 'SIGHUP: the registry follows its topic, nothing to reload');
    return;
  }
  loadRegistryFile(registry.file).then(
    (next) => {
      fileIndex = next;
      log.info({ file: registry.file }, 'registry reloaded');
    },
    (error: unknown) => log.error({ err: error }, 'registry reload failed; keeping the previous one'),
  );
});

await serveUntilSignalled({
  app,
  alsoClose: [registry, bus, ...(producerBus === bus ? [] : [producerBus])],
  ops: { host: config.opsHost, port: config.opsPort, metrics },
  log,
  started: { connections: config.mqttConnections },
});
