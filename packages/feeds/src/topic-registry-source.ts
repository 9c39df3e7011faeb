import { randomUUID } from 'node:crypto';
import type { BusConsumer, ConsumedMessage } from '@meterline/bus';
import { decodeRegistryRecord, type RegistryEntryV1 } from '@meterline/contracts';
import type { Enterprise, Manifest } from '@meterline/domain';
import { checkEnterpriseEntry, formatEntryProblems, idClaimConflicts } from './registry-entry-check.ts';
import type { RegistrySource } from './registry-file-source.ts';

/** A record of the registry topic that the source did not apply; the enterprise keeps its previous entry. */
export interface RegistryRecordRejected {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /**
   * UNREADABLE: not a registry entry v1 (key, JSON, schema, hash); INVALID: the domain refuses
   * the enterprise; CONFLICT: the entry holds a site, metering point or device id that an
   * enterprise uploaded earlier holds, so the enterprise is left out of the manifest until
   * one of them changes.
   */
  reason: 'UNREADABLE' | 'INVALID' | 'CONFLICT';
  detail: string;
}

/** An entry that took effect: the enterprise's new entry, or null when it was removed. */
export interface RegistryEntryApplied {
  enterpriseId: string;
  entry: RegistryEntryV1 | null;
}

export interface TopicRegistrySourceOptions {
  /**
   * A consumer of the registry topic only, in a consumer group that no other process shares
   * and that has committed nothing (registryTopicGroupId), reading from the beginning: every
   * instance reads every entry, on every start.
   */
  consumer: BusConsumer;
  onRejected: (rejected: RegistryRecordRejected) => void;
  onApplied?: (applied: RegistryEntryApplied) => void;
  /** How often the consumer's lag is asked while catching up (default 100 ms). */
  lagPollMs?: number;
}

export interface TopicRegistrySource extends RegistrySource {
  /** Resolves once the source has read everything the topic held when it started; `current()` waits for it. */
  ready(): Promise<void>;
  /** The manifest as read so far, synchronously; the same object until an entry changes it. */
  latest(): Manifest;
  /** The version of the enterprise's entry in force on the topic (undefined: none, or removed). */
  version(enterpriseId: string): number | undefined;
  entry(enterpriseId: string): RegistryEntryV1 | undefined;
  entries(): ReadonlyMap<string, RegistryEntryV1>;
  close(): Promise<void>;
}

/**
 * A consumer group for one registry reader: the service and its instance, and a part unique
 * to this start, so that it reads the whole topic again (a group that committed would resume
 * where the last run stopped, with nothing in memory). The broker forgets an abandoned group
 * after its offsets retention.
 */
export const registryTopicGroupId = (service: string, instanceId: string): string => `meterline-${service}-${instanceId}-registry-${randomUUID()}`;

interface Accepted {
  entry: RegistryEntryV1;
  enterprise: Enterprise;
  at: { topic: string; partition: number; offset: string };
}

/**
 * Uploaded first holds its ids (ties by enterprise id): every instance that has read the same
 * entries builds the same manifest, whatever order its partitions came in.
 */
const byUpload = (a: Accepted, b: Accepted) => Date.parse(a.entry.uploadedAt) - Date.parse(b.entry.uploadedAt) || (a.entry.enterpriseId < b.entry.enterpriseId ? -1 : 1);

/**
 * The registry read from its compacted topic, kept in memory and kept up to date: each record
 * replaces its enterprise's entry, an empty value removes it. A record that is no registry
 * entry v1, or whose enterprise the domain refuses, is reported and skipped: the enterprise
 * keeps its previous entry. The handler never fails, so a bad record cannot stall the topic.
 */
export async function startTopicRegistrySource(options: TopicRegistrySourceOptions): Promise<TopicRegistrySource> {
  const accepted = new Map<string, Accepted>();
  const entries = new Map<string, RegistryEntryV1>();
  const reportedConflicts = new Set<string>();
  let manifest: Manifest = { version: 1, enterprises: [] };
  let conflicts: { accepted: Accepted; clashes: string[] }[] = [];
  let caughtUp = false;
  let closed = false;

  const rebuild = () => {
    const ordered = [...accepted.values()].sort(byUpload);
    const { kept, conflicts: clashing } = idClaimConflicts(ordered.map((a) => a.enterprise));
    manifest = { version: 1, enterprises: kept.sort((a, b) => (a.id < b.id ? -1 : 1)) };
    conflicts = clashing.map((c) => ({ accepted: accepted.get(c.enterprise.id)!, clashes: c.clashes }));
  };

  // While catching up an entry may clash only until its partner's newer entry is read (a
  // device moved between enterprises): conflicts are told once caught up, each once.
  const reportConflicts = () => {
    for (const { accepted: a, clashes } of conflicts) {
      const id = `${a.at.topic}|${a.at.partition}|${a.at.offset}`;
      if (reportedConflicts.has(id)) continue;
      reportedConflicts.add(id);
      options.onRejected({ ...a.at, key: a.entry.enterpriseId, reason: 'CONFLICT', detail: `version ${a.entry.version} left out of the registry: ${clashes.join('; ')}` });
    }
  };

  const apply = (topic: string, partition: number, message: ConsumedMessage): boolean => {
    const at = { topic, partition, offset: message.offset };
    const record = decodeRegistryRecord(message.key, message.value);
    if (!record.ok) {
      options.onRejected({ ...at, key: message.key, reason: 'UNREADABLE', detail: record.detail });
      return false;
    }
    const { enterpriseId, entry } = record;
    if (entry === null) {
      const removed = accepted.delete(enterpriseId);
      entries.delete(enterpriseId);
      if (removed) options.onApplied?.({ enterpriseId, entry: null });
      return removed;
    }
    const checked = checkEnterpriseEntry(entry.enterprise, `${topic}/${partition}@${message.offset}`);
    if (!checked.ok) {
      options.onRejected({ ...at, key: message.key, reason: 'INVALID', detail: `version ${entry.version}: ${formatEntryProblems(checked.problems)}` });
      return false;
    }
    accepted.set(enterpriseId, { entry, enterprise: checked.enterprise, at });
    entries.set(enterpriseId, entry);
    options.onApplied?.({ enterpriseId, entry });
    return true;
  };

  // Both buses await the handler inside a try: a throw here refuses the batch as a rejection would.
  await options.consumer.start((batch) => {
    let changed = false;
    for (const message of batch.messages) changed = apply(batch.topic, batch.partition, message) || changed;
    if (changed) {
      rebuild();
      if (caughtUp) reportConflicts();
    }
    return Promise.resolve();
  });

  const lagPollMs = options.lagPollMs ?? 100;
  // Kept as an outcome, so a failure (the lag cannot be read, closed first) reaches whoever
  // asks (ready, current) and is not also an unhandled rejection when nobody does.
  const outcome: { failure?: Error } = {};
  const catchingUp = (async () => {
    // The group has committed nothing before this source: its lag is what the topic held, less
    // what was read; the bus commits a batch only after the handler applied it.
    while (!closed && (await options.consumer.lag()) !== 0) await new Promise((resolve) => setTimeout(resolve, lagPollMs));
    if (closed) throw new Error('the registry source closed before it caught up with the topic');
    caughtUp = true;
    reportConflicts();
  })().catch((error: unknown) => {
    outcome.failure = error instanceof Error ? error : new Error(String(error));
  });
  const ready = async () => {
    await catchingUp;
    if (outcome.failure) throw outcome.failure;
  };

  return {
    ready,
    current: async () => {
      await ready();
      return manifest;
    },
    latest: () => manifest,
    version: (enterpriseId) => entries.get(enterpriseId)?.version,
    entry: (enterpriseId) => entries.get(enterpriseId),
    entries: () => entries,
    async close() {
      closed = true;
      await options.consumer.close();
    },
  };
}
