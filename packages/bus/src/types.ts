import { errorCatalogue } from '@meterline/errors';
/**
 * The partition a record of a given key goes to on one topic, as the bus's producer picks it:
 * for a producer that packs several keys into one record (readings v2) and must keep each
 * key on its own partition.
 */
export interface KeyPartitioner {
  readonly partitionOf: (key: string) => number;
}

export interface BusMessage {
  /** Partitioning key: the metering point for readings, so one point keeps its order. */
  key: string | null;
  /**
   * An empty value deletes the key on a compacted topic: adapters store it as the broker's
   * delete marker (Kafka's null-value tombstone) and deliver it back as an empty value.
   */
  value: Buffer;
  headers?: Record<string, string>;
}

export interface ConsumedMessage extends BusMessage {
  offset: string;
  /** Broker timestamp, epoch milliseconds. */
  timestamp: number;
}

export interface BusProducer {
  /** Resolves only when the bus has durably accepted every message. */
  send(topic: string, messages: BusMessage[]): Promise<void>;
  close(): Promise<void>;
}

export interface ConsumedBatch {
  topic: string;
  partition: number;
  messages: ConsumedMessage[];
  /** Keeps group membership alive while a handler waits (e.g. for a store to come back). */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or lost the partition: the handler should give up. */
  isActive(): boolean;
}

/**
 * A batch handler that resolves marks the whole batch consumed (its offsets are committed);
 * one that rejects leaves it uncommitted, and the same messages come again.
 */
export type BatchHandler = (batch: ConsumedBatch) => Promise<void>;

export interface BusConsumer {
  start(handler: BatchHandler): Promise<void>;
  /** Stops fetching, waits for the batch in hand to finish, leaves the group. */
  close(): Promise<void>;
  /** Messages not yet consumed by this group, summed over partitions (-1 when unknown). */
  lag(): Promise<number>;
  /**
   * When the bus last answered this consumer (a fetch or a heartbeat of its group), epoch ms;
   * undefined before it first did. A consumer cut off from its bus stops hearing from it: health
   * checks compare this with the clock, since a client library retrying in the background says
   * nothing.
   */
  lastHeardAt(): number | undefined;
}

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  /** Read from the start when the group has no committed offset. */
  fromBeginning?: boolean;
  /**
   * A group without committed offsets starts at the first message whose broker timestamp is
   * at or after this (epoch ms; the end where none is), instead of the start or the end, and
   * its lag counts from there at once. For a reader that needs only what is recent (a cache's
   * invalidations) and must know when it has caught up. Takes precedence over fromBeginning.
   */
  fromTimestampMs?: number;
  /**
   * How long a member may go silent before its partitions go to another (default 30 s):
   * the time a crashed consumer's successor waits. Handlers that wait must heartbeat more often.
   */
  sessionTimeoutMs?: number;
  /**
   * Batches of this many partitions handled at once (default 1). More keeps one partition's
   * slow batch (a webhook being retried) from holding the others back; order still holds
   * within a partition. The in-memory twin handles one at a time.
   */
  partitionsConcurrently?: number;
  /**
   * The group lives as long as this consumer (a reader that reads a whole topic again on each
   * start, in a group of its own): closing the consumer deletes the group, so none pile up.
   */
  ephemeral?: boolean;
  /**
   * A fetch waits until this many bytes are there or `fetchMaxWaitMs` has passed (Kafka's
   * `fetch.min.bytes` / `fetch.max.wait.ms`; defaults 1 byte / 5 s). Larger batches cost fewer
   * fetches, commits and downstream writes; the wait bounds the latency that adds. The in-memory
   * twin hands over what is there.
   */
  fetchMinBytes?: number;
  fetchMaxWaitMs?: number;
}

/** Kafka's default limit on one record batch (the broker's `message.max.bytes`); the in-memory bus applies it to each record. */
export const DEFAULT_MAX_RECORD_BYTES = 1_048_588;

export const BUS_ERRORS = errorCatalogue('@meterline/bus', {
  MTL_BUS_RECORD_TOO_LARGE: { meaning: 'The bus refused a record as larger than it accepts; sending it again cannot succeed (the sender isolates it, e.g. dead-letters it)', retryable: false },
});

type BusErrorCode = (typeof BUS_ERRORS.codes)[number];

/**
 * The bus refused a record as larger than it accepts. Sending the same record again cannot
 * succeed: the sender must isolate it and do something else with it (e.g. dead-letter it).
 * Other records of the same send may have been accepted.
 */
export class BusRecordTooLargeError extends Error {
  override readonly name = 'BusRecordTooLargeError';
  readonly code = 'MTL_BUS_RECORD_TOO_LARGE' satisfies BusErrorCode;
  readonly canRetry = BUS_ERRORS.canRetry(this.code);
}

/** True for a BusRecordTooLargeError, also across copies of this package. */
export const isRecordTooLarge = (error: unknown): error is BusRecordTooLargeError =>
  error instanceof BusRecordTooLargeError || (error as { code?: unknown } | null)?.code === 'MTL_BUS_RECORD_TOO_LARGE';
