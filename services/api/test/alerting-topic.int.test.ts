import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BusProducer } from '@meterline/bus';
import { KafkaBus } from '@meterline/bus-kafka';
import { alertingTopicGroupId, overlayAlerting, startAlertingTopicReader, type AlertingRecordRejected, type AlertingTopicReader } from '@meterline/feeds';
import { createTopics } from '@meterline/local-stack';
import { alertingDirectory } from '../src/alerting/alerting-directory.ts';
import { topicAlertingWriter, type AlertingWriter } from '../src/alerting/alerting-writer.ts';
import { bearer, SECRETS, testApi } from './fixtures.ts';
import type { SubscriptionWithSecret } from '../src/routes/subscription-routes.ts';

/**
 * Issue 6: the alerting topic round trip on a real Kafka. The API writes a subscription with
 * its own producer and answers once its own reader has it; a second reader (another process's,
 * in a group of its own) gets it, secret and all, and an alerter's overlay delivers with it;
 * a delete reaches that reader as a deletion, and a reader started afterwards never sees it.
 */
describe('the alerting topic on Kafka', () => {
  const topic = `alerting-${randomUUID()}`;
  let bus: KafkaBus;
  let producer: BusProducer;
  const readers: AlertingTopicReader[] = [];
  const rejected: AlertingRecordRejected[] = [];
  const startReader = async () => {
    const reader = await startAlertingTopicReader({
      consumer: await bus.consumer({ groupId: alertingTopicGroupId('int-test'), topics: [topic], fromBeginning: true }),
      onRejected: (record) => rejected.push(record),
    });
    readers.push(reader);
    await reader.caughtUp();
    return reader;
  };

  beforeAll(async () => {
    const { kafka } = inject('stack');
    await createTopics(kafka.brokers, [{ topic, partitions: 3, configs: { 'cleanup.policy': 'compact' } }]);
    bus = new KafkaBus({ brokers: [...kafka.brokers], clientId: `api-alerting-${randomUUID()}` });
    producer = await bus.producer();
  });

  afterAll(async () => {
    await Promise.all(readers.map((r) => r.close()));
    await producer?.close();
    await bus?.close();
  });

  it('API writes, a second reader sees it, a delete removes it', async () => {
    const apiReader = await startReader();
    // The write ids the API's writes got, so the second reader can be waited on for each.
    const writeIds: string[] = [];
    const kafkaWriter = topicAlertingWriter(producer, topic);
    const writer: AlertingWriter = {
      put: async (change) => {
        const id = await kafkaWriter.put(change);
        writeIds.push(id);
        return id;
      },
      remove: async (kind, id) => {
        const writeId = await kafkaWriter.remove(kind, id);
        writeIds.push(writeId);
        return writeId;
      },
    };
    const { app } = await testApi({ alerting: alertingDirectory({ reader: apiReader, writer }) });
    const other = await startReader();

    const created = await app.inject({
      method: 'POST',
      url: '/v1/enterprises/ent-a/alert-subscriptions',
      headers: { ...bearer(SECRETS.enterpriseA), 'content-type': 'application/json' },
      payload: { url: 'https://alpha.example.org/kafka', minSeverity: 'critical' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { id, secret } = created.json<SubscriptionWithSecret>();
    // Read back by the API's own reader before it answered: this instance sees it at once.
    expect((await app.inject({ url: `/v1/enterprises/ent-a/alert-subscriptions/${id}`, headers: bearer(SECRETS.enterpriseA) })).statusCode).toBe(200);

    await other.sawWrite(writeIds.at(-1)!);
    expect(other.subscriptions().get(id)?.subscription).toMatchObject({ id, enterpriseId: 'ent-a', url: 'https://alpha.example.org/kafka', secret, minSeverity: 'critical' });
    const alerter = overlayAlerting({ rulesFor: () => { throw new Error('not asked'); }, subscriptionsOf: () => [], subscription: () => undefined, silencesOf: () => [] }, other);
    expect(alerter.subscription(id)).toMatchObject({ url: 'https://alpha.example.org/kafka', secret });

    const deleted = await app.inject({ method: 'DELETE', url: `/v1/enterprises/ent-a/alert-subscriptions/${id}`, headers: bearer(SECRETS.enterpriseA) });
    expect(deleted.statusCode).toBe(204);
    await other.sawWrite(writeIds.at(-1)!);
    expect(other.subscriptions().has(id)).toBe(false);
    expect(alerter.subscription(id)).toBeUndefined();

    // A reader that starts now reads the subscription and its deletion: it never has it.
    const later = await startReader();
    expect(later.subscriptions().has(id)).toBe(false);
    expect(writeIds).toHaveLength(2);
    expect(rejected).toEqual([]);
    await app.close();
  });
});
