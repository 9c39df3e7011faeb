import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigResourceTypes, Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaCluster, type KafkaHandle } from '../src/kafka.ts';
import { freePorts } from '../src/ports.ts';

let baseDir: string;
let cluster: KafkaHandle;
let admin: Admin;
let client: Kafka;

beforeAll(async () => {
  baseDir = await mkdtemp(join(tmpdir(), 'mtl-kafka-cluster-'));
  const ports = await freePorts(6);
  cluster = kafkaCluster({ dir: baseDir, nodes: [0, 1, 2].map((i) => ({ port: ports[2 * i]!, controllerPort: ports[2 * i + 1]! })) });
  await cluster.start();
  client = new Kafka({ clientId: 'cluster-test', brokers: [...cluster.brokers], logLevel: logLevel.NOTHING });
  admin = client.admin();
  await admin.connect();
}, 240_000);

afterAll(async () => {
  await admin?.disconnect();
  await cluster?.stop();
  await rm(baseDir, { recursive: true, force: true });
}, 120_000);

const partitionsOf = async (topic: string) => (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions;

describe('a three-node Kafka cluster (issue 18)', () => {
  it('forms one quorum of three voters and gives each new topic three replicas, two of them needed for a write', async () => {
    expect((await admin.describeCluster()).brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
    const topic = `replicated-${randomUUID()}`;
    await cluster.createTopics([{ topic, partitions: 3 }]);
    for (const partition of await partitionsOf(topic)) {
      expect([...partition.replicas].sort()).toEqual([1, 2, 3]);
      expect([...partition.isr].sort()).toEqual([1, 2, 3]);
    }
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['min.insync.replicas'] }] });
    expect(described.resources[0]!.configEntries[0]!.configValue).toBe('2');
  });

  it("loses no acknowledged record when a partition's leader is SIGKILLed, and takes the node back", async () => {
    const topic = `leader-kill-${randomUUID()}`;
    await cluster.createTopics([{ topic, partitions: 1 }]);
    // Retrying for longer than kafkajs's default (about 9 s in all): a dead leader is replaced after KRaft's broker session timeout, 9 s.
    const producer = client.producer({ retry: { retries: 12, initialRetryTime: 300, maxRetryTime: 3_000 } });
    await producer.connect();
    const send = (from: number) => producer.send({ topic, acks: -1, messages: Array.from({ length: 100 }, (_, i) => ({ key: 'k', value: String(from + i) })) });
    await send(0);
    const leaderId = (await partitionsOf(topic))[0]!.leader;
    const victim = cluster.nodes.find((n) => n.nodeId === leaderId)!;
    await victim.kill();
    // Once another in-sync replica leads, writes go on: acks=all needs two, and two are left.
    await expect.poll(async () => (await partitionsOf(topic))[0]!.leader, { timeout: 60_000, interval: 500 }).not.toBe(leaderId);
    await send(100);
    await producer.disconnect();

    const consumer = client.consumer({ groupId: `reader-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const values: number[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: ({ message }) => {
            values.push(Number(message.value?.toString()));
            if (values.length === 200) resolve();
            return Promise.resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    expect(values).toEqual(Array.from({ length: 200 }, (_, i) => i));

    await victim.start();
    await expect.poll(async () => [...(await partitionsOf(topic))[0]!.isr].sort(), { timeout: 60_000, interval: 500 }).toEqual([1, 2, 3]);
  });
});
