import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, inject, it } from 'vitest';
import type { BusConsumer, BusMessage, BusProducer, ConsumerOptions } from '@meterline/bus';
import { busContract } from '@meterline/bus/contract';
import { KafkaBus } from '@meterline/bus-kafka';
import { createTopics } from '@meterline/local-stack';
import { PlatformaticKafkaBus } from '../src/index.ts';

busContract('platformatic-kafka (real broker)', () => {
  const { kafka } = inject('stack');
  const bus = new PlatformaticKafkaBus({ brokers: [...kafka.brokers], clientId: `contract-${randomUUID()}` });
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
      return {
        start: async (handler) => (await ready).start(handler),
        close: async () => (await ready).close(),
        lag: async () => (await ready).lag(),
        // Synchronous: undefined until the consumer has been made, as before it heard anything.
        lastHeardAt: () => made?.lastHeardAt(),
      };
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
  const bus = new PlatformaticKafkaBus({ brokers: [...kafka.brokers], clientId: `tombstone-${randomUUID()}` });
  const producer = await bus.producer();
  await producer.send(topic, [{ key: 'silence/s1', value: Buffer.alloc(0) }]);
  await producer.close();
  await bus.close();
  // Read with kafkajs: what the broker holds, as another client sees it, not what our adapter makes of it.
  const raw = new Kafka({ brokers: [...kafka.brokers], clientId: `raw-${randomUUID()}`, logLevel: logLevel.NOTHING }).consumer({ groupId: `raw-${randomUUID()}` });
  await raw.connect();
  await raw.subscribe({ topic, fromBeginning: true });
  const values = await new Promise<(Buffer | null)[]>((resolve) => {
    void raw.run({ eachMessage: ({ message }) => Promise.resolve(resolve([message.value])) });
  });
  await raw.disconnect();
  expect(values).toEqual([null]);
});

it('produces idempotently: the broker holds the records under a producer id, numbered in sequence (issue 18)', async () => {
  const { kafka } = inject('stack');
  const topic = `idempotent-${randomUUID()}`;
  await createTopics(kafka.brokers, [{ topic, partitions: 1 }]);
  const bus = new PlatformaticKafkaBus({ brokers: [...kafka.brokers], clientId: `idempotent-${randomUUID()}` });
  const producer = await bus.producer();
  await producer.send(topic, [{ key: 'k', value: Buffer.from('1') }, { key: 'k', value: Buffer.from('2') }]);
  await producer.send(topic, [{ key: 'k', value: Buffer.from('3') }]);
  await producer.close();
  await bus.close();
  // Read with kafkajs, which hands over each record's batch header: a producer that is not idempotent writes producer id -1.
  const raw = new Kafka({ brokers: [...kafka.brokers], clientId: `raw-${randomUUID()}`, logLevel: logLevel.NOTHING }).consumer({ groupId: `raw-${randomUUID()}` });
  await raw.connect();
  await raw.subscribe({ topic, fromBeginning: true });
  const batches: { producerId: string; firstSequence: number; records: number }[] = [];
  await new Promise<void>((resolve) => {
    void raw.run({
      eachBatch: ({ batch }) => {
        for (const m of batch.messages) {
          const context = (m as unknown as { batchContext: { producerId: string; firstSequence: number } }).batchContext;
          const last = batches.at(-1);
          if (last?.producerId === String(context.producerId) && last.firstSequence === context.firstSequence) last.records++;
          else batches.push({ producerId: String(context.producerId), firstSequence: context.firstSequence, records: 1 });
        }
        if (batches.reduce((n, b) => n + b.records, 0) >= 3) resolve();
        return Promise.resolve();
      },
    });
  });
  await raw.disconnect();
  expect(batches.map((b) => [b.firstSequence, b.records])).toEqual([
    [0, 2],
    [2, 1],
  ]);
  expect(new Set(batches.map((b) => b.producerId)).size).toBe(1);
  expect(Number(batches[0]!.producerId)).toBeGreaterThanOrEqual(0);
});

it('deletes an ephemeral consumer group when the consumer closes, and keeps a lasting one', async () => {
  const { kafka } = inject('stack');
  const topic = `ephemeral-${randomUUID()}`;
  await createTopics(kafka.brokers, [{ topic, partitions: 1 }]);
  const bus = new PlatformaticKafkaBus({ brokers: [...kafka.brokers], clientId: `ephemeral-${randomUUID()}` });
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

interface Received {
  key: string | null;
  value: string;
  headers: Record<string, string> | undefined;
  partition: number;
}

/** Everything a consumer of the given bus receives on a topic, once `count` messages are in. */
async function receiveAll(consumer: BusConsumer, count: number): Promise<Received[]> {
  const seen: Received[] = [];
  await new Promise<void>((resolve) => {
    void consumer.start((batch) => {
      for (const m of batch.messages) seen.push({ key: m.key, value: m.value.toString('utf8'), headers: m.headers, partition: batch.partition });
      if (seen.length >= count) resolve();
      return Promise.resolve();
    });
  });
  await consumer.close();
  return seen;
}

describe('records written by one adapter read the same through the other', () => {
  const messages: BusMessage[] = [
    ...Array.from({ length: 60 }, (_, i) => ({ key: `mp-${i}`, value: Buffer.from(JSON.stringify({ i, kWh: i * 0.25 })), headers: { schema: 'readings.v2', n: String(i) } })),
    { key: 'subscription/s1', value: Buffer.alloc(0) },
    { key: null, value: Buffer.from('no key') },
    { key: 'ünïcode-kéy', value: Buffer.from('é') },
  ];
  const byKeyAndValue = (a: Received, b: Received) => `${a.key}\u0000${a.value}`.localeCompare(`${b.key}\u0000${b.value}`);

  const adapters = {
    kafkajs: (brokers: string[]) => new KafkaBus({ brokers, clientId: `cross-kafkajs-${randomUUID()}` }),
    platformatic: (brokers: string[]) => new PlatformaticKafkaBus({ brokers, clientId: `cross-platformatic-${randomUUID()}` }),
  };
  type Adapter = { producer(): Promise<BusProducer>; consumer(options: ConsumerOptions): Promise<BusConsumer>; close(): Promise<void> };

  for (const [writer, reader] of [
    ['kafkajs', 'platformatic'],
    ['platformatic', 'kafkajs'],
  ] as const) {
    it(`written through ${writer}, read through ${reader} and through ${writer}: same keys, values, headers and partitions`, async () => {
      const { kafka } = inject('stack');
      const brokers = [...kafka.brokers];
      const topic = `cross-${randomUUID()}`;
      await createTopics(kafka.brokers, [{ topic, partitions: 6 }]);
      const writing: Adapter = adapters[writer](brokers);
      const reading: Adapter = adapters[reader](brokers);
      const producer = await writing.producer();
      await producer.send(topic, messages);
      await producer.close();
      const [readByOther, readBySame] = await Promise.all(
        [reading, writing].map(async (bus) => receiveAll(await bus.consumer({ groupId: `cross-${randomUUID()}`, topics: [topic], fromBeginning: true }), messages.length)),
      );
      await Promise.all([writing.close(), reading.close()]);
      expect(readByOther!.sort(byKeyAndValue)).toEqual(readBySame!.sort(byKeyAndValue));
      // And both are what was sent (the keyless record lands wherever its producer put it).
      expect(readByOther!.map(({ key, value, headers }) => ({ key, value, headers })).sort((a, b) => byKeyAndValue({ ...a, partition: 0 }, { ...b, partition: 0 }))).toEqual(
        messages
          .map((m) => ({ key: m.key, value: m.value.toString('utf8'), headers: m.headers }))
          .sort((a, b) => byKeyAndValue({ ...a, partition: 0 }, { ...b, partition: 0 })),
      );
    });
  }

  it('puts every key on the partition the other adapter would, on 6 partitions', async () => {
    const { kafka } = inject('stack');
    const brokers = [...kafka.brokers];
    const topic = `cross-partitions-${randomUUID()}`;
    await createTopics(kafka.brokers, [{ topic, partitions: 6 }]);
    const platformatic = new PlatformaticKafkaBus({ brokers, clientId: `cross-${randomUUID()}` });
    const kafkajs = new KafkaBus({ brokers, clientId: `cross-${randomUUID()}` });
    const keys = Array.from({ length: 500 }, (_, i) => `mp-${i}`);
    const [ours, theirs] = await Promise.all([platformatic.keyPartitioner(topic), kafkajs.keyPartitioner(topic)]);
    await Promise.all([platformatic.close(), kafkajs.close()]);
    expect(keys.map((k) => ours.partitionOf(k))).toEqual(keys.map((k) => theirs.partitionOf(k)));
  });
});

it('gathers records sent one by one into fuller batches when fetches wait for bytes, and still hands over a lone record once the wait has passed', async () => {
  const { kafka } = inject('stack');
  const bus = new PlatformaticKafkaBus({ brokers: [...kafka.brokers], clientId: `fetch-wait-${randomUUID()}` });
  const producer = await bus.producer();
  const topic = `fetch-wait-${randomUUID()}`;
  await createTopics(kafka.brokers, [{ topic, partitions: 1 }]);
  const consumer = await bus.consumer({ groupId: `group-${randomUUID()}`, topics: [topic], fromBeginning: true, fetchMinBytes: 1_048_576, fetchMaxWaitMs: 250 });
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
  await producer.close();
  await bus.close();
  // The trickle lasts over 400 ms: fetches waiting up to 250 ms each gather it in a few batches.
  expect(sizes.reduce((a, b) => a + b, 0)).toBe(40);
  expect(sizes.length).toBeLessThanOrEqual(10);
});
