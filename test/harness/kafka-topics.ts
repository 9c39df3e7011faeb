import { randomUUID } from 'node:crypto';
import { AssignerProtocol, Kafka, logLevel } from 'kafkajs';
import type { StackConnection } from '@meterline/local-stack';

/** Every record of a topic, decoded. */
export async function readTopic<T>(stack: StackConnection, topic: string): Promise<T[]> {
  const kafka = new Kafka({ clientId: `e2e-reader-${topic}`, brokers: [...stack.kafka.brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const total = ends.reduce((n, e) => n + Number(e.high) - Number(e.low), 0);
  if (total === 0) return [];
  const consumer = kafka.consumer({ groupId: `e2e-reader-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const records: T[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: ({ message }) => {
          records.push(JSON.parse(message.value?.toString() ?? 'null') as T);
          if (records.length >= total) resolve();
          return Promise.resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return records;
}

/** How many partitions each member of a consumer group holds, once the group is stable (sorted; [] while it rebalances). */
export async function partitionShares(stack: StackConnection, groupId: string): Promise<number[]> {
  const admin = new Kafka({ clientId: `e2e-group-watch-${groupId}`, brokers: [...stack.kafka.brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const group = (await admin.describeGroups([groupId])).groups[0];
    if (group?.state !== 'Stable') return [];
    const shareOf = (assignment: Buffer) => Object.values(AssignerProtocol.MemberAssignment.decode(assignment)?.assignment ?? {}).reduce((n, partitions) => n + partitions.length, 0);
    return group.members.map((m) => shareOf(m.memberAssignment)).sort((a, b) => a - b);
  } finally {
    await admin.disconnect();
  }
}

/** Messages on a topic that a consumer group has not committed. */
export async function groupLag(stack: StackConnection, groupId: string, topic: string): Promise<number> {
  const kafka = new Kafka({ clientId: `e2e-lag-${groupId}`, brokers: [...stack.kafka.brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    const done = new Map(committed[0]?.partitions.map((p) => [p.partition, Number(p.offset)]));
    return ends.reduce((lag, end) => lag + Number(end.high) - Math.max(Number(end.low), done.get(end.partition) ?? 0), 0);
  } finally {
    await admin.disconnect();
  }
}

/** A topic's partitions as the cluster describes them now, in partition order. */
async function partitionsOf(stack: StackConnection, topic: string) {
  const admin = new Kafka({ clientId: `e2e-metadata-${topic}`, brokers: [...stack.kafka.brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return [...(topics[0]?.partitions ?? [])].sort((a, b) => a.partitionId - b.partitionId);
  } finally {
    await admin.disconnect();
  }
}

/** The node id leading a partition of a topic. */
export async function partitionLeader(stack: StackConnection, topic: string, partition: number): Promise<number> {
  const leader = (await partitionsOf(stack, topic)).find((p) => p.partitionId === partition)?.leader;
  if (leader === undefined || leader < 0) throw new Error(`partition ${partition} of ${topic} has no leader`);
  return leader;
}

/** How many replicas are in sync, per partition of a topic in partition order. */
export async function inSyncReplicas(stack: StackConnection, topic: string): Promise<number[]> {
  return (await partitionsOf(stack, topic)).map((p) => p.isr.length);
}
