import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { busContract } from '@meterline/bus/contract';
import { createTopics } from '@meterline/local-stack';
import { KafkaBus } from '../src/index.ts';

busContract('kafka (real broker)', async () => {
  const { kafka } = inject('stack');
  const bus = new KafkaBus({ brokers: [...kafka.brokers], clientId: `contract-${randomUUID()}` });
  const consumers: { close(): Promise<void> }[] = [];
  return {
    producer: () => {
      const ready = bus.producer();
      return {
        send: async (topic, messages) => (await ready).send(topic, messages),
        close: async () => (await ready).close(),
      };
    },
    consumer: (options) => {
      const ready = bus.consumer(options);
      const consumer = {
        start: async (handler: Parameters<Awaited<typeof ready>['start']>[0]) => (await ready).start(handler),
        close: async () => (await ready).close(),
        lag: async () => (await ready).lag(),
      };
      consumers.push(consumer);
      return consumer;
    },
    newTopic: async () => {
      const topic = `contract-${randomUUID()}`;
      await createTopics(kafka.brokers, [{ topic, partitions: 3 }]);
      return topic;
    },
    close: async () => bus.close(),
  };
});
