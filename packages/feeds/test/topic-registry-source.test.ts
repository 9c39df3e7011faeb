import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryBus, type BusConsumer } from '@meterline/bus';
import { registryHash, registryRecord, type RegistryEntryV1 } from '@meterline/contracts';
import { RegistryEntryError, registryPublisher, registryTopicGroupId, type TopicRegistrySource } from '../src/index.ts';
import { enterpriseJson, entry, observeSource, reached, rejections, type Observed } from './registry-fixtures.ts';

const TOPIC = 'meterline.registry.v1';

const sources: TopicRegistrySource[] = [];
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.close()));
});

async function start(bus: InMemoryBus, consumer?: BusConsumer): Promise<Observed> {
  const observed = await observeSource(consumer ?? bus.consumer({ groupId: registryTopicGroupId('test', 'i1'), topics: [TOPIC], fromBeginning: true }));
  sources.push(observed.source);
  return observed;
}

const ids = (s: TopicRegistrySource) => s.latest().enterprises.map((e) => e.id);

describe('topic registry source (in-memory bus)', () => {
  it('gives, once caught up, the latest entry of every enterprise the topic held before it started', async () => {
    const bus = new InMemoryBus();
    const publisher = registryPublisher(bus.producer(), TOPIC);
    const e1v1 = entry(enterpriseJson('e1'));
    const e1v2 = entry(enterpriseJson('e1', ['e1-d0', 'e1-d1']), e1v1);
    for (const e of [entry(enterpriseJson('e2')), e1v1, e1v2, entry(enterpriseJson('e0'))]) await publisher.publish(e);

    const { source, rejected } = await start(bus);
    await source.ready();
    const manifest = await source.current();
    expect(manifest.enterprises.map((e) => e.id)).toEqual(['e0', 'e1', 'e2']);
    expect(manifest.enterprises[1]!.devices.map((d) => d.id)).toEqual(['e1-d0', 'e1-d1']);
    expect([source.version('e0'), source.version('e1'), source.version('e2'), source.version('e9')]).toEqual([1, 2, 1, undefined]);
    expect(source.entry('e1')).toEqual(e1v2);
    expect(rejected).toEqual([]);
  });

  it('takes a new version while running, and a tombstone removes the enterprise', async () => {
    const bus = new InMemoryBus();
    const publisher = registryPublisher(bus.producer(), TOPIC);
    const running = await start(bus);
    await running.source.ready();
    expect(await running.source.current()).toEqual({ version: 1, enterprises: [] });

    const v1 = entry(enterpriseJson('e1'));
    await publisher.publish(v1);
    await reached(running, 'e1', 1);
    const first = running.source.latest();
    expect(first.enterprises.map((e) => e.devices.length)).toEqual([1]);
    // Unchanged until an entry changes it: ingest rebuilds its index only then.
    expect(running.source.latest()).toBe(first);

    await publisher.publish(entry(enterpriseJson('e1', ['e1-d0', 'e1-d1']), v1));
    await reached(running, 'e1', 2);
    expect(running.source.latest()).not.toBe(first);
    expect(running.source.latest().enterprises[0]!.devices.map((d) => d.id)).toEqual(['e1-d0', 'e1-d1']);

    await publisher.remove('e1');
    await reached(running, 'e1', null);
    expect(ids(running.source)).toEqual([]);
    expect(running.source.version('e1')).toBeUndefined();

    // A reader started after the tombstone never sees the enterprise.
    const later = await start(bus);
    await later.source.ready();
    expect(ids(later.source)).toEqual([]);
  });

  it('skips an entry the domain refuses, naming the path, and keeps the previous one', async () => {
    const bus = new InMemoryBus();
    const publisher = registryPublisher(bus.producer(), TOPIC);
    const v1 = entry(enterpriseJson('e1'));
    await publisher.publish(v1);
    const running = await start(bus);
    await running.source.ready();

    // A writer that skips the publisher's check: kWh metered as m3.
    const bad = enterpriseJson('e1');
    (bad['sites'] as { meteringPoints: { unit: string }[] }[])[0]!.meteringPoints[0]!.unit = 'm3';
    const badEntry: RegistryEntryV1 = { ...v1, version: 2, enterprise: bad, registryHash: registryHash(bad) };
    await bus.producer().send(TOPIC, [registryRecord('e1', badEntry)]);
    await rejections(running, 'INVALID');
    const rejection = running.rejected[0]!;
    expect(rejection).toMatchObject({ topic: TOPIC, key: 'e1', reason: 'INVALID' });
    expect(rejection.detail).toMatch(/^version 2: \/enterprise\/sites\/0\/meteringPoints\/0\/unit: unit "m3" does not measure active-energy-import .*\[MTL_DOMAIN_MANIFEST_UNIT_MISMATCH\]$/);
    expect(running.source.entry('e1')).toEqual(v1);
    expect(running.source.latest().enterprises[0]!.sites[0]!.meteringPoints[0]!.unit).toBe('kWh');

    // The topic is not stalled: the next good record is read.
    await publisher.publish(entry(enterpriseJson('e2')));
    await reached(running, 'e2', 1);
    expect(ids(running.source)).toEqual(['e1', 'e2']);
  });

  it('skips records that are no registry entry, and never fails on them', async () => {
    const bus = new InMemoryBus();
    const running = await start(bus);
    await running.source.ready();
    const tampered = { ...entry(enterpriseJson('e1')), registryHash: '0'.repeat(64) };
    await bus.producer().send(TOPIC, [
      { key: 'e1', value: Buffer.from('not json') },
      { key: 'e1', value: Buffer.from(JSON.stringify(tampered)) },
    ]);
    await registryPublisher(bus.producer(), TOPIC).publish(entry(enterpriseJson('e2')));
    await reached(running, 'e2', 1);
    await rejections(running, 'UNREADABLE', 2);
    expect(running.rejected).toMatchObject([
      { reason: 'UNREADABLE', key: 'e1', offset: '0', detail: 'not JSON (8 bytes)' },
      { reason: 'UNREADABLE', key: 'e1', offset: '1', detail: expect.stringMatching(/^\/registryHash 0{64} is not the hash of \/enterprise/) as unknown },
    ]);
    expect(ids(running.source)).toEqual(['e2']);
  });

  it('leaves out an enterprise holding a device of one uploaded earlier, whatever the order read, until that changes', async () => {
    const early = new Date('2026-11-27T08:00:00Z');
    const late = new Date('2026-11-27T09:00:00Z');
    const e1 = entry(enterpriseJson('e1', ['e1-d0', 'shared-d']), undefined, early);
    const e2 = entry(enterpriseJson('e2', ['e2-d0', 'shared-d']), undefined, late);
    // On the topic in either order: the one uploaded earlier holds the device.
    for (const order of [[e2, e1], [e1, e2]]) {
      const bus = new InMemoryBus();
      const publisher = registryPublisher(bus.producer(), TOPIC);
      for (const e of order) await publisher.publish(e);

      const running = await start(bus);
      await running.source.ready();
      expect(ids(running.source)).toEqual(['e1']);
      await rejections(running, 'CONFLICT');
      expect(running.rejected).toEqual([
        { topic: TOPIC, partition: expect.any(Number) as unknown, offset: expect.any(String) as unknown, key: 'e2', reason: 'CONFLICT', detail: "version 1 left out of the registry: metering point shared-d-p0 is enterprise e1's; device shared-d is enterprise e1's" },
      ]);
      expect(running.source.version('e2')).toBe(1);

      // e1 gives the device up: e2 comes in, and the conflict was told once.
      await publisher.publish(entry(enterpriseJson('e1', ['e1-d0']), e1, late));
      await reached(running, 'e1', 2);
      expect(ids(running.source)).toEqual(['e1', 'e2']);
      expect(running.rejected).toHaveLength(1);
    }
  });

  it('fails ready and current when the lag cannot be read', async () => {
    const bus = new InMemoryBus();
    const inner = bus.consumer({ groupId: registryTopicGroupId('test', 'i1'), topics: [TOPIC], fromBeginning: true });
    const broken: BusConsumer = { start: (h) => inner.start(h), close: () => inner.close(), lag: () => Promise.reject(new Error('broker gone')), lastHeardAt: () => undefined };
    const { source } = await start(bus, broken);
    await expect(source.ready()).rejects.toThrow('broker gone');
    await expect(source.current()).rejects.toThrow('broker gone');
  });

  it('names a consumer group per service, instance and start', () => {
    const a = registryTopicGroupId('ingest', 'ingest-1');
    expect(a).toMatch(/^meterline-ingest-ingest-1-registry-[0-9a-f-]{36}$/);
    expect(registryTopicGroupId('ingest', 'ingest-1')).not.toBe(a);
  });
});

describe('registry publisher', () => {
  it('refuses an entry readers would skip, with the paths, and sends nothing', async () => {
    const bus = new InMemoryBus();
    const publisher = registryPublisher(bus.producer(), TOPIC);
    const bad = enterpriseJson('e1', ['e1-d0'], { timeZone: 'Mars/Olympus' });
    const error = await publisher.publish(entry(bad)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RegistryEntryError);
    expect(error).toMatchObject({ code: 'MTL_REGISTRY_ENTRY_INVALID', canRetry: false, enterpriseId: 'e1' });
    expect((error as RegistryEntryError).problems).toEqual([
      { path: '/enterprise/timeZone', message: 'unknown IANA time zone "Mars/Olympus" (e.g. Asia/Shanghai)', code: 'MTL_DOMAIN_MANIFEST_INVALID_VALUE' },
    ]);
    const tampered = { ...entry(enterpriseJson('e1')), version: 0 };
    await expect(publisher.publish(tampered)).rejects.toThrow('/version must be >= 1');
    await expect(publisher.remove('not an id')).rejects.toThrow(RegistryEntryError);
    expect(bus.messagesOf(TOPIC)).toEqual([]);
  });

  it('keys entries by enterprise, with the schema header; a removal is an empty value', async () => {
    const bus = new InMemoryBus();
    const publisher = registryPublisher(bus.producer(), TOPIC);
    const e1 = entry(enterpriseJson('e1'));
    await publisher.publish(e1);
    await publisher.remove('e1');
    expect(bus.messagesOf(TOPIC).map((m) => ({ key: m.key, value: m.value.toString(), headers: m.headers }))).toEqual([
      { key: 'e1', value: JSON.stringify(e1), headers: { schema: 'meterline.registry-entry.v1' } },
      { key: 'e1', value: '', headers: { schema: 'meterline.registry-entry.v1' } },
    ]);
  });
});
