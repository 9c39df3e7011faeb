import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRecordTooLarge, type BusConsumer, type BusProducer, type ConsumedBatch, type ConsumerOptions, type KeyPartitioner } from '../src/index.ts';

/** What a bus implementation gives the contract suite. */
export interface BusUnderTest {
  producer(): BusProducer;
  consumer(options: ConsumerOptions): BusConsumer;
  keyPartitioner(topic: string): Promise<KeyPartitioner>;
  /** A fresh, empty topic no other test uses. */
  newTopic(): Promise<string>;
  close(): Promise<void>;
}

const text = (value: Buffer) => value.toString('utf8');

/** Collects messages until `count` have arrived, through the given handler wrapper. */
function collector(count: number, onBatch: (batch: ConsumedBatch) => Promise<void> = () => Promise.resolve()) {
  const seen: { key: string | null; value: string; headers?: Record<string, string> }[] = [];
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const handler = async (batch: ConsumedBatch) => {
    await onBatch(batch);
    for (const m of batch.messages) seen.push({ key: m.key, value: text(m.value), headers: m.headers });
    if (seen.length >= count) done();
  };
  return { seen, finished, handler };
}

/**
 * The guarantees Meterline's services rely on, checked against every bus implementation
 * (the pattern of MQTT.js's abstract store tests).
 */
export function busContract(name: string, make: () => Promise<BusUnderTest>): void {
  describe(`bus contract: ${name}`, () => {
    let bus: BusUnderTest;
    beforeAll(async () => {
      bus = await make();
    });
    afterAll(async () => {
      await bus.close();
    });

    it('delivers key, value and headers as sent', async () => {
      const topic = await bus.newTopic();
      const producer = bus.producer();
      await producer.send(topic, [{ key: 'mp-1', value: Buffer.from('{"v":1}'), headers: { schema: 'x.v1' } }]);
      const consumer = bus.consumer({ groupId: `g-${topic}`, topics: [topic], fromBeginning: true });
      const got = collector(1);
      await consumer.start(got.handler);
      await got.finished;
      await consumer.close();
      await producer.close();
      expect(got.seen).toEqual([{ key: 'mp-1', value: '{"v":1}', headers: { schema: 'x.v1' } }]);
    });

    it('delivers an empty value (a deletion on a compacted topic) as an empty value', async () => {
      const topic = await bus.newTopic();
      const producer = bus.producer();
      await producer.send(topic, [{ key: 'subscription/s1', value: Buffer.alloc(0) }]);
      const consumer = bus.consumer({ groupId: `g-${topic}`, topics: [topic], fromBeginning: true });
      const got = collector(1);
      await consumer.start(got.handler);
      await got.finished;
      await consumer.close();
      await producer.close();
      expect(got.seen.map((m) => [m.key, m.value])).toEqual([['subscription/s1', '']]);
    });

    it('accepts one send of one key larger than a broker request may be, in order (regression, issue 4)', async () => {
      // 24 messages of 100 KiB under one key: 2.4 MiB, above Kafka's default 1 MiB batch limit.
      const topic = await bus.newTopic();
      const producer = bus.producer();
      const sent = Array.from({ length: 24 }, (_, i) => ({ key: 'enterprise-1', value: Buffer.from(`${i}:`.padEnd(100 * 1024, 'x')) }));
      await producer.send(topic, sent);
      const consumer = bus.consumer({ groupId: `g-${topic}`, topics: [topic], fromBeginning: true });
      const got = collector(sent.length);
      await consumer.start(got.handler);
      await got.finished;
      await consumer.close();
      await producer.close();
      expect(got.seen.map((m) => m.value.split(':')[0])).toEqual(sent.map((_, i) => String(i)));
    });

    it('keeps the order of messages with the same key', async () => {
      const topic = await bus.newTopic();
      const producer = bus.producer();
      const sent = Array.from({ length: 50 }, (_, i) => ({ key: `mp-${i % 5}`, value: Buffer.from(String(i)) }));
      await producer.send(topic, sent.slice(0, 25));
      await producer.send(topic, sent.slice(25));
      const consumer = bus.consumer({ groupId: `g-${topic}`, topics: [topic], fromBeginning: true });
      const got = collector(50);
      await consumer.start(got.handler);
      await got.finished;
      await consumer.close();
      await producer.close();
      for (let k = 0; k < 5; k++) {
        const forKey = got.seen.filter((m) => m.key === `mp-${k}`).map((m) => Number(m.value));
        expect(forKey).toEqual(sent.filter((m) => m.key === `mp-${k}`).map((m) => Number(text(m.value))));
      }
    });

    it('names the partition each key is delivered on, so keys packed into one record keep their partition (issue 17)', async () => {
      const topic = await bus.newTopic();
      const partitioner = await bus.keyPartitioner(topic);
      const producer = bus.producer();
      const keys = Array.from({ length: 40 }, (_, i) => `mp-${i}`);
      await producer.send(topic, keys.map((key) => ({ key, value: Buffer.from(key) })));
      const delivered = new Map<string, number>();
      const got = collector(keys.length, (batch) => {
        for (const m of batch.messages) delivered.set(m.key!, batch.partition);
        return Promise.resolve();
      });
      const consumer = bus.consumer({ groupId: `g-${topic}`, topics: [topic], fromBeginning: true });
      await consumer.start(got.handler);
      await got.finished;
      await consumer.close();
      await producer.close();
      expect(new Set(delivered.values()).size).toBeGreaterThan(1);
      expect(Object.fromEntries(delivered)).toEqual(Object.fromEntries(keys.map((key) => [key, partitioner.partitionOf(key)])));
    });

    it('delivers a refused batch again, and nothing is lost', async () => {
      const topic = await bus.newTopic();
      const producer = bus.producer();
      await producer.send(topic, Array.from({ length: 10 }, (_, i) => ({ key: 'mp-1', value: Buffer.from(String(i)) })));
      let refusals = 0;
      const consumer = bus.consumer({ groupId: `g-${topic}`, topics: [topic], fromBeginning: true });
      const got = collector(10, () => {
        if (refusals < 2) {
          refusals++;
          return Promise.reject(new Error('store unavailable'));
        }
        return Promise.resolve();
      });
      await consumer.start(got.handler);
      await got.finished;
      await consumer.close();
      await producer.close();
      expect(refusals).toBe(2);
      expect(got.seen.map((m) => m.value)).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
    });

    it('commits what a handler accepted: the group resumes after it, with no lag left', async () => {
      const topic = await bus.newTopic();
      const groupId = `g-${topic}`;
      const producer = bus.producer();
      await producer.send(topic, [{ key: 'a', value: Buffer.from('first') }]);
      const first = bus.consumer({ groupId, topics: [topic], fromBeginning: true });
      const gotFirst = collector(1);
      await first.start(gotFirst.handler);
      await gotFirst.finished;
      await first.close();

      await producer.send(topic, [{ key: 'a', value: Buffer.from('second') }]);
      const second = bus.consumer({ groupId, topics: [topic], fromBeginning: true });
      const gotSecond = collector(1);
      await second.start(gotSecond.handler);
      await gotSecond.finished;
      // The commit follows the handler's success; it is not part of the handler.
      await expect.poll(() => second.lag(), { timeout: 10_000 }).toBe(0);
      await second.close();
      await producer.close();
      expect(gotSecond.seen.map((m) => m.value)).toEqual(['second']);
    });

    it('refuses a record over its size limit with a typed, not-retriable error, and still accepts the next (issue 13)', async () => {
      // 1.2 MiB: over Kafka's default record limit (message.max.bytes, 1 MiB) and the in-memory bus's.
      const topic = await bus.newTopic();
      const producer = bus.producer();
      const refusal = await producer.send(topic, [{ key: 'd-1', value: Buffer.alloc(1_200 * 1024, 0x78) }]).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isRecordTooLarge(refusal)).toBe(true);
      expect(refusal).toMatchObject({ code: 'MTL_BUS_RECORD_TOO_LARGE', canRetry: false });
      await producer.send(topic, [{ key: 'd-1', value: Buffer.from('small') }]);
      const consumer = bus.consumer({ groupId: `g-${topic}`, topics: [topic], fromBeginning: true });
      const got = collector(1);
      await consumer.start(got.handler);
      await got.finished;
      await consumer.close();
      await producer.close();
      expect(got.seen.map((m) => m.value)).toEqual(['small']);
    });

    it('starts a new group at a time: only messages from then on are delivered, and its lag counts only those', async () => {
      const topic = await bus.newTopic();
      const producer = bus.producer();
      await producer.send(topic, Array.from({ length: 4 }, (_, i) => ({ key: `k${i}`, value: Buffer.from(`before-${i}`) })));
      // Broker timestamps are milliseconds: step clear of the last message before taking the time.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const since = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await producer.send(topic, [{ key: 'k0', value: Buffer.from('after-0') }, { key: 'k1', value: Buffer.from('after-1') }]);
      const consumer = bus.consumer({ groupId: `g-${topic}`, topics: [topic], fromTimestampMs: since });
      expect(await consumer.lag()).toBe(2);
      const got = collector(2);
      await consumer.start(got.handler);
      await got.finished;
      await expect.poll(() => consumer.lag(), { timeout: 10_000 }).toBe(0);
      await consumer.close();
      // A time after every message: nothing to read, nothing lagging, and what comes next arrives.
      const later = bus.consumer({ groupId: `g2-${topic}`, topics: [topic], fromTimestampMs: Date.now() + 60_000 });
      expect(await later.lag()).toBe(0);
      const gotLater = collector(1);
      await later.start(gotLater.handler);
      await producer.send(topic, [{ key: 'k2', value: Buffer.from('after-2') }]);
      await gotLater.finished;
      await later.close();
      await producer.close();
      expect(got.seen.map((m) => m.value).sort()).toEqual(['after-0', 'after-1']);
      expect(gotLater.seen.map((m) => m.value)).toEqual(['after-2']);
    });

    it('says when the bus last answered it: not before it runs, recently while it does (issue 18: health reads it)', async () => {
      const topic = await bus.newTopic();
      const consumer = bus.consumer({ groupId: `g-${topic}`, topics: [topic], fromBeginning: true });
      expect(consumer.lastHeardAt()).toBeUndefined();
      const startedAt = Date.now();
      const got = collector(1);
      await consumer.start(got.handler);
      const producer = bus.producer();
      await producer.send(topic, [{ key: 'a', value: Buffer.from('x') }]);
      await got.finished;
      // An idle consumer goes on hearing from the bus (fetches, heartbeats): poll past a heartbeat.
      const afterDelivery = Date.now();
      await expect.poll(() => consumer.lastHeardAt() ?? 0, { timeout: 15_000, interval: 200 }).toBeGreaterThanOrEqual(afterDelivery);
      expect(consumer.lastHeardAt()).toBeGreaterThanOrEqual(startedAt);
      await consumer.close();
      await producer.close();
    });

    it('reports messages not yet consumed as lag', async () => {
      const topic = await bus.newTopic();
      const producer = bus.producer();
      await producer.send(topic, Array.from({ length: 7 }, (_, i) => ({ key: `k${i}`, value: Buffer.from('x') })));
      const consumer = bus.consumer({ groupId: `g-${topic}`, topics: [topic], fromBeginning: true });
      expect(await consumer.lag()).toBe(7);
      await consumer.close();
      await producer.close();
    });
  });
}
