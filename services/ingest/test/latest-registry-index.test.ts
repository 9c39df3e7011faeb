import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryBus } from '@meterline/bus';
import { deadLetterCodec, decodeOrThrow, nextEntry, type EnterpriseJson, type RegistryEntryV1 } from '@meterline/contracts';
import { parseManifest, type Manifest } from '@meterline/domain';
import { registryPublisher, registryTopicGroupId, startTopicRegistrySource, type TopicRegistrySource } from '@meterline/feeds';
import type { MessageHandler, MessageSource } from '@meterline/mqtt-source';
import { createLogger, createMetricsRegistry } from '@meterline/service-kit';
import { createIngestApp } from '../src/app.ts';
import { latestRegistryIndex } from '../src/latest-registry-index.ts';

const parsed = parseManifest(readFileSync(new URL('../../../packages/domain/examples/demo-manifest.yaml', import.meta.url), 'utf8'), 'demo');
if (!parsed.ok) throw new Error('demo manifest invalid');
const demo = parsed.manifest.enterprises[0]! as unknown as EnterpriseJson;
const DEVICE = 'cq-gw-01';
const withoutDevice = { ...demo, devices: (demo['devices'] as { id: string }[]).filter((d) => d.id !== DEVICE) } as EnterpriseJson;

describe('latestRegistryIndex', () => {
  it('builds the index again only when it is given another manifest', () => {
    let manifest: Manifest = { version: 1, enterprises: [] };
    const index = latestRegistryIndex(() => manifest);
    const first = index();
    expect(index()).toBe(first);
    expect(first.device(DEVICE)).toBeUndefined();
    manifest = parsed.manifest;
    expect(index()).not.toBe(first);
    expect(index().device(DEVICE)?.enterpriseId).toBe('cq-autoparts');
  });
});

/** Our own MessageSource, delivering by hand: `deliver` resolves when the app would acknowledge. */
class HandSource implements MessageSource {
  private handler: MessageHandler | undefined;
  start(handler: MessageHandler) {
    this.handler = handler;
    return Promise.resolve();
  }
  close() {
    this.handler = undefined;
    return Promise.resolve();
  }
  status() {
    return { connected: 1, connections: 1 };
  }
  deliver(topic: string, payload: unknown) {
    if (!this.handler) throw new Error('not started');
    return this.handler(topic, Buffer.from(JSON.stringify(payload)), { retained: false });
  }
}

const sources: TopicRegistrySource[] = [];
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.close()));
});

describe('ingest on the registry topic (issue 6)', () => {
  it('dead-letters a device the registry does not know, and admits its next payload once an upload adds it, without a restart', async () => {
    const bus = new InMemoryBus();
    const publisher = registryPublisher(bus.producer(), 'registry');
    const entry = (enterprise: EnterpriseJson, current?: RegistryEntryV1) => {
      const next = nextEntry(current, enterprise, 'test');
      if (!next.changed) throw new Error('unchanged');
      return next.entry;
    };
    const v1 = entry(withoutDevice);
    await publisher.publish(v1);

    const waiting: { version: number; resolve: () => void }[] = [];
    const rejected: string[] = [];
    const registry = await startTopicRegistrySource({
      consumer: bus.consumer({ groupId: registryTopicGroupId('ingest', 'test'), topics: ['registry'], fromBeginning: true }),
      onRejected: (r) => rejected.push(r.detail),
      onApplied: ({ entry: e }) => {
        for (const w of waiting.filter((x) => x.version === e?.version)) w.resolve();
      },
      lagPollMs: 1,
    });
    sources.push(registry);
    await registry.ready();

    const source = new HandSource();
    const app = createIngestApp({
      source,
      producer: bus.producer(),
      readingsPartitioner: await bus.keyPartitioner('readings'),
      registry: latestRegistryIndex(() => registry.latest()),
      topics: { readings: 'readings', deadLetters: 'dlq', deviceStatus: 'device-status', deviceSequence: 'device-sequence' },
      rules: { maxPayloadBytes: 65_536, maxFutureSkewMs: 300_000, horizonMs: Date.UTC(2000, 0, 1) },
      batching: { lingerMs: 1, maxBatchRecords: 100, closeGraceMs: 50 },
      log: createLogger('ingest-test', 'silent'),
      metrics: createMetricsRegistry('ingest-test'),
    });
    await app.start();
    const payload = (seq: number) => ({
      v: 1,
      deviceId: DEVICE,
      seq,
      readings: [{ point: 'cq-e-main', ts: '2026-03-01T08:15:00+08:00', quantity: 'active-energy-import', value: 10 + seq, unit: 'kWh' }],
    });

    await source.deliver(`meterline/v1/${DEVICE}/readings`, payload(1));
    expect(bus.messagesOf('dlq').map((m) => decodeOrThrow(deadLetterCodec, m.value).reason)).toEqual(['UNKNOWN_DEVICE']);
    expect(bus.messagesOf('readings')).toEqual([]);

    const applied = new Promise<void>((resolve) => waiting.push({ version: 2, resolve }));
    await publisher.publish(entry(demo, v1));
    await applied;

    await source.deliver(`meterline/v1/${DEVICE}/readings`, payload(2));
    expect(bus.messagesOf('readings').map((m) => m.key)).toEqual(['cq-e-main']);
    expect(bus.messagesOf('dlq')).toHaveLength(1);
    expect(rejected).toEqual([]);
    await app.close();
  });
});
