import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BusProducer } from '@meterline/bus';
import { KafkaBus } from '@meterline/bus-kafka';
import { createFactorCatalog } from '@meterline/domain';
import { registryPublisher, registrySourceFromConfig, type ConfiguredRegistry } from '@meterline/feeds';
import { createTopics } from '@meterline/local-stack';
import { createLogger } from '@meterline/service-kit';
import { registryUploads } from '../src/registry/registry-uploads.ts';
import { bearer, publishManifest, SECRETS, TEST_NOW, testApi, testManifest } from './fixtures.ts';
import type { EnterpriseDetail } from '../src/routes/enterprise-routes.ts';
import type { UploadResult } from '../src/routes/registry-routes.ts';

/**
 * Issue 6: registry uploads on a real Kafka. The API reads the registry topic through
 * registrySourceFromConfig as the services do; an upload is answered once that reader has it,
 * so the next request sees it, and a reader in another process's group gets the same version.
 */
describe('registry uploads on the Kafka registry topic', () => {
  const topic = `registry-${randomUUID()}`;
  let bus: KafkaBus;
  let producer: BusProducer;
  const registries: ConfiguredRegistry[] = [];
  const lines: string[] = [];
  const log = createLogger('api', 'info', new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString('utf8')), done()) }));
  const readRegistry = async (instanceId: string) => {
    const registry = await registrySourceFromConfig({ registryTopic: topic }, { consumer: (options) => bus.consumer(options), service: 'api-int-test', instanceId, log });
    registries.push(registry);
    if (registry.kind !== 'topic') throw new Error('a topic was configured');
    return registry;
  };

  beforeAll(async () => {
    const { kafka } = inject('stack');
    await createTopics(kafka.brokers, [{ topic, partitions: 3, configs: { 'cleanup.policy': 'compact' } }]);
    bus = new KafkaBus({ brokers: [...kafka.brokers], clientId: `api-registry-${randomUUID()}` });
    producer = await bus.producer();
    await publishManifest(producer, topic, testManifest());
  });

  afterAll(async () => {
    for (const registry of registries) await registry.close();
    await producer?.close();
    await bus?.close();
  });

  it('publishes an upload as the next version, visible to the next request and to every other reader', async () => {
    const registry = await readRegistry('api-1');
    const uploads = registryUploads({ reader: registry.source, publisher: registryPublisher(producer, topic), factorCatalog: createFactorCatalog(), now: () => TEST_NOW });
    const { app } = await testApi({ registry: registry.source, registryUploads: uploads }, { registry: 'file' });

    const entry = structuredClone(testManifest().enterprises[0]!);
    entry.sites[0]!.meteringPoints.push({
      id: 'a-e-kafka',
      carrier: 'electricity',
      quantity: 'active-energy-import',
      unit: 'kWh',
      accuracyClass: 1,
      calibration: { certificate: 'A-K', validFrom: '2025-01-01', validUntil: '2027-01-01' },
      topology: { role: 'sub-meter', parent: 'a-e-main' },
    });
    const headers = { ...bearer(SECRETS.enterpriseA), 'content-type': 'application/json' };
    const uploaded = await app.inject({ method: 'PUT', url: '/v1/enterprises/ent-a/registry', headers, payload: entry });
    expect(uploaded.statusCode, uploaded.body).toBe(200);
    expect(uploaded.json()).toMatchObject({ enterpriseId: 'ent-a', version: 2, changed: true });

    // Read back from Kafka by this API's own reader before it answered.
    const detail = (await app.inject({ url: '/v1/enterprises/ent-a', headers: bearer(SECRETS.enterpriseA) })).json<EnterpriseDetail>();
    expect(detail.sites[0]!.meteringPoints.map((p) => p.id)).toContain('a-e-kafka');
    expect(lines.join('')).toMatch(/"enterprise":"ent-a","version":2.*"msg":"registry entry applied"/);

    const again = await app.inject({ method: 'PUT', url: '/v1/enterprises/ent-a/registry', headers, payload: entry });
    expect(again.json()).toMatchObject({ version: 2, changed: false, registryHash: uploaded.json<UploadResult>().registryHash });

    const other = await readRegistry('api-2');
    expect(other.source.entry('ent-a')).toMatchObject({ version: 2, registryHash: uploaded.json<UploadResult>().registryHash, uploadedBy: 'a-energy-manager' });
    expect(other.source.latest().enterprises.map((e) => e.id)).toEqual(['ent-a', 'ent-b']);
    await app.close();
  });
});
