import { describe, expect, it } from 'vitest';
import type { Manifest } from '@meterline/domain';
import { registryViews } from '../src/registry/registry-view.ts';
import { testManifest } from './fixtures.ts';

describe('registryViews', () => {
  it('builds the index once per manifest the source hands out, and anew when it hands out another', async () => {
    let manifest: Manifest = testManifest();
    let reads = 0;
    const view = registryViews({ current: () => { reads++; return Promise.resolve(manifest); } });
    const first = await view();
    expect(await view()).toBe(first);
    expect(first.index.device('b-gw')?.enterpriseId).toBe('ent-b');

    manifest = { version: 1, enterprises: manifest.enterprises.filter((e) => e.id === 'ent-a') };
    const second = await view();
    expect(second).not.toBe(first);
    expect(second.index.enterprise('ent-b')).toBeUndefined();
    expect(reads).toBe(3);
  });

  it('asks a slow source (a file, statted when asked) again only after recheckMs', async () => {
    let now = 0;
    let reads = 0;
    const manifest = testManifest();
    const view = registryViews({ current: () => { reads++; return Promise.resolve(manifest); } }, { recheckMs: 1_000, clock: () => now });
    await view();
    now = 999;
    await view();
    expect(reads).toBe(1);
    now = 1_000;
    await view();
    expect(reads).toBe(2);
  });
});
