import { randomUUID } from 'node:crypto';
import type { BusConsumer, ConsumedMessage } from '@meterline/bus';
import { ALERTING_CHANGE_HEADERS, decodeAlertingRecord, type AlertingChangeV1, type AlertingSilenceV1, type AlertingSubscriptionV1, type AlertRule } from '@meterline/contracts';

type SubscriptionChange = Extract<AlertingChangeV1, { kind: 'subscription' }>;
type SilenceChange = Extract<AlertingChangeV1, { kind: 'silence' }>;

/** A subscription as the alerter applies it, from its alerting file or the topic: every setting explicit, no timestamp. */
export type AlertingSubscription = Omit<AlertingSubscriptionV1, 'createdAt' | 'rules'> & { rules: readonly AlertRule[] | undefined };

/** A silence as the alerter applies it, from its alerting file or the topic: no timestamp. */
type AlertingSilence = Omit<AlertingSilenceV1, 'createdAt'>;

/**
 * The alerter's alerting settings as the overlay sees them: the subscriptions and silences, and
 * the rules, which only the alerting file holds (their type is the alerter's).
 */
export interface AlertingSettings<Rules> {
  rulesFor(enterpriseId: string): Rules;
  subscriptionsOf(enterpriseId: string): readonly AlertingSubscription[];
  subscription(id: string): AlertingSubscription | undefined;
  silencesOf(enterpriseId: string): readonly AlertingSilence[];
}

/** The alerting topic as read so far: the newest change of every entity not deleted, by id. */
export interface AlertingTopicState {
  subscriptions(): ReadonlyMap<string, SubscriptionChange>;
  silences(): ReadonlyMap<string, SilenceChange>;
}

/** A record the reader could not use; it is skipped (the entity keeps its previous value). */
export interface AlertingRecordRejected {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  detail: string;
}

export interface AlertingTopicReader extends AlertingTopicState {
  /** Resolves once the reader has read everything the topic held when it started. */
  caughtUp(): Promise<void>;
  isCaughtUp(): boolean;
  /** Resolves once the record written with this write id (its `write-id` header) has been read; rejects when the reader closes first. */
  sawWrite(writeId: string): Promise<void>;
  close(): Promise<void>;
}

export interface AlertingTopicReaderOptions {
  /**
   * A consumer of the alerting topic only, in a consumer group of its own that no other
   * process shares and that has committed nothing (alertingTopicGroupId), reading from the
   * beginning: every instance must read every record, from the start, on every start.
   */
  consumer: BusConsumer;
  onRejected: (rejected: AlertingRecordRejected) => void;
  /** How often the consumer's lag is asked while catching up (default 100 ms). */
  lagPollMs?: number;
}

/**
 * A consumer group for one reader of the alerting topic: unique per process start, so that it
 * reads the whole topic again (a committed group would resume where the last run stopped, with
 * nothing in memory). The broker forgets an abandoned group after its offsets retention.
 */
export const alertingTopicGroupId = (service: string): string => `meterline-${service}-alerting-${randomUUID()}`;

/** Write ids remembered after they were read, for writers that ask after the reader got there. */
const SEEN_WRITES_KEPT = 1_024;

/**
 * Reads the compacted alerting topic into memory and keeps reading: each record replaces its
 * key's entity, an empty value deletes it, a record that is not an alerting change v1 is
 * reported and skipped. The handler never fails, so a bad record cannot stall the topic.
 */
export async function startAlertingTopicReader(options: AlertingTopicReaderOptions): Promise<AlertingTopicReader> {
  const subscriptions = new Map<string, SubscriptionChange>();
  const silences = new Map<string, SilenceChange>();
  const seenWrites = new Set<string>();
  const waiters = new Map<string, { resolve: () => void; reject: (error: Error) => void }[]>();
  let closed = false;
  let caughtUp = false;

  const sawWriteId = (writeId: string) => {
    seenWrites.add(writeId);
    if (seenWrites.size > SEEN_WRITES_KEPT) seenWrites.delete(seenWrites.values().next().value!);
    for (const waiter of waiters.get(writeId) ?? []) waiter.resolve();
    waiters.delete(writeId);
  };

  const apply = (topic: string, partition: number, message: ConsumedMessage) => {
    const record = decodeAlertingRecord(message.key, message.value);
    if (!record.ok) {
      options.onRejected({ topic, partition, offset: message.offset, key: message.key, detail: record.detail });
    } else if (record.kind === 'subscription') {
      if (record.change?.kind === 'subscription') subscriptions.set(record.id, record.change);
      else subscriptions.delete(record.id);
    } else if (record.change?.kind === 'silence') silences.set(record.id, record.change);
    else silences.delete(record.id);
    // A rejected record was still read: its writer must not wait for it.
    const writeId = message.headers?.[ALERTING_CHANGE_HEADERS.writeId];
    if (writeId !== undefined) sawWriteId(writeId);
  };

  // Both buses await the handler inside a try: a throw here refuses the batch as a rejection would.
  await options.consumer.start((batch) => {
    for (const message of batch.messages) apply(batch.topic, batch.partition, message);
    return Promise.resolve();
  });

  const lagPollMs = options.lagPollMs ?? 100;
  const catchingUp = (async () => {
    // The group has committed nothing before this reader: its lag is what the topic held, less what was read.
    while (!closed && (await options.consumer.lag()) !== 0) await new Promise((resolve) => setTimeout(resolve, lagPollMs));
    caughtUp = !closed;
  })();

  return {
    subscriptions: () => subscriptions,
    silences: () => silences,
    caughtUp: () => catchingUp,
    isCaughtUp: () => caughtUp,
    sawWrite(writeId) {
      if (seenWrites.has(writeId)) return Promise.resolve();
      if (closed) return Promise.reject(new Error('the alerting topic reader is closed'));
      return new Promise((resolve, reject) => waiters.set(writeId, [...(waiters.get(writeId) ?? []), { resolve, reject }]));
    },
    async close() {
      closed = true;
      for (const waiter of [...waiters.values()].flat()) waiter.reject(new Error('the alerting topic reader closed before the write was read'));
      waiters.clear();
      await options.consumer.close();
      await catchingUp;
    },
  };
}

const subscriptionOf = ({ subscription: s }: SubscriptionChange): AlertingSubscription => ({
  id: s.id,
  enterpriseId: s.enterpriseId,
  url: s.url,
  secret: s.secret,
  ...(s.previousSecret !== undefined ? { previousSecret: s.previousSecret } : {}),
  format: s.format,
  rules: s.rules,
  minSeverity: s.minSeverity,
  rateLimit: s.rateLimit,
});

const silenceOf = ({ silence: s }: SilenceChange): AlertingSilence => ({
  id: s.id,
  enterpriseId: s.enterpriseId,
  ...(s.rules !== undefined ? { rules: s.rules } : {}),
  ...(s.subject !== undefined ? { subject: s.subject } : {}),
  endsAt: s.endsAt,
  comment: s.comment,
  createdBy: s.createdBy,
});

/**
 * The alerting file with the topic's subscriptions and silences over it: a topic entry adds
 * to the file's, or replaces the file's entry of the same id; a deletion on the topic removes
 * the topic's entry only (the file's stay the file's). The file's entries come first, then the
 * topic's by id. Rules and budgets are the file's. The
 * topic is read when asked, so a change read from the topic applies at the next lookup, even
 * within one evaluation of the file.
 */
export function overlayAlerting<Rules>(file: AlertingSettings<Rules>, topic: AlertingTopicState): AlertingSettings<Rules> {
  // By id: the topic's order depends on its partitions.
  const ofEnterprise = <T extends { id: string; enterpriseId: string }>(entries: T[], enterpriseId: string) =>
    entries.filter((e) => e.enterpriseId === enterpriseId).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    rulesFor: (enterpriseId) => file.rulesFor(enterpriseId),
    subscriptionsOf(enterpriseId) {
      const onTopic = topic.subscriptions();
      const own = ofEnterprise([...onTopic.values()].map(subscriptionOf), enterpriseId);
      return [...file.subscriptionsOf(enterpriseId).filter((s) => !onTopic.has(s.id)), ...own];
    },
    subscription(id) {
      const onTopic = topic.subscriptions().get(id);
      return onTopic ? subscriptionOf(onTopic) : file.subscription(id);
    },
    silencesOf(enterpriseId) {
      const onTopic = topic.silences();
      const own = ofEnterprise([...onTopic.values()].map(silenceOf), enterpriseId);
      return [...file.silencesOf(enterpriseId).filter((s) => !onTopic.has(s.id)), ...own];
    },
  };
}
