import { randomUUID } from 'node:crypto';
import type { BusConsumer, BusProducer } from '@meterline/bus';
import { decodeFactorSetRecord, factorSetKey, factorSetRecord, type FactorSetRecordV1 } from '@meterline/contracts';
import { checkFactorSetDefinition, createFactorCatalog, type FactorCatalog, type FactorSetDefinition } from '@meterline/domain';

/** A record of the factor-set topic that was not added to the catalogue. */
export interface FactorSetRecordRejected {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** UNREADABLE: not a factor set v1; INVALID: the domain refuses it; CHANGED: a set already published under that name and version, with other values. */
  reason: 'UNREADABLE' | 'INVALID' | 'CHANGED';
  detail: string;
}

export interface TopicFactorCatalog {
  /** The shipped sets and every custom set read so far: resolve() sees a set as soon as it is read. */
  readonly catalog: FactorCatalog;
  /** Resolves once everything the topic held at start has been read. */
  ready(): Promise<void>;
  /** The custom sets as published, by name@version. */
  custom(): ReadonlyMap<string, FactorSetRecordV1>;
  close(): Promise<void>;
}

/** A consumer group of its own for each start, so every reader reads the whole topic. */
export const factorSetTopicGroupId = (service: string, instanceId: string): string => `meterline-${service}-${instanceId}-factor-sets-${randomUUID()}`;

/**
 * The factor catalogue of a deployment: the shipped sets plus the custom sets on the compacted
 * factor-set topic. A published set never changes, so the first record of a key is kept and a
 * later one with other values is refused (reported); a record the contract or the domain
 * refuses is reported and skipped, never stalling the topic.
 */
export async function startTopicFactorCatalog(options: {
  consumer: BusConsumer;
  onRejected: (rejected: FactorSetRecordRejected) => void;
  lagPollMs?: number;
}): Promise<TopicFactorCatalog> {
  const custom = new Map<string, FactorSetRecordV1>();
  let catalog = createFactorCatalog();
  let closed = false;

  // Both buses await the handler inside a try: a throw here refuses the batch as a rejection would.
  await options.consumer.start((batch) => {
    let added = false;
    for (const message of batch.messages) {
      const at = { topic: batch.topic, partition: batch.partition, offset: message.offset, key: message.key };
      const decoded = decodeFactorSetRecord(message.key, message.value);
      if (!decoded.ok) {
        options.onRejected({ ...at, reason: 'UNREADABLE', detail: decoded.detail });
        continue;
      }
      const { set } = decoded.record;
      const key = factorSetKey(set);
      const known = custom.get(key);
      if (known) {
        if (JSON.stringify(known.set) !== JSON.stringify(set)) options.onRejected({ ...at, reason: 'CHANGED', detail: `${key} was published on ${known.createdAt} with other values; a published set never changes` });
        continue;
      }
      const issues = checkFactorSetDefinition(set);
      if (issues.length > 0) {
        options.onRejected({ ...at, reason: 'INVALID', detail: issues.map((i) => `${i.path}: ${i.message}`).join('; ') });
        continue;
      }
      if (catalog.list().some((s) => s.name === set.name && s.version === set.version)) {
        options.onRejected({ ...at, reason: 'CHANGED', detail: `${key} is a shipped set; a custom set takes another name or version` });
        continue;
      }
      custom.set(key, decoded.record);
      added = true;
    }
    if (added) catalog = createFactorCatalog([...custom.values()].map((r) => r.set as FactorSetDefinition));
    return Promise.resolve();
  });

  const lagPollMs = options.lagPollMs ?? 100;
  const caughtUp = (async () => {
    while (!closed && (await options.consumer.lag()) !== 0) await new Promise((resolve) => setTimeout(resolve, lagPollMs));
  })();

  return {
    catalog: { resolve: (name, version) => catalog.resolve(name, version), resolveFor: (enterprise) => catalog.resolveFor(enterprise), list: () => catalog.list() },
    ready: () => caughtUp,
    custom: () => custom,
    async close() {
      closed = true;
      await options.consumer.close();
    },
  };
}

/** Publishes a custom set under its name@version; check it first (checkFactorSetDefinition), as readers will. */
export async function publishFactorSet(producer: BusProducer, topic: string, record: FactorSetRecordV1): Promise<void> {
  await producer.send(topic, [factorSetRecord(record)]);
}
