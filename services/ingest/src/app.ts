import type { BusProducer, KeyPartitioner } from '@meterline/bus';
import {
  deadLetterCodec,
  deviceSequenceCodec,
  deviceStatusCodec,
  encodeReadingRecords,
  type DeadLetterV2,
  type PayloadOutcome,
} from '@meterline/contracts';
import type { RegistryIndex } from '@meterline/domain';
import type { MessageHandler, MessageMeta, MessageSource } from '@meterline/mqtt-source';
import { rebirthRequest, type SparkplugHost } from '@meterline/sparkplug';
import { kafkaProducerCheck, type HealthReport, type Logger, type Registry } from '@meterline/service-kit';
import { admitPayload, readingsTopicDevice, type AdmissionRules } from './admit-payload.ts';
import { admitSparkplug } from './admit-sparkplug.ts';
import { admitStatus, isStatusTopic } from './admit-status.ts';
import { BatchingPublisher, type OutgoingRecord, type TooLargeReplacement } from './batching-publisher.ts';
import { ingestDeadLetter, type MessageOrigin } from './dead-letter.ts';
import { createIngestMetrics } from './metrics.ts';
import type { NodeCommands, RebirthThrottle } from './node-commands.ts';
import { payloadSequence } from './payload-sequence.ts';

export interface IngestAppDeps {
  source: MessageSource;
  producer: BusProducer;
  /** Where the producer puts each point's records on the readings topic: a payload's readings travel one record per partition. */
  readingsPartitioner: KeyPartitioner;
  /** Returns the registry in force now, so a reload takes effect on the next payload. */
  registry: () => RegistryIndex;
  /**
   * `deviceStatus` carries what devices publish on their status topic (and their last will);
   * `deviceSequence` one record per readings payload with the device's seq and digest.
   */
  topics: { readings: string; deadLetters: string; deviceStatus: string; deviceSequence: string };
  rules: AdmissionRules;
  batching: { lingerMs: number; maxBatchRecords: number; closeGraceMs: number };
  log: Logger;
  metrics: Registry;
  now?: () => Date;
  /** The Sparkplug B host, when this instance is it: its own source (one connection, so each node's messages come in order). */
  sparkplug?: SparkplugDeps;
}

interface SparkplugDeps {
  source: MessageSource;
  host: SparkplugHost;
  commands: NodeCommands;
  rebirths: RebirthThrottle;
}

export interface IngestApp {
  start(): Promise<void>;
  close(): Promise<void>;
  health(): Promise<HealthReport>;
}

/**
 * MQTT payloads in, Kafka readings, device statuses and dead letters out; each payload
 * acknowledged only once Kafka has all of it.
 */
export function createIngestApp(deps: IngestAppDeps): IngestApp {
  const now = deps.now ?? (() => new Date());
  const metrics = createIngestMetrics(deps.metrics, () => deps.source.status().connected + (deps.sparkplug?.source.status().connected ?? 0));
  let lastKafkaError: string | undefined;
  const publisher = new BatchingPublisher(deps.producer, {
    ...deps.batching,
    onSendFailure: (error, attempt) => {
      lastKafkaError = (error as Error).message;
      metrics.kafkaFailures.inc();
      deps.log.warn({ err: error, attempt }, 'Kafka send failed; retrying, MQTT acknowledgements held');
    },
    onBatchSent: (_records, seconds) => {
      lastKafkaError = undefined;
      metrics.kafkaSend.observe(seconds);
    },
  });

  const deadLetterRecord = (letter: DeadLetterV2): OutgoingRecord => ({
    topic: deps.topics.deadLetters,
    message: deadLetterCodec.encode(letter, letter.topicDeviceId ?? null),
  });

  const countDeadLetter = (letter: DeadLetterV2, topic: string) => {
    // Counted per refusal: a payload refused as a whole once, each refused reading of it once.
    for (const refusal of letter.refusals ?? [letter]) metrics.deadLetters.inc({ reason: refusal.reason });
    deps.log.info({ reason: letter.reason, detail: letter.detail, refusals: letter.refusals?.length, topic, sha256: letter.original.sha256 }, 'dead-lettered');
  };

  /**
   * A record derived from the payload that Kafka refused as too large is replaced by a dead
   * letter of the payload (a digest and an excerpt only), so it is never sent again and the
   * messages behind it go on.
   */
  const replaceTooLarge =
    (origin: MessageOrigin): TooLargeReplacement =>
    (record, error) => {
      const letter = ingestDeadLetter(
        origin,
        'RECORD_TOO_LARGE',
        `Kafka refused a record of ${record.message.value.length} bytes for ${record.topic} derived from this payload: ${error.message}`,
      );
      metrics.deadLetters.inc({ reason: letter.reason });
      deps.log.warn({ reason: letter.reason, detail: letter.detail, topic: origin.mqttTopic, sha256: letter.original.sha256 }, 'dead-lettered a record Kafka refused as too large');
      return deadLetterRecord(letter);
    };

  /** Resolves once Kafka acknowledged every record: only then may the MQTT message be acknowledged. */
  const publish = async (records: OutgoingRecord[], origin: MessageOrigin): Promise<void> => {
    metrics.inFlight.inc();
    try {
      await publisher.publish(records, replaceTooLarge(origin));
    } finally {
      metrics.inFlight.dec();
    }
  };

  const handleReadings = async (topic: string, payload: Buffer): Promise<void> => {
    const receivedAt = now();
    const registry = deps.registry();
    const admission = admitPayload(topic, payload, receivedAt, registry, deps.rules);
    const { deadLetter } = admission;
    const outcome: PayloadOutcome = !deadLetter ? 'admitted' : admission.readings.length === 0 ? 'dead-lettered' : 'partly-admitted';
    const topicDeviceId = readingsTopicDevice(topic);
    // In the same send as the readings and the dead letter: the seq is on Kafka exactly when they are.
    const sequence = payloadSequence(topicDeviceId, payload, admission, outcome, receivedAt, registry);
    await publish(
      [
        ...encodeReadingRecords(admission.readings, deps.readingsPartitioner.partitionOf).map((message) => ({ topic: deps.topics.readings, message })),
        ...(deadLetter ? [deadLetterRecord(deadLetter)] : []),
        ...(sequence
          ? [{ topic: deps.topics.deviceSequence, message: deviceSequenceCodec.encode(sequence, sequence.deviceId) }]
          : []),
      ],
      { mqttTopic: topic, topicDeviceId, receivedAt, payload },
    );
    metrics.readings.inc(admission.readings.length);
    if (deadLetter) countDeadLetter(deadLetter, topic);
    metrics.payloads.inc({ outcome });
  };

  const handleStatus = async (topic: string, payload: Buffer, meta: MessageMeta): Promise<void> => {
    const receivedAt = now();
    const admission = admitStatus(topic, payload, meta.retained, receivedAt, deps.registry(), deps.rules);
    if (admission.kind === 'dead-letter') {
      await publish([deadLetterRecord(admission.deadLetter)], { mqttTopic: topic, topicDeviceId: admission.deadLetter.topicDeviceId, receivedAt, payload });
      countDeadLetter(admission.deadLetter, topic);
      metrics.payloads.inc({ outcome: 'dead-lettered' });
      return;
    }
    const { status } = admission;
    await publish(
      [
        {
          topic: deps.topics.deviceStatus,
          message: deviceStatusCodec.encode(status, status.deviceId),
        },
      ],
      { mqttTopic: topic, topicDeviceId: status.deviceId, receivedAt, payload },
    );
    metrics.deviceStatuses.inc({ state: status.state });
    metrics.payloads.inc({ outcome: 'admitted' });
  };

  const handle: MessageHandler = (topic, payload, meta) =>
    isStatusTopic(topic) ? handleStatus(topic, payload, meta) : handleReadings(topic, payload);

  const askRebirth = (sparkplug: SparkplugDeps, rebirth: { topic: string; reason: string }, at: Date) => {
    if (!sparkplug.rebirths.mayAsk(rebirth.topic, at.getTime())) return;
    metrics.sparkplugRebirths.inc();
    deps.log.info({ topic: rebirth.topic, reason: rebirth.reason }, 'asking a Sparkplug edge node for a rebirth');
    sparkplug.commands.send(rebirth.topic, rebirthRequest(at.getTime())).catch((error: unknown) => {
      // The node is asked again at its next message past the interval: the session stays untrusted till then.
      deps.log.warn({ err: error, topic: rebirth.topic }, 'rebirth request not sent');
    });
  };

  /** Sparkplug's session state moves before the first await: messages are judged in the order they came. */
  const handleSparkplug =
    (sparkplug: SparkplugDeps): MessageHandler =>
    async (topic, payload, meta) => {
      const receivedAt = now();
      const admission = admitSparkplug(topic, payload, meta.retained, receivedAt, deps.registry(), sparkplug.host, deps.rules);
      if (admission.rebirth) askRebirth(sparkplug, admission.rebirth, receivedAt);
      const { readings, deadLetter, statuses } = admission;
      await publish(
        [
          ...encodeReadingRecords(readings, deps.readingsPartitioner.partitionOf).map((message) => ({ topic: deps.topics.readings, message })),
          ...(deadLetter ? [deadLetterRecord(deadLetter)] : []),
          ...statuses.map((status) => ({ topic: deps.topics.deviceStatus, message: deviceStatusCodec.encode(status, status.deviceId) })),
        ],
        { mqttTopic: topic, topicDeviceId: deadLetter?.topicDeviceId, receivedAt, payload },
      );
      metrics.readings.inc(readings.length);
      if (deadLetter) countDeadLetter(deadLetter, topic);
      for (const status of statuses) metrics.deviceStatuses.inc({ state: status.state });
      for (const event of admission.deviceEvents) metrics.sparkplugDeviceEvents.inc({ state: event.online ? 'online' : 'offline' });
      if (admission.ignored !== undefined) deps.log.debug({ topic, why: admission.ignored }, 'Sparkplug message changed nothing');
      const outcome = admission.ignored !== undefined ? 'ignored' : !deadLetter ? 'admitted' : readings.length === 0 ? 'dead-lettered' : 'partly-admitted';
      metrics.payloads.inc({ outcome });
    };

  return {
    start: async () => {
      await deps.source.start(handle);
      if (deps.sparkplug) await deps.sparkplug.source.start(handleSparkplug(deps.sparkplug));
    },
    close: async () => {
      // Stop taking messages first; then what is in hand reaches Kafka or stays unacknowledged.
      const sourcesClosed = Promise.all([deps.source.close(), deps.sparkplug?.source.close()]);
      await publisher.close();
      await sourcesClosed;
      await deps.sparkplug?.commands.close();
      await deps.producer.close();
    },
    health: () => {
      const statuses = [deps.source.status(), ...(deps.sparkplug ? [deps.sparkplug.source.status()] : [])];
      const connected = statuses.reduce((n, s) => n + s.connected, 0);
      const connections = statuses.reduce((n, s) => n + s.connections, 0);
      const waiting = kafkaProducerCheck(publisher.unacknowledgedSince(), Date.now());
      const checks = {
        mqtt: connected === connections ? 'ok' : `${connected}/${connections} connections up`,
        kafka: lastKafkaError !== undefined ? `failing: ${lastKafkaError}` : waiting,
      };
      return Promise.resolve({ healthy: connected > 0 && checks.kafka === 'ok', checks });
    },
  };
}
