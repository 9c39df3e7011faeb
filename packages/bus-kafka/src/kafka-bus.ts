import { CompressionTypes, Kafka, logLevel, Partitioners, type Admin, type Consumer, type KafkaMessage, type PartitionMetadata, type Producer } from 'kafkajs';
import { BusRecordTooLargeError, type BusConsumer, type BusMessage, type BusProducer, type ConsumedMessage, type ConsumerOptions, type KeyPartitioner, refreshingKeyPartitioner } from '@meterline/bus';

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  /** Receives kafkajs's own log lines, so they reach the service's structured log. */
  log?: (level: 'error' | 'warn' | 'info' | 'debug', message: string, extra: Record<string, unknown>) => void;
}

/** Wait before a refused batch is fetched again, so a failing handler does not spin. */
const REDELIVERY_DELAY_MS = 200;

const LEVELS = { [logLevel.ERROR]: 'error', [logLevel.WARN]: 'warn', [logLevel.INFO]: 'info', [logLevel.DEBUG]: 'debug', [logLevel.NOTHING]: 'debug' } as const;

function toHeaders(headers: KafkaMessage['headers']): Record<string, string> | undefined {
  if (!headers) return undefined;
  const entries = Object.entries(headers).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return undefined;
  return Object.fromEntries(entries.map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString('utf8') : String(v)]));
}

function toConsumed(message: KafkaMessage): ConsumedMessage {
  const headers = toHeaders(message.headers);
  return {
    key: message.key ? message.key.toString('utf8') : null,
    value: message.value ?? Buffer.alloc(0),
    ...(headers ? { headers } : {}),
    offset: message.offset,
    timestamp: Number(message.timestamp),
  };
}

/** Kafka through kafkajs: acks from all in-sync replicas, commits only after the handler succeeded. */
export class KafkaBus {
  private readonly kafka: Kafka;
  private admin: Admin | undefined;
  private readonly log: KafkaBusOptions['log'];

  constructor(options: KafkaBusOptions) {
    const log = options.log;
    this.log = log;
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: log ? logLevel.INFO : logLevel.NOTHING,
      ...(log
        ? {
            logCreator:
              () =>
              ({ level, log: entry }) => {
                const { message, ...extra } = entry;
                log(LEVELS[level], `kafkajs: ${String(message)}`, extra);
              },
          }
        : {}),
      retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5_000 },
    });
  }

  async producer(): Promise<BusProducer> {
    const producer: Producer = this.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const sendGroup = (topic: string, group: BusMessage[]) =>
      producer.send({
        topic,
        acks: -1,
        compression: CompressionTypes.None,
        // An empty value is a deletion: Kafka's tombstone is a null value, which compaction removes.
        messages: group.map((m) => ({ key: m.key, value: m.value.length === 0 ? null : m.value, ...(m.headers ? { headers: m.headers } : {}) })),
      });
    return {
      send: async (topic: string, messages: BusMessage[]) => {
        for (const group of boundedGroups(messages)) {
          try {
            await sendGroup(topic, group);
          } catch (error) {
            const refusal = tooLargeRefusal(error);
            // kafkajs does not retry these (not retriable); callers must not either.
            if (refusal) throw new BusRecordTooLargeError(`Kafka refused a record of topic ${topic} as too large (${refusal})`, { cause: error });
            throw error;
          }
        }
      },
      close: () => producer.disconnect(),
    };
  }

  /**
   * The producer's own partitioner (kafkajs's default: Java's murmur2 of the key modulo the
   * partition count) over the topic's partition count, looked up again when older than a minute.
   */
  keyPartitioner(topic: string): Promise<KeyPartitioner> {
    const partitioner = Partitioners.DefaultPartitioner();
    let layout: PartitionMetadata[] = [];
    return refreshingKeyPartitioner(topic, {
      countPartitions: async () => {
        const { topics } = await (await this.adminClient()).fetchTopicMetadata({ topics: [topic] });
        return topics[0]?.partitions.length ?? 0;
      },
      // kafkajs's partitioner reads only the count of a keyed message's partitions.
      partitionFor: (key, partitions) => {
        if (layout.length !== partitions) layout = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [], isr: [] }));
        return partitioner({ topic, partitionMetadata: layout, message: { key, value: null } });
      },
      onCountFailure: (error, kept) => this.log?.('warn', `could not count the partitions of ${topic}; keeping ${kept}`, { error: String(error) }),
    });
  }

  async consumer(options: ConsumerOptions): Promise<BusConsumer> {
    const consumer: Consumer = this.kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.min(3_000, Math.floor((options.sessionTimeoutMs ?? 30_000) / 3)),
      ...(options.fetchMinBytes === undefined ? {} : { minBytes: options.fetchMinBytes }),
      ...(options.fetchMaxWaitMs === undefined ? {} : { maxWaitTimeInMs: options.fetchMaxWaitMs }),
    });
    if (options.fromTimestampMs !== undefined) await this.startGroupAt(options.groupId, options.topics, options.fromTimestampMs);
    let heardAt: number | undefined;
    // A fetch answered (empty ones too, every fetch wait) or a heartbeat: the cluster is there.
    const heard = (event: { timestamp: number }) => (heardAt = event.timestamp);
    consumer.on(consumer.events.FETCH, heard);
    consumer.on(consumer.events.HEARTBEAT, heard);
    await consumer.connect();
    await consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning ?? true });
    let running = false;
    return {
      start: async (handler) => {
        running = true;
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: options.partitionsConcurrently ?? 1,
          eachBatch: async (payload) => {
            const { batch } = payload;
            const messages = batch.messages.map(toConsumed);
            const first = messages[0];
            const last = messages.at(-1);
            if (!first || !last) return;
            try {
              await handler({
                topic: batch.topic,
                partition: batch.partition,
                messages,
                heartbeat: () => payload.heartbeat(),
                isActive: () => running && payload.isRunning() && !payload.isStale(),
              });
            } catch {
              // Refused: fetch the same messages again from the batch's first offset.
              if (!running || !payload.isRunning() || payload.isStale()) return;
              await new Promise((resolve) => setTimeout(resolve, REDELIVERY_DELAY_MS));
              consumer.seek({ topic: batch.topic, partition: batch.partition, offset: first.offset });
              return;
            }
            if (payload.isStale()) return;
            // Resolving moves kafkajs's fetch position; committing alone would not, and the
            // same batch would be fetched again (seen with kafkajs 2.2.4).
            payload.resolveOffset(last.offset);
            await consumer.commitOffsets([
              { topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() },
            ]);
          },
        });
      },
      close: async () => {
        running = false;
        await consumer.disconnect();
        if (options.ephemeral) {
          // Housekeeping: a group left behind costs the broker a little until offsets retention, never data.
          await (await this.adminClient()).deleteGroups([options.groupId]).catch((error: unknown) => {
            this.log?.('warn', 'an ephemeral consumer group could not be deleted; the broker drops it after offsets retention', { groupId: options.groupId, error: String(error) });
          });
        }
      },
      lag: () => this.groupLag(options.groupId, options.topics),
      lastHeardAt: () => heardAt,
    };
  }

  /** Messages not yet committed by the group, over all partitions of the topics. */
  async groupLag(groupId: string, topics: string[]): Promise<number> {
    const admin = await this.adminClient();
    const committed = await admin.fetchOffsets({ groupId, topics });
    let lag = 0;
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const byPartition = new Map(committed.find((c) => c.topic === topic)?.partitions.map((p) => [p.partition, p.offset]));
      for (const end of ends) {
        const done = byPartition.get(end.partition);
        const from = done === undefined || done === '-1' ? BigInt(end.low) : BigInt(done);
        lag += Number(BigInt(end.high) - from);
      }
    }
    return lag;
  }

  /**
   * Commits, for a group that has committed nothing on a topic, the first offset of each
   * partition at or after `timestampMs` (the end where no message is that recent). Committed
   * before the group's consumer joins (the broker lets only an empty group's offsets be set),
   * so the consumer starts there and lag() counts from there, not from the low watermark.
   */
  private async startGroupAt(groupId: string, topics: readonly string[], timestampMs: number): Promise<void> {
    const admin = await this.adminClient();
    for (const topic of topics) {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      if (committed?.partitions.some((p) => p.offset !== '-1')) continue;
      const partitions = await admin.fetchTopicOffsetsByTimestamp(topic, timestampMs);
      if (partitions.length > 0) await admin.setOffsets({ groupId, topic, partitions });
    }
  }

  async close(): Promise<void> {
    await this.admin?.disconnect();
    this.admin = undefined;
  }

  private async adminClient(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    return this.admin;
  }
}

/**
 * kafkajs sends the messages of one partition in one request as one record batch, and the
 * broker refuses a batch above its message.max.bytes (1 MiB by default) however small each
 * message is: a large send is cut into requests well under it, in order.
 */
const MAX_REQUEST_BYTES = 512 * 1024;

/** Kafka's error types for a record or batch over the broker's or topic's size limit. */
const TOO_LARGE_TYPES = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

/** The protocol error type when kafkajs reports a size refusal (possibly wrapped in its retry errors). */
function tooLargeRefusal(error: unknown): string | undefined {
  for (let e = error as { type?: unknown; cause?: unknown; originalError?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.type === 'string' && TOO_LARGE_TYPES.has(e.type)) return e.type;
    e = (e.cause ?? e.originalError) as typeof e;
  }
  return undefined;
}

function boundedGroups(messages: readonly BusMessage[]): BusMessage[][] {
  const groups: BusMessage[][] = [];
  let group: BusMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = m.value.length + (m.key?.length ?? 0);
    if (group.length > 0 && bytes + size > MAX_REQUEST_BYTES) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(m);
    bytes += size;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}
