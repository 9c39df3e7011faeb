import { randomUUID } from 'node:crypto';
import type { BusProducer } from '@meterline/bus';
import { ALERTING_CHANGE_SCHEMA_ID, AlertingChangeV1, alertingChangeRecord, alertingDeletionRecord, compileValidator, type AlertingKind, type EncodedRecord } from '@meterline/contracts';
import { API_INTERNAL_ERRORS } from '../errors.ts';

/**
 * Where the API writes changes of webhook subscriptions and silences: the compacted alerting
 * topic, which every alerter instance and every API instance reads (services/alerter/src/alerting-topic.ts).
 * Each write has a random id (record header `write-id`) by which a reader tells it has read it.
 */
export interface AlertingWriter {
  /** The entity's new value; resolves with the write's id once the topic durably holds it, rejects with an AlertingWriteError when it could not. */
  put(change: AlertingChangeV1): Promise<string>;
  /** Deletes the entity: an empty value on its key. */
  remove(kind: AlertingKind, id: string): Promise<string>;
}

/** The topic did not take a change (the broker unreachable, not enough in-sync replicas, …): nothing was changed; the same write may succeed later. */
export class AlertingWriteError extends Error {
  override readonly name = 'AlertingWriteError';
  readonly code = 'MTL_API_ALERTING_WRITE_FAILED' satisfies (typeof API_INTERNAL_ERRORS.codes)[number];
  readonly canRetry = API_INTERNAL_ERRORS.canRetry(this.code);
}

const validChange = compileValidator(AlertingChangeV1, { allErrors: true });

/**
 * The writer on a bus producer: Kafka's (packages/bus-kafka, acks from all in-sync replicas)
 * in main.ts, the in-memory bus's in tests.
 */
export function topicAlertingWriter(producer: BusProducer, topic: string): AlertingWriter {
  const send = async (record: EncodedRecord, writeId: string): Promise<string> => {
    try {
      await producer.send(topic, [record]);
    } catch (error) {
      throw new AlertingWriteError(`the alerting topic ${topic} did not take the change of ${record.key}`, { cause: error });
    }
    return writeId;
  };
  return {
    put: (change) => {
      // Every reader would skip a record that is not of the contract: such a write is a bug here, never sent.
      const checked = validChange.validate(change);
      if (!checked.ok) return Promise.reject(new TypeError(`not ${ALERTING_CHANGE_SCHEMA_ID}: ${checked.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`));
      const writeId = randomUUID();
      return send(alertingChangeRecord(change, writeId), writeId);
    },
    remove: (kind, id) => {
      const writeId = randomUUID();
      return send(alertingDeletionRecord(kind, id, writeId), writeId);
    },
  };
}
