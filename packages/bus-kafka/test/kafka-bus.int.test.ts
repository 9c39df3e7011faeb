import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { expect, inject, it } from 'vitest';
import type { BusConsumer } from '@meterline/bus';
import { busContract } from '@meterline/bus/contract';
import { createTopics } from '@meterline/local-stack';
import { KafkaBus } from '../src/index.ts';

busContract('kafka (real broker)', () => {
  const { kafka } = inject('stack');
  const bus = new KafkaBus({ brokers: [...kafka.brokers], clientId: `contract-${randomUUID()}` });
  const consumers: { close(): Promise<void> }[] = [];
  return Promise.resolve({
    producer: () => {
      const ready = bus.producer();
      return {
        send: async (topic, messages) => (await ready).send(topic, messages),
        close: async () => (await ready).close(),
      };
    },
    consumer: (options) => {
      const ready = bus.consumer(options);
      let made: BusConsumer | undefined;
      void ready.then((c) => (made = c), () => undefined);
      const consumer = {
        start: async (handler: Parameters<Awaited<typeof ready>['start']>[0]) => (await ready).start(handler),
        close: async () => (await ready).close(),
        lag: async () => (await ready).lag(),
        // Synchronous: undefined until the consumer has been made, as before it heard anything.
        lastHeardAt: () => made?.lastHeardAt(),
      };
      consumers.push(consumer);
      return consumer;
    },
    keyPartitioner: (topic) => bus.keyPartitioner(topic),
    newTopic: async () => {
      const topic = `contract-${randomUUID()}`;
      await createTopics(kafka.brokers, [{ topic, partitions: 3 }]);
      return topic;
    },
    close: async () => bus.close(),
  });
});

it("sends an empty value as Kafka's tombstone (a null value), which compaction removes", async () => {
  const { kafka } = inject('stack');
  const topic = `tombstone-${randomUUID()}`;
  await createTopics(kafka.brokers, [{ topic, partitions: 1, configs: { 'cleanup.policy': 'compact' } }]);
  const bus = new KafkaBus({ brokers: [...kafka.brokers], clientId: `tombstone-${randomUUID()}` });
  const producer = await bus.producer();
  await producer.send(topic, [{ key: 'silence/s1', value: Buffer.alloc(0) }]);
  await producer.close();
  await bus.close();
  // Read with kafkajs itself: what the broker holds, not what our adapter makes of it.
  const raw = new Kafka({ brokers: [...kafka.brokers], clientId: `raw-${randomUUID()}`, logLevel: logLevel.NOTHING }).consumer({ groupId: `raw-${randomUUID()}` });
  await raw.connect();
  await raw.subscribe({ topic, fromBeginning: true });
  const values = await new Promise<(Buffer | null)[]>((resolve) => {
    void raw.run({ eachMessage: ({ message }) => Promise.resolve(resolve([message.value])) });
  });
  await raw.disconnect();
  expect(values).toEqual([null]);
});

it('deletes an ephemeral consumer group when the consumer closes, and keeps a lasting one', async () => {
  const { kafka } = inject('stack');
  const topic = `ephemeral-${randomUUID()}`;
  await createTopics(kafka.brokers, [{ topic, partitions: 1 }]);
  const bus = new KafkaBus({ brokers: [...kafka.brokers], clientId: `ephemeral-${randomUUID()}` });
  const producer = await bus.producer();
  await producer.send(topic, [{ key: 'k', value: Buffer.from('1') }]);
  await producer.close();
  const groups = { ephemeral: `reader-${randomUUID()}`, lasting: `group-${randomUUID()}` };
  for (const [kind, groupId] of Object.entries(groups)) {
    const consumer = await bus.consumer({ groupId, topics: [topic], fromBeginning: true, ephemeral: kind === 'ephemeral' });
    const read = new Promise<void>((resolve) => void consumer.start(() => Promise.resolve(resolve())));
    await read;
    await consumer.close();
  }
  const admin = new Kafka({ brokers: [...kafka.brokers], clientId: `admin-${randomUUID()}`, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const listed = new Set((await admin.listGroups()).groups.map((g) => g.groupId));
  await admin.disconnect();
  await bus.close();
  expect([listed.has(groups.ephemeral), listed.has(groups.lasting)]).toEqual([false, true]);
});

it('gathers records sent one by one into fuller batches when fetches wait for bytes, and still hands over a lone record once the wait has passed', async () => {
  const { kafka } = inject('stack');
  const bus = new KafkaBus({ brokers: [...kafka.brokers], clientId: `fetch-wait-${randomUUID()}` });
  const producer = await bus.producer();
  const batchesFor = async (fetch: { fetchMinBytes: number; fetchMaxWaitMs: number }) => {
    const topic = `fetch-wait-${randomUUID()}`;
    await createTopics(kafka.brokers, [{ topic, partitions: 1 }]);
    const consumer = await bus.consumer({ groupId: `group-${randomUUID()}`, topics: [topic], fromBeginning: true, ...fetch });
    const sizes: number[] = [];
    let received = 0;
    const all = new Promise<void>((resolve) => {
      void consumer.start((batch) => {
        sizes.push(batch.messages.length);
        received += batch.messages.length;
        if (received === 40) resolve();
        return Promise.resolve();
      });
    });
    // Sent one at a time, 10 ms apart, as a slow trickle of readings arrives.
    for (let i = 0; i < 40; i++) {
      await producer.send(topic, [{ key: 'k', value: Buffer.from(String(i)) }]);
      await new Promise((r) => setTimeout(r, 10));
    }
    await all;
    await consumer.close();
    return sizes;
  };
  // The trickle lasts over 400 ms: fetches waiting up to 250 ms each gather it in a few batches
  // (each a fetch, a commit and, in the writer, an InfluxDB write); fetching eagerly took 8 to 40.
  const waiting = await batchesFor({ fetchMinBytes: 1_048_576, fetchMaxWaitMs: 250 });
  await producer.close();
  await bus.close();
  expect(waiting.reduce((a, b) => a + b, 0)).toBe(40);
  expect(waiting.length).toBeLessThanOrEqual(10);
});
