import type { BusProducer } from '@meterline/bus';
import { DEAD_LETTER_SCHEMA_ID, DEVICE_STATUS_SCHEMA_ID, READING_SCHEMA_ID, type DeadLetterV1 } from '@meterline/contracts';
import type { RegistryIndex } from '@meterline/domain';
import type { MessageHandler, MessageMeta, MessageSource } from '@meterline/mqtt-source';
import type { HealthReport, Logger, Registry } from '@meterline/service-kit';
import { admitPayload, type AdmissionRules } from './admit-payload.ts';
import { admitStatus, isStatusTopic } from './admit-status.ts';
import { BatchingPublisher, type OutgoingRecord } from './batching-publisher.ts';
import { createIngestMetrics } from './metrics.ts';

export interface IngestAppDeps {
  source: MessageSource;
  producer: BusProducer;
  /** Returns the registry in force now, so a reload takes effect on the next payload. */
  registry: () => RegistryIndex;
  /** `deviceStatus` carries what devices publish on their status topic (and their last will). */
  topics: { readings: string; deadLetters: string; deviceStatus: string };
  rules: AdmissionRules;
  batching: { lingerMs: number; maxBatchRecords: number; closeGraceMs: number };
  log: Logger;
  metrics: Registry;
  now?: () => Date;
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
  const metrics = createIngestMetrics(deps.metrics, () => deps.source.status().connected);
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

  const deadLetterRecord = (letter: DeadLetterV1): OutgoingRecord => ({
    topic: deps.topics.deadLetters,
    message: {
      key: letter.topicDeviceId ?? null,
      value: Buffer.from(JSON.stringify(letter)),
      headers: { schema: DEAD_LETTER_SCHEMA_ID, reason: letter.reason },
    },
  });

  /** Resolves once Kafka acknowledged every record: only then may the MQTT message be acknowledged. */
  const publish = async (records: OutgoingRecord[]): Promise<void> => {
    metrics.inFlight.inc();
    try {
      await publisher.publish(records);
    } finally {
      metrics.inFlight.dec();
    }
  };

  const countDeadLetters = (letters: DeadLetterV1[], topic: string) => {
    for (const letter of letters) {
      metrics.deadLetters.inc({ reason: letter.reason });
      deps.log.info({ reason: letter.reason, detail: letter.detail, topic }, 'dead-lettered');
    }
  };

  const handleReadings = async (topic: string, payload: Buffer): Promise<void> => {
    const admission = admitPayload(topic, payload, now(), deps.registry(), deps.rules);
    await publish([
      ...admission.readings.map((reading) => ({
        topic: deps.topics.readings,
        message: { key: reading.pointId, value: Buffer.from(JSON.stringify(reading)), headers: { schema: READING_SCHEMA_ID } },
      })),
      ...admission.deadLetters.map(deadLetterRecord),
    ]);
    metrics.readings.inc(admission.readings.length);
    countDeadLetters(admission.deadLetters, topic);
    const outcome = admission.deadLetters.length === 0 ? 'admitted' : admission.readings.length === 0 ? 'dead-lettered' : 'partly-admitted';
    metrics.payloads.inc({ outcome });
  };

  const handleStatus = async (topic: string, payload: Buffer, meta: MessageMeta): Promise<void> => {
    const admission = admitStatus(topic, payload, meta.retained, now(), deps.registry(), deps.rules);
    if (admission.kind === 'dead-letter') {
      await publish([deadLetterRecord(admission.deadLetter)]);
      countDeadLetters([admission.deadLetter], topic);
      metrics.payloads.inc({ outcome: 'dead-lettered' });
      return;
    }
    const { status } = admission;
    await publish([
      {
        topic: deps.topics.deviceStatus,
        message: { key: status.deviceId, value: Buffer.from(JSON.stringify(status)), headers: { schema: DEVICE_STATUS_SCHEMA_ID } },
      },
    ]);
    metrics.deviceStatuses.inc({ state: status.state });
    metrics.payloads.inc({ outcome: 'admitted' });
  };

  const handle: MessageHandler = (topic, payload, meta) =>
    isStatusTopic(topic) ? handleStatus(topic, payload, meta) : handleReadings(topic, payload);

  return {
    start: () => deps.source.start(handle),
    close: async () => {
      // Stop taking messages first; then what is in hand reaches Kafka or stays unacknowledged.
      const sourceClosed = deps.source.close();
      await publisher.close();
      await sourceClosed;
      await deps.producer.close();
    },
    health: async () => {
      const { connected, connections } = deps.source.status();
      const checks = {
        mqtt: connected === connections ? 'ok' : `${connected}/${connections} connections up`,
        kafka: lastKafkaError === undefined ? 'ok' : `failing: ${lastKafkaError}`,
      };
      return { healthy: connected > 0 && lastKafkaError === undefined, checks };
    },
  };
}
