import { BusRecordTooLargeError, DEFAULT_MAX_RECORD_BYTES, type BatchHandler, type BusConsumer, type KeyPartitioner, type BusMessage, type BusProducer, type ConsumedMessage, type ConsumerOptions } from './types.ts';

interface Partition {
  messages: ConsumedMessage[];
}

const PARTITIONS = 3;
const REDELIVERY_DELAY_MS = 20;

function partitionOf(key: string | null, counter: number): number {
  if (key === null) return counter % PARTITIONS;
  let hash = 0;
  for (const ch of key) hash = (hash * 31 + ch.charCodeAt(0)) | 0;
  return Math.abs(hash) % PARTITIONS;
}

/**
 * An in-process bus with the guarantees of the Kafka adapter that the services rely on:
 * per-key order, commit-after-handler, redelivery of an uncommitted batch. For unit tests
 * and the embedded mode.
 */
export class InMemoryBus {
  private readonly topics = new Map<string, Partition[]>();
  private readonly committed = new Map<string, number>();
  private readonly wakers = new Set<() => void>();
  private sent = 0;

  /** `maxRecordBytes`: the largest record (key and value) accepted, as Kafka's `message.max.bytes`. */
  constructor(private readonly options: { maxRecordBytes?: number } = {}) {}

  producer(): BusProducer {
    const limit = this.options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    return {
      send: async (topic, messages) => {
        const tooLarge = messages.find((m) => m.value.length + (m.key?.length ?? 0) > limit);
        if (tooLarge) throw new BusRecordTooLargeError(`a record of ${tooLarge.value.length} bytes exceeds the bus limit of ${limit} bytes`);
        this.append(topic, messages);
      },
      close: () => Promise.resolve(),
    };
  }

  keyPartitioner(_topic: string): Promise<KeyPartitioner> {
    return Promise.resolve({ partitionOf: (key) => partitionOf(key, 0) });
  }

  consumer(options: ConsumerOptions): BusConsumer {
    let running = false;
    let loop: Promise<void> | undefined;
    let wake: (() => void) | undefined;
    const idle = () =>
      new Promise<void>((resolve) => {
        wake = resolve;
        this.wakers.add(resolve);
      }).finally(() => wake && this.wakers.delete(wake));

    // A group starting at a time has its offsets from the moment it is made, as Kafka's adapter sets them.
    const since = options.fromTimestampMs;
    if (since !== undefined) {
      for (const topic of options.topics) {
        for (const [partition, { messages }] of this.partitions(topic).entries()) {
          const commitKey = `${options.groupId}|${topic}|${partition}`;
          if (this.committed.has(commitKey)) continue;
          const first = messages.findIndex((m) => m.timestamp >= since);
          this.committed.set(commitKey, first === -1 ? messages.length : first);
        }
      }
    }

    const pollOnce = async (handler: BatchHandler): Promise<boolean> => {
      let delivered = false;
      for (const topic of options.topics) {
        const partitions = this.partitions(topic);
        for (const [partition, { messages }] of partitions.entries()) {
          const commitKey = `${options.groupId}|${topic}|${partition}`;
          const from = this.committed.get(commitKey) ?? (options.fromBeginning === false ? messages.length : 0);
          if (!this.committed.has(commitKey)) this.committed.set(commitKey, from);
          if (from >= messages.length) continue;
          const batch = messages.slice(from);
          delivered = true;
          try {
            await handler({
              topic,
              partition,
              messages: batch,
              heartbeat: () => Promise.resolve(),
              isActive: () => running,
            });
            this.committed.set(commitKey, from + batch.length);
          } catch {
            // The handler refused the batch: it stays uncommitted and comes again on the
            // next poll, as with Kafka. Wait a little so a failing handler does not spin.
            if (!running) return false;
            await new Promise((resolve) => setTimeout(resolve, REDELIVERY_DELAY_MS));
          }
        }
      }
      return delivered;
    };

    return {
      start: async (handler) => {
        running = true;
        loop = (async () => {
          while (running) {
            // A message appended between the poll and going idle must not be slept through:
            // sleep only when nothing was appended since the poll began.
            const appended = this.sent;
            const delivered = await pollOnce(handler);
            if (!delivered && running && this.sent === appended) await idle();
          }
        })();
      },
      close: async () => {
        running = false;
        wake?.();
        await loop;
      },
      // In memory the link cannot break: a running consumer hears the bus now.
      lastHeardAt: () => (running ? Date.now() : undefined),
      lag: async () => {
        let lag = 0;
        for (const topic of options.topics) {
          for (const [partition, { messages }] of this.partitions(topic).entries()) {
            lag += messages.length - (this.committed.get(`${options.groupId}|${topic}|${partition}`) ?? 0);
          }
        }
        return lag;
      },
    };
  }

  /** Every message ever sent to a topic, in partition order; for assertions. */
  messagesOf(topic: string): ConsumedMessage[] {
    return this.partitions(topic).flatMap((p) => p.messages);
  }

  private partitions(topic: string): Partition[] {
    let partitions = this.topics.get(topic);
    if (!partitions) {
      partitions = Array.from({ length: PARTITIONS }, () => ({ messages: [] }));
      this.topics.set(topic, partitions);
    }
    return partitions;
  }

  private append(topic: string, messages: BusMessage[]): void {
    const partitions = this.partitions(topic);
    for (const message of messages) {
      const partition = partitions[partitionOf(message.key, this.sent++)];
      if (!partition) throw new Error('unreachable: partition index out of range');
      partition.messages.push({ ...message, offset: String(partition.messages.length), timestamp: Date.now() });
    }
    for (const wake of [...this.wakers]) wake();
  }
}
