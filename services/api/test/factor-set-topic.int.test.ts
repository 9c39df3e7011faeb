import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BusProducer } from '@meterline/bus';
import { KafkaBus } from '@meterline/bus-kafka';
import type { FactorSetDefinitionV1 } from '@meterline/contracts';
import {
  factorSetTopicGroupId, publishFactorSet, registryPublisher, registrySourceFromConfig, startTopicFactorCatalog, type ConfiguredRegistry,
  type FactorSetRecordRejected, type TopicFactorCatalog,
} from '@meterline/feeds';
import { createTopics } from '@meterline/local-stack';
import { createLogger } from '@meterline/service-kit';
import { customFactorSets } from '../src/factor-sets/custom-factor-sets.ts';
import { registryUploads } from '../src/registry/registry-uploads.ts';
import { bearer, publishManifest, SECRETS, TEST_NOW, testApi, testManifest } from './fixtures.ts';

const SET: FactorSetDefinitionV1 = {
  name: 'cq-ppa-int',
  version: '1',
  description: 'cn-2023 with the grid factor of a Chongqing supply contract',
  standardCoal: 'gbt-2589-2020',
  gridDataYear: 2023,
  fuels: 'gbt-32150-fuels',
  electricityEqualValue: 'electricity-equal-value-legacy',
  overrides: { gridFactors: [{ dataYear: 2023, level: 'provincial', region: 'CN-CQ', value: 0.43, source: 'supply contract CQ-7, annex 3', confidence: 'M' }] },
};

/**
 * Issue 6, item 2, on a real Kafka: a custom set POSTed to the API is on the factor-set topic
 * for every reader (another process's catalogue resolves it with its values), and pinning it
 * to an enterprise is the next version of its entry on the registry topic.
 */
describe('custom factor sets on the Kafka factor-set topic', () => {
  const registryTopic = `registry-${randomUUID()}`;
  const factorSetsTopic = `factor-sets-${randomUUID()}`;
  let bus: KafkaBus;
  let producer: BusProducer;
  const registries: ConfiguredRegistry[] = [];
  const catalogs: TopicFactorCatalog[] = [];
  const rejected: FactorSetRecordRejected[] = [];
  const log = createLogger('api', 'error');
  const readFactorSets = async (instanceId: string) => {
    const catalog = await startTopicFactorCatalog({
      consumer: await bus.consumer({ groupId: factorSetTopicGroupId('api-int-test', instanceId), topics: [factorSetsTopic], fromBeginning: true }),
      onRejected: (record) => rejected.push(record),
    });
    catalogs.push(catalog);
    await catalog.ready();
    return catalog;
  };

  beforeAll(async () => {
    const { kafka } = inject('stack');
    await createTopics(kafka.brokers, [
      { topic: registryTopic, partitions: 3, configs: { 'cleanup.policy': 'compact' } },
      { topic: factorSetsTopic, partitions: 1, configs: { 'cleanup.policy': 'compact' } },
    ]);
    bus = new KafkaBus({ brokers: [...kafka.brokers], clientId: `api-factor-sets-${randomUUID()}` });
    producer = await bus.producer();
    await publishManifest(producer, registryTopic, testManifest());
  });

  afterAll(async () => {
    for (const catalog of catalogs) await catalog.close();
    for (const registry of registries) await registry.close();
    await producer?.close();
    await bus?.close();
  });

  it('publishes a POSTed set for every reader, and PUT factor-set pins it as the next registry version', async () => {
    const factorSets = await readFactorSets('api-1');
    const registry = await registrySourceFromConfig({ registryTopic }, { consumer: (options) => bus.consumer(options), service: 'api-int-test', instanceId: 'api-1', log });
    registries.push(registry);
    if (registry.kind !== 'topic') throw new Error('a topic was configured');
    const { app } = await testApi(
      {
        registry: registry.source,
        factorCatalog: factorSets.catalog,
        customFactorSets: customFactorSets({ reader: factorSets, publish: (record) => publishFactorSet(producer, factorSetsTopic, record), now: () => TEST_NOW }),
        registryUploads: registryUploads({ reader: registry.source, publisher: registryPublisher(producer, registryTopic), factorCatalog: factorSets.catalog, now: () => TEST_NOW }),
      },
      { registry: 'file' },
    );
    const headers = (secret: string) => ({ ...bearer(secret), 'content-type': 'application/json' });

    const created = await app.inject({ method: 'POST', url: '/v1/factor-sets', headers: headers(SECRETS.admin), payload: SET });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ name: 'cq-ppa-int', version: '1', custom: true, createdBy: 'ops-admin' });

    // Another process's reader of the topic: the set resolves there with its own values.
    const other = await readFactorSets('api-2');
    const resolved = other.catalog.resolve('cq-ppa-int', '1');
    if (!resolved.ok) throw resolved.error;
    const grid = resolved.factor.gridFactor({ level: 'provincial', region: 'CN-CQ', gridRegion: 'southwest', date: '2026-03-01' });
    expect(grid.ok && grid.factor.value).toBe(0.43);
    expect(other.custom().get('cq-ppa-int@1')).toMatchObject({ createdAt: new Date(TEST_NOW).toISOString(), createdBy: 'ops-admin' });

    const pinned = await app.inject({ method: 'PUT', url: '/v1/enterprises/ent-a/factor-set', headers: headers(SECRETS.enterpriseA), payload: { name: 'cq-ppa-int', version: '1' } });
    expect(pinned.statusCode, pinned.body).toBe(200);
    expect(pinned.json()).toEqual({ enterpriseId: 'ent-a', factorSet: { name: 'cq-ppa-int', version: '1' }, version: 2, changed: true });
    expect(rejected).toEqual([]);
    expect(registry.source.entry('ent-a')).toMatchObject({ version: 2, uploadedBy: 'a-energy-manager', enterprise: { factorSet: { name: 'cq-ppa-int', version: '1' } } });
    await app.close();
  });
});
