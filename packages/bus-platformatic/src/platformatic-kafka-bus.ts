import {
  Admin,
  compatibilityPartitioner,
  Consumer,
  findErrorBy,
  ListOffsetTimestamps,
  ProduceAcks,
  Producer,
  stringDeserializer,
  stringSerializer,
  type Message,
  type MessagesStream,
} from '@platformatic/kafka';
import { BusRecordTooLargeError, type BatchHandler, type BusConsumer, type BusMessage, type BusProducer, type ConsumedMessage, type ConsumerOptions, type KeyPartitioner, refreshingKeyPartitioner } from '@meterline/bus';

export interface PlatformaticKafkaBusOptions {
  brokers: string[];
  clientId: string;
  /** Producers idempotent (default true); false only to measure what it costs (bench:bus). */
  idempotent?: boolean;
  /** Receives what the adapter has to say (the library itself logs through `debug` only). */
  log?: (level: 'error' | 'warn' | 'info' | 'debug', message: string, extra: Record<string, unknown>) => void;
}

/** Wait before a refused batch is fetched again, so a failing handler does not spin. */
const REDELIVERY_DELAY_MS = 200;
/** Wait before a consumer stream the library gave up on is opened again. */
const REOPEN_DELAY_MS = 1_000;
/** Retries of one request, 200 ms apart (kafkajs's adapter retries 8 times, 200 ms to 5 s). */
const RETRIES = 8;
const RETRY_DELAY_MS = 200;

type BusKafkaMessage = Message<string, Buffer, string, string>;

function toConsumed(message: BusKafkaMessage): ConsumedMessage {
  const headers = message.headers.size > 0 ? Object.fromEntries(message.headers) : undefined;
  return {
    // The library hands a null key or value over as undefined.
    key: message.key ?? null,
    value: message.value ?? Buffer.alloc(0),
    ...(headers ? { headers } : {}),
    offset: message.offset.toString(),
    timestamp: Number(message.timestamp),
  };
}

/**
 * Java's default partitioner (murmur2 of the key, made positive with `& 0x7fffffff`, modulo the
 * partition count), which kafkajs's adapter uses too: the library's own default (`>>> 0`) puts
 * keys whose hash is negative on other partitions.
 */
const javaPartitioner = compatibilityPartitioner;

/**
 * Kafka through @platformatic/kafka: an idempotent producer waiting for all in-sync replicas,
 * commits only after the handler succeeded.
 */
export class PlatformaticKafkaBus {
  private admin: Admin | undefined;
  private readonly log: PlatformaticKafkaBusOptions['log'];
  private readonly idempotent: boolean;
  private readonly base: { clientId: string; bootstrapBrokers: string[]; retries: number; retryDelay: number };

  constructor(options: PlatformaticKafkaBusOptions) {
    this.log = options.log;
    this.idempotent = options.idempotent ?? true;
    this.base = { clientId: options.clientId, bootstrapBrokers: [...options.brokers], retries: RETRIES, retryDelay: RETRY_DELAY_MS };
  }

  producer(): Promise<BusProducer> {
    const producer = new Producer<string, Buffer, string, string>({
      ...this.base,
      acks: ProduceAcks.ALL,
      // A retried request is not written twice, nor behind a later one: the broker drops what it
      // already has by the producer's id and sequence. The library then keeps one request in
      // flight per broker, as ingest's publisher (one send at a time) does anyway.
      idempotent: this.idempotent,
      autocreateTopics: false,
      partitioner: javaPartitioner,
      serializers: { key: stringSerializer, headerKey: stringSerializer, headerValue: stringSerializer },
    });
    const sendGroup = (topic: string, group: BusMessage[]) =>
      producer.send({
        messages: group.map((m) => ({
          topic,
          ...(m.key === null ? {} : { key: m.key }),
          // An empty value is a deletion: Kafka's tombstone is a null value, which compaction removes.
          value: (m.value.length === 0 ? undefined : m.value) as Buffer,
          ...(m.headers ? { headers: m.headers } : {}),
        })),
      });
    return Promise.resolve({
      send: async (topic: string, messages: BusMessage[]) => {
        for (const group of boundedGroups(messages)) {
          try {
            await sendGroup(topic, group);
          } catch (error) {
            const refusal = tooLargeRefusal(error);
            if (refusal) throw new BusRecordTooLargeError(`Kafka refused a record of topic ${topic} as too large (${refusal})`, { cause: error });
            throw error;
          }
        }
      },
      close: () => producer.close(),
    });
  }

  /**
   * The producer's partitioner (Java's murmur2 of the key modulo the partition count) over the
   * topic's partition count, looked up again in the background when older than a minute, as the
   * kafkajs adapter does.
   */
  keyPartitioner(topic: string): Promise<KeyPartitioner> {
    return refreshingKeyPartitioner(topic, {
      countPartitions: async () => {
        const metadata = await (await this.adminClient()).metadata({ topics: [topic], forceUpdate: true });
        return metadata.topics.get(topic)?.partitionsCount ?? 0;
      },
      partitionFor: (key, partitions) => javaPartitioner({ topic, value: Buffer.alloc(0) }, Buffer.from(key)) % partitions,
      onCountFailure: (error, kept) => this.log?.('warn', `could not count the partitions of ${topic}; keeping ${kept}`, { error: String(error) }),
    });
  }

  async consumer(options: ConsumerOptions): Promise<BusConsumer> {
    const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
    // kafkajs's default (60 s); the library's own is 102 s, and it refuses one below the session timeout.
    const rebalanceTimeout = Math.max(60_000, sessionTimeout);
    const consumer = new Consumer<string, Buffer, string, string>({
      ...this.base,
      groupId: options.groupId,
      autocreateTopics: false,
      sessionTimeout,
      rebalanceTimeout,
      heartbeatInterval: Math.min(3_000, Math.floor(sessionTimeout / 3)),
      minBytes: options.fetchMinBytes ?? 1,
      maxWaitTime: options.fetchMaxWaitMs ?? 5_000,
      deserializers: { key: stringDeserializer, headerKey: stringDeserializer, headerValue: stringDeserializer },
    });
    // The consumer emits 'error' when a rejoin after a failed heartbeat fails; unheard, it would end the process.
    consumer.on('error', (error: unknown) => this.log?.('warn', 'the consumer could not rejoin its group', { groupId: options.groupId, error: String(error) }));
    let heardAt: number | undefined;
    // A heartbeat answered (every heartbeat interval, busy or idle): the cluster is there.
    consumer.on('consumer:heartbeat:end', () => (heardAt = Date.now()));
    if (options.fromTimestampMs !== undefined) await this.startGroupAt(options.groupId, options.topics, options.fromTimestampMs);
    // Offsets are committed by the handler's success only; where the group has none, it starts
    // at the beginning or the end.
    const openStream = async () => {
      const opened = await consumer.consume({
        topics: options.topics,
        autocommit: false,
        mode: 'committed',
        fallbackMode: (options.fromBeginning ?? true) ? 'earliest' : 'latest',
        sessionTimeout,
        rebalanceTimeout,
        heartbeatInterval: Math.min(3_000, Math.floor(sessionTimeout / 3)),
      });
      // Paused mode, read by the pump: the stream fetches only once something listens.
      opened.on('readable', () => wakeUp?.());
      // An error ends the stream (the pump then opens another); unheard, it would end the process.
      opened.on('error', (error) => this.log?.('warn', 'the consumer stream failed', { groupId: options.groupId, error: String(error) }));
      opened.on('close', () => wakeUp?.());
      return opened;
    };
    let wakeUp: (() => void) | undefined;
    let stream: MessagesStream<string, Buffer, string, string> | undefined = await openStream();
    /** A new stream while running (undefined once stopping), retried until the cluster answers. */
    const reopen = async () => {
      while (running) {
        try {
          return await openStream();
        } catch (error) {
          this.log?.('warn', 'could not open a consumer stream; trying again', { groupId: options.groupId, error: String(error) });
          await new Promise((resolve) => setTimeout(resolve, REOPEN_DELAY_MS));
        }
      }
      return undefined;
    };
    let running = false;
    let loop: Promise<void> | undefined;
    const concurrency = Math.max(1, options.partitionsConcurrently ?? 1);

    const assigned = (topic: string, partition: number) => consumer.assignments?.some((a) => a.topic === topic && a.partitions.includes(partition)) ?? false;

    /** One partition's messages of one fetch round, handled and committed, or refused. */
    const handleBatch = async (handler: BatchHandler, s: MessagesStream<string, Buffer, string, string>, topic: string, partition: number, raw: BusKafkaMessage[]): Promise<boolean> => {
      const last = raw.at(-1);
      if (!last) return true;
      const isActive = () => running && s.isActive() && assigned(topic, partition);
      try {
        await handler({
          topic,
          partition,
          messages: raw.map(toConsumed),
          // The library heartbeats on its own timer, whatever the handler awaits.
          heartbeat: () => Promise.resolve(),
          isActive,
        });
      } catch {
        return false;
      }
      // A batch handled while stopping is still committed; one whose partition went elsewhere is not.
      if (!s.isActive() || !assigned(topic, partition)) return true;
      try {
        await consumer.commit({ offsets: [{ topic, partition, offset: last.offset + 1n, leaderEpoch: last.leaderEpoch }] });
      } catch (error) {
        // Read again from what the group did commit: the batch comes again (at least once).
        this.log?.('warn', 'a commit failed; reading again from the committed offsets', { groupId: options.groupId, topic, partition, error: String(error) });
        return false;
      }
      return true;
    };

    /** Reads what the stream holds, handles it per partition, and reopens the stream after a refusal. */
    const pump = async (handler: BatchHandler) => {
      while (running) {
        const s = stream;
        if (!s) return;
        const drained: BusKafkaMessage[] = [];
        for (let m = s.read() as BusKafkaMessage | null; m !== null; m = s.read() as BusKafkaMessage | null) drained.push(m);
        if (drained.length === 0) {
          if (s.destroyed || s.readableEnded) {
            // The library gave up on a fetch (its retries spent) and destroyed the stream: open
            // another from the committed offsets, as kafkajs restarts a crashed consumer.
            if (!running) return;
            this.log?.('warn', 'the consumer stream ended; opening another', { groupId: options.groupId, error: String(s.errored ?? 'none') });
            stream = undefined;
            await new Promise((resolve) => setTimeout(resolve, REOPEN_DELAY_MS));
            stream = await reopen();
            continue;
          }
          await new Promise<void>((resolve) => (wakeUp = resolve));
          wakeUp = undefined;
          continue;
        }
        const byPartition = new Map<string, { topic: string; partition: number; messages: BusKafkaMessage[] }>();
        for (const m of drained) {
          const key = `${m.topic}\u0000${m.partition}`;
          let group = byPartition.get(key);
          if (!group) byPartition.set(key, (group = { topic: m.topic, partition: m.partition, messages: [] }));
          group.messages.push(m);
        }
        const groups = [...byPartition.values()];
        let refused = false;
        for (let i = 0; i < groups.length; i += concurrency) {
          const results = await Promise.all(groups.slice(i, i + concurrency).map((g) => handleBatch(handler, s, g.topic, g.partition, g.messages)));
          if (results.includes(false)) refused = true;
          // A refused partition's later messages are already in hand: stop at the round's end and
          // read again from the committed offsets, i.e. from the first offset of each refused batch.
        }
        if (refused && running) {
          // The stream has no seek: it is reopened, and starts again from the committed offsets.
          await new Promise((resolve) => setTimeout(resolve, REDELIVERY_DELAY_MS));
          stream = undefined;
          await s.close();
          stream = await reopen();
        }
      }
    };
    return {
      start: (handler) => {
        running = true;
        loop = pump(handler).catch((error: unknown) => {
          this.log?.('error', 'a consumer stopped', { groupId: options.groupId, error: String(error) });
        });
        return Promise.resolve();
      },
      close: async () => {
        running = false;
        wakeUp?.();
        await loop;
        await stream?.close();
        stream = undefined;
        await consumer.close();
        if (options.ephemeral) {
          // Housekeeping: a group left behind costs the broker a little until offsets retention, never data.
          await (await this.adminClient()).deleteGroups({ groups: [options.groupId] }).catch((error: unknown) => {
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
    const [group] = await admin.listConsumerGroupOffsets({ groups: [groupId] });
    const { low, high } = await this.watermarks(topics);
    let lag = 0;
    for (const topic of topics) {
      const committed = new Map(group?.topics.find((t) => t.name === topic)?.partitions.map((p) => [p.partitionIndex, p.committedOffset]));
      for (const [partition, end] of high.get(topic) ?? new Map<number, bigint>()) {
        const done = committed.get(partition);
        const from = done === undefined || done < 0n ? (low.get(topic)?.get(partition) ?? 0n) : done;
        lag += Number(end - from);
      }
    }
    return lag;
  }

  async close(): Promise<void> {
    await this.admin?.close();
    this.admin = undefined;
  }

  /**
   * Commits, for a group that has committed nothing on a topic, the first offset of each
   * partition at or after `timestampMs` (the end where no message is that recent). Committed
   * before the group's consumer joins (the broker lets only an empty group's offsets be set),
   * so the consumer starts there and lag() counts from there, not from the low watermark.
   */
  private async startGroupAt(groupId: string, topics: readonly string[], timestampMs: number): Promise<void> {
    const admin = await this.adminClient();
    const [group] = await admin.listConsumerGroupOffsets({ groups: [groupId] });
    for (const topic of topics) {
      if (group?.topics.find((t) => t.name === topic)?.partitions.some((p) => p.committedOffset >= 0n)) continue;
      const partitions = await this.partitionsOf(topic);
      const [atTime] = await admin.listOffsets({ topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp: BigInt(timestampMs) })) }] });
      const { high } = await this.watermarks([topic]);
      const partitionOffsets = partitions.map((partition) => {
        const found = atTime?.partitions.find((p) => p.partitionIndex === partition)?.offset ?? -1n;
        // Kafka answers -1 where no message is that recent: the end, then.
        return { partition, offset: found >= 0n ? found : (high.get(topic)?.get(partition) ?? 0n) };
      });
      if (partitionOffsets.length > 0) await admin.alterConsumerGroupOffsets({ groupId, topics: [{ name: topic, partitionOffsets }] });
    }
  }

  private async partitionsOf(topic: string): Promise<number[]> {
    const metadata = await (await this.adminClient()).metadata({ topics: [topic] });
    const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
    return Array.from({ length: count }, (_, i) => i);
  }

  /** Low and high watermarks of every partition of the topics. */
  private async watermarks(topics: readonly string[]) {
    const admin = await this.adminClient();
    const ask = async (timestamp: bigint) => {
      const request = await Promise.all(topics.map(async (name) => ({ name, partitions: (await this.partitionsOf(name)).map((partitionIndex) => ({ partitionIndex, timestamp })) })));
      const listed = await admin.listOffsets({ topics: request });
      return new Map(listed.map((t) => [t.name, new Map(t.partitions.map((p) => [p.partitionIndex, p.offset]))]));
    };
    const [low, high] = await Promise.all([ask(ListOffsetTimestamps.EARLIEST), ask(ListOffsetTimestamps.LATEST)]);
    return { low, high };
  }

  private adminClient(): Promise<Admin> {
    this.admin ??= new Admin(this.base);
    return Promise.resolve(this.admin);
  }
}

/**
 * The broker refuses a partition's record batch above its message.max.bytes (1 MiB by default)
 * however small each message is, and the library sends a partition's messages of one send as one
 * batch: a large send is cut into sends well under it, in order.
 */
const MAX_REQUEST_BYTES = 512 * 1024;

/** Kafka's error names for a record or batch over the broker's or topic's size limit. */
const TOO_LARGE_TYPES = ['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE'] as const;

/** The protocol error name when the library reports a size refusal (possibly inside its aggregate errors). */
function tooLargeRefusal(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  return TOO_LARGE_TYPES.find((type) => findErrorBy(error, 'apiId', type));
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
