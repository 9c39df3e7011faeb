import { describe, expect, it } from 'vitest';
import { nextEntry, type RegistryEntryV1 } from '@meterline/contracts';
import { createFactorCatalog, type Enterprise } from '@meterline/domain';
import { RegistryEntryError, type RegistryPublisher } from '@meterline/feeds';
import { ApiError } from '../src/errors.ts';
import { RegistryConflictError, registryUploads, type RegistryTopicReader } from '../src/registry/registry-uploads.ts';
import { TEST_NOW, testManifest } from './fixtures.ts';

/** The reader's side of the topic, by hand: entries appear when the test says they were read. */
function handReader(entries: RegistryEntryV1[]): RegistryTopicReader & { read(entry: RegistryEntryV1): void } {
  const map = new Map(entries.map((e) => [e.enterpriseId, e]));
  return { entry: (id) => map.get(id), entries: () => map, version: (id) => map.get(id)?.version, read: (entry) => void map.set(entry.enterpriseId, entry) };
}

/** A publisher whose sends wait until released; what it was given, in order. */
function heldPublisher() {
  const sent: RegistryEntryV1[] = [];
  const waiting: (() => void)[] = [];
  const publisher: RegistryPublisher = {
    publish: (entry) => {
      sent.push(entry);
      return new Promise<void>((resolve) => waiting.push(resolve));
    },
    remove: () => Promise.reject(new Error('not used')),
  };
  return { publisher, sent, releaseAll: () => waiting.splice(0).forEach((release) => release()) };
}

const first = (e: Enterprise) => nextEntry(undefined, e, 'cli:fixtures', new Date('2026-03-01T00:00:00Z')).entry;
const [entA, entB] = testManifest().enterprises as [Enterprise, Enterprise];
const withDevice = (e: Enterprise, id: string): Enterprise => ({ ...e, devices: [...e.devices, { id, kind: 'meter', meteringPoints: [e.sites[0]!.meteringPoints[0]!.id] }] });
const uploadsOn = (reader: RegistryTopicReader, publisher: RegistryPublisher, visibleWithinMs?: number) =>
  registryUploads({ reader, publisher, factorCatalog: createFactorCatalog(), now: () => TEST_NOW, pollMs: 1, ...(visibleWithinMs === undefined ? {} : { visibleWithinMs }) });

describe('registryUploads', () => {
  it('takes one upload at a time, so the second of two claiming one new device id sees the first and is refused', async () => {
    const reader = handReader([first(entA), first(entB)]);
    const held = heldPublisher();
    const uploads = uploadsOn(reader, held.publisher);
    const one = uploads.upload('ent-a', withDevice(entA, 'new-dev'), 'a-key');
    const two = uploads.upload('ent-b', withDevice(entB, 'new-dev'), 'b-key');
    // The first is publishing; the second has not looked at the topic yet (it would have published by now).
    await new Promise((resolve) => setImmediate(resolve));
    expect(held.sent.map((e) => e.enterpriseId)).toEqual(['ent-a']);
    held.releaseAll();
    reader.read(held.sent[0]!);
    await expect(one).resolves.toMatchObject({ changed: true, visible: true, entry: { version: 2 } });
    const refused = await two.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(RegistryConflictError);
    expect((refused as RegistryConflictError).clashes).toEqual([{ pointer: '/devices/2/id', what: 'device', id: 'new-dev', holder: 'ent-a' }]);
    expect(held.sent).toHaveLength(1);
  });

  it('answers an upload not read back in time as published but not visible, and holds the next of the enterprise until it is', async () => {
    const reader = handReader([first(entA)]);
    const held = heldPublisher();
    const uploads = uploadsOn(reader, held.publisher, 20);
    const published = uploads.upload('ent-a', { ...entA, name: 'v2' }, 'a-key');
    await new Promise((resolve) => setImmediate(resolve));
    held.releaseAll();
    // Never read back: the reader still shows version 1.
    await expect(published).resolves.toMatchObject({ changed: true, visible: false, entry: { version: 2 } });
    // The next would be made from version 1 and repeat version 2: refused as a 503 to retry …
    const next = await uploads.upload('ent-a', { ...entA, name: 'v3' }, 'a-key').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(next).toBeInstanceOf(ApiError);
    expect(next).toMatchObject({ code: 'MTL_API_REGISTRY_UNAVAILABLE', canRetry: true, headers: { 'retry-after': '5' } });
    // … once the reader has it, uploads go on from there.
    reader.read(held.sent[0]!);
    const later = uploads.upload('ent-a', { ...entA, name: 'v3' }, 'a-key');
    await new Promise((resolve) => setImmediate(resolve));
    held.releaseAll();
    reader.read(held.sent[1]!);
    await expect(later).resolves.toMatchObject({ changed: true, visible: true, entry: { version: 3 } });
  });

  it('turns a publisher refusing the entry into a 400 naming its fields, and a broken bus into a 503', async () => {
    const reader = handReader([first(entA)]);
    const refusing: RegistryPublisher = {
      publish: (entry) => Promise.reject(new RegistryEntryError(entry.enterpriseId, [{ path: '/enterprise/sites/0/name', message: 'too long for a reader', code: 'MTL_DOMAIN_X' }])),
      remove: () => Promise.reject(new Error('not used')),
    };
    const invalid = await uploadsOn(reader, refusing).upload('ent-a', { ...entA, name: 'v2' }, 'a-key').catch((error: unknown) => error);
    expect(invalid).toMatchObject({ code: 'MTL_API_VALIDATION_FAILED', issues: [{ in: 'body', pointer: '/sites/0/name', detail: 'too long for a reader [MTL_DOMAIN_X]' }] });
    const down: RegistryPublisher = { publish: () => Promise.reject(new Error('KafkaJSConnectionError')), remove: () => Promise.reject(new Error('not used')) };
    const unavailable = await uploadsOn(reader, down).upload('ent-a', { ...entA, name: 'v2' }, 'a-key').catch((error: unknown) => error);
    expect(unavailable).toMatchObject({ code: 'MTL_API_REGISTRY_UNAVAILABLE', canRetry: true });
    expect(reader.version('ent-a')).toBe(1);
  });
});
