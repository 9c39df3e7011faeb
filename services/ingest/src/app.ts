import type { BusProducer } from '@meterline/bus';
import { DEAD_LETTER_SCHEMA_ID, READING_SCHEMA_ID } from '@meterline/contracts';
import type { RegistryIndex } from '@meterline/domain';
import type { MessageSource } from '@meterline/mqtt-source';
import type { HealthReport, Logger, Registry } from '@meterline/service-kit';
import { admitPayload, type AdmissionRules } from './admit-payload.ts';
import { BatchingPublisher, type OutgoingRecord } from './batching-publisher.ts';
import { createIngestMetrics } from './metrics.ts';

export interface IngestAppDeps {
  source: MessageSource;
  producer: BusProducer;
  /** Returns the registry in force now, so a reload takes effect on the next payload. */
  registry: () => RegistryIndex;
  topics: { readings: string; deadLetters: string };
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

/** MQTT payloads in, Kafka readings and dead letters out; each payload acknowledged only once Kafka has all of it. */
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

  const handle = async (topic: string, payload: Buffer): Promise<void> => {
    const admission = admitPayload(topic, payload, now(), deps.registry(), deps.rules);
    const records: OutgoingRecord[] = [
      ...admission.readings.map((reading) => ({
        topic: deps.topics.readings,
        message: { key: reading.pointId, value: Buffer.from(JSON.stringify(reading)), headers: { schema: READING_SCHEMA_ID } },
      })),
      ...admission.deadLetters.map((letter) => ({
        topic: deps.topics.deadLetters,
        message: {
          key: letter.topicDeviceId ?? null,
          value: Buffer.from(JSON.stringify(letter)),
          headers: { schema: DEAD_LETTER_SCHEMA_ID, reason: letter.reason },
        },
      })),
    ];
    metrics.inFlight.inc();
    try {
      await publisher.publish(records);
    } finally {
      metrics.inFlight.dec();
    }
    metrics.readings.inc(admission.readings.length);
    for (const letter of admission.deadLetters) {
      metrics.deadLetters.inc({ reason: letter.reason });
      deps.log.info({ reason: letter.reason, detail: letter.detail, topic }, 'dead-lettered');
    }
    const outcome = admission.deadLetters.length === 0 ? 'admitted' : admission.readings.length === 0 ? 'dead-lettered' : 'partly-admitted';
    metrics.payloads.inc({ outcome });
  };

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
