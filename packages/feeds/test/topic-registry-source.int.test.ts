import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KafkaBus } from '@meterline/bus-kafka';
import type { BusProducer } from '@meterline/bus';
import { registryRecord } from '@meterline/contracts';
import { MTL_TOPIC_SPECS, MTL_TOPICS, createTopics } from '@meterline/local-stack';
import { registryPublisher, registryTopicGroupId, type RegistryPublisher, type TopicRegistrySource } from '../src/index.ts';
import { enterpriseJson, entry, observeSource, reached, rejections, type Observed } from './registry-fixtures.ts';

let bus: KafkaBus;
let producer: BusProducer;
let publisher: RegistryPublisher;
let topic: string;
const sources: TopicRegistrySource[] = [];

beforeAll(async () => {
  const { kafka } = inject('stack');
  // The registry topic as the stack makes it (compacted, its partitions), under a name of this test's own.
  const spec = MTL_TOPIC_SPECS.find((t) => t.topic === MTL_TOPICS.registry)!;
  topic = `it-registry-${randomUUID()}`;
  await createTopics(kafka.brokers, [{ ...spec, topic }]);
  bus = new KafkaBus({ brokers: [...kafka.brokers], clientId: `it-registry-${randomUUID()}` });
  producer = await bus.producer();
  publisher = registryPublisher(producer, topic);
});
afterAll(async () => {
  await Promise.all(sources.map((s) => s.close()));
  await producer?.close();
  await bus?.close();
});

async function reader(instance: string): Promise<Observed> {
  const observed = await observeSource(await bus.consumer({ groupId: registryTopicGroupId('it', instance), topics: [topic], fromBeginning: true }), 100);
  sources.push(observed.source);
  await observed.source.ready();
  return observed;
}

const devicesOf = (o: Observed, enterpriseId: string) => o.source.latest().enterprises.find((e) => e.id === enterpriseId)?.devices.map((d) => d.id);

describe('topic registry source on a real, compacted Kafka topic', () => {
  it('a reader started later sees v1; running readers see v2 without a restart; a tombstone removes; a bad record is skipped', async () => {
    const first = await reader('first');
    expect(await first.source.current()).toEqual({ version: 1, enterprises: [] });

    const e1v1 = entry(enterpriseJson('e1'));
    await publisher.publish(e1v1);
    await publisher.publish(entry(enterpriseJson('e2')));
    await reached(first, 'e1', 1);

    // Started after v1: ready means it has read it.
    const second = await reader('second');
    expect(second.source.latest().enterprises.map((e) => e.id)).toEqual(['e1', 'e2']);
    expect(second.source.version('e1')).toBe(1);

    await publisher.publish(entry(enterpriseJson('e1', ['e1-d0', 'e1-d1']), e1v1));
    await Promise.all([reached(first, 'e1', 2), reached(second, 'e1', 2)]);
    for (const r of [first, second]) expect(devicesOf(r, 'e1')).toEqual(['e1-d0', 'e1-d1']);

    // A record no reader can use, on e2's key: skipped, e2 keeps its entry.
    await producer.send(topic, [{ ...registryRecord('e2', null), value: Buffer.from('{"v":1}') }]);
    await Promise.all([rejections(first, 'UNREADABLE'), rejections(second, 'UNREADABLE')]);
    expect(second.rejected).toEqual([expect.objectContaining({ topic, key: 'e2', reason: 'UNREADABLE', detail: expect.stringContaining('does not match meterline.registry-entry.v1') as unknown })]);
    expect(second.source.version('e2')).toBe(1);

    await publisher.remove('e1');
    await Promise.all([reached(first, 'e1', null), reached(second, 'e1', null)]);
    for (const r of [first, second]) expect(r.source.latest().enterprises.map((e) => e.id)).toEqual(['e2']);

    const third = await reader('third');
    expect(third.source.latest().enterprises.map((e) => e.id)).toEqual(['e2']);
    expect(third.source.version('e1')).toBeUndefined();
    expect(third.rejected.map((r) => r.reason)).toEqual(['UNREADABLE']);
  });
});
