import type { BusConsumer, BusProducer, ConsumerOptions } from '@meterline/bus';
import type { RegistryEntryV1 } from '@meterline/contracts';
import { registryPublisher, registryTopicGroupId, startTopicRegistrySource, type RegistryRecordRejected } from '@meterline/feeds';

/** The registry topic as `registry push` uses it: what is in force, and a way to publish. */
export interface RegistryTopicClient {
  readonly topic: string;
  /** The entry in force per enterprise, as read to the topic's end when connecting. */
  entries(): ReadonlyMap<string, RegistryEntryV1>;
  publish(entry: RegistryEntryV1): Promise<void>;
  close(): Promise<void>;
}

/** A bus to reach the topic through: Kafka for the command, the in-memory bus in tests. */
export interface RegistryTopicBus {
  consumer(options: ConsumerOptions): Promise<BusConsumer> | BusConsumer;
  producer(): Promise<BusProducer> | BusProducer;
}

/**
 * Reads the registry topic to its end (in a consumer group of its own, as every reader) and
 * opens a producer to it. Records readers skip are told to `warn`.
 */
export async function openRegistryTopic(bus: RegistryTopicBus, topic: string, warn: (rejected: RegistryRecordRejected) => void): Promise<RegistryTopicClient> {
  const source = await startTopicRegistrySource({
    consumer: await bus.consumer({ groupId: registryTopicGroupId('cli', 'registry-push'), topics: [topic], fromBeginning: true }),
    onRejected: warn,
  });
  try {
    await source.ready();
  } catch (error) {
    await source.close();
    throw error;
  }
  const producer = await bus.producer();
  const publisher = registryPublisher(producer, topic);
  return {
    topic,
    entries: () => source.entries(),
    publish: (entry) => publisher.publish(entry),
    close: async () => {
      await source.close();
      await producer.close();
    },
  };
}
