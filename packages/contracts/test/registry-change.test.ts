import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeRegistryRecord, nextEntry, registryHash, registryRecord, type EnterpriseJson, type RegistryEntryV1 } from '../src/index.ts';

const enterprise = (name = 'Plant A'): EnterpriseJson => ({ id: 'e1', name, sites: [{ id: 's1', name: 'Main', meteringPoints: [] }], devices: [] });
const AT = new Date('2026-11-27T08:00:00.000Z');

const entryOf = (e: EnterpriseJson, over: Partial<RegistryEntryV1> = {}): RegistryEntryV1 => ({
  v: 1,
  enterpriseId: e.id,
  version: 1,
  registryHash: registryHash(e),
  uploadedAt: AT.toISOString(),
  uploadedBy: 'cli:test',
  enterprise: e,
  ...over,
});

const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('registryHash', () => {
  it('is the SHA-256 of the RFC 8785 canonical JSON: members sorted, no whitespace', () => {
    const expected = createHash('sha256').update('{"devices":[],"id":"e1","name":"Plant A","sites":[{"id":"s1","meteringPoints":[],"name":"Main"}]}').digest('hex');
    expect(registryHash(enterprise())).toBe(expected);
  });

  it('does not depend on the order of members, but on every value', () => {
    const reordered: EnterpriseJson = { devices: [], sites: [{ meteringPoints: [], name: 'Main', id: 's1' }], name: 'Plant A', id: 'e1' };
    expect(registryHash(reordered)).toBe(registryHash(enterprise()));
    expect(registryHash(enterprise('Plant B'))).not.toBe(registryHash(enterprise()));
  });
});

describe('decodeRegistryRecord', () => {
  it('reads an entry keyed by its enterprise', () => {
    const entry = entryOf(enterprise());
    const record = registryRecord('e1', entry);
    expect(record.headers).toEqual({ schema: 'meterline.registry-entry.v1' });
    expect(decodeRegistryRecord(record.key, record.value)).toEqual({ ok: true, enterpriseId: 'e1', entry });
  });

  it('reads an empty value as the removal of the key’s enterprise', () => {
    const record = registryRecord('e1', null);
    expect(record.value.length).toBe(0);
    expect(decodeRegistryRecord(record.key, record.value)).toEqual({ ok: true, enterpriseId: 'e1', entry: null });
  });

  it('refuses a record without an enterprise id as key', () => {
    expect(decodeRegistryRecord(null, Buffer.alloc(0))).toEqual({ ok: false, detail: 'key null is not an enterprise id' });
    expect(decodeRegistryRecord('e 1', bytes(entryOf(enterprise())))).toMatchObject({ ok: false, detail: 'key "e 1" is not an enterprise id' });
  });

  it('refuses what is not JSON, telling only its size', () => {
    expect(decodeRegistryRecord('e1', Buffer.from('{"v":1,'))).toEqual({ ok: false, detail: 'not JSON (7 bytes)' });
  });

  it('refuses what is not a registry entry v1, naming the path', () => {
    const result = decodeRegistryRecord('e1', bytes({ ...entryOf(enterprise()), version: 0 }));
    expect(result).toEqual({ ok: false, detail: 'does not match meterline.registry-entry.v1: /version must be >= 1' });
    expect(decodeRegistryRecord('e1', bytes({ ...entryOf(enterprise()), extra: true }))).toMatchObject({ ok: false, detail: expect.stringContaining("must NOT have additional properties 'extra'") as unknown });
  });

  it('refuses an entry that has no canonical form (a lone surrogate) instead of throwing', () => {
    const value = Buffer.from(JSON.stringify(entryOf(enterprise())).replace('"Plant A"', '"Plant \\ud800"'));
    expect(value.toString()).toContain('Plant \\ud800');
    expect(decodeRegistryRecord('e1', value)).toMatchObject({ ok: false, detail: expect.stringMatching(/^\/enterprise has no RFC 8785 canonical form: not I-JSON: a lone surrogate/) as unknown });
  });

  it('refuses an entry whose key, ids or hash disagree', () => {
    expect(decodeRegistryRecord('e2', bytes(entryOf(enterprise())))).toMatchObject({ ok: false, detail: expect.stringContaining('key e2 does not name the enterprise it carries') as unknown });
    const tampered = { ...entryOf(enterprise()), enterprise: enterprise('Plant B') };
    expect(decodeRegistryRecord('e1', bytes(tampered))).toMatchObject({ ok: false, detail: expect.stringMatching(/^\/registryHash [0-9a-f]{64} is not the hash of \/enterprise/) as unknown });
  });
});

describe('nextEntry', () => {
  it('makes version 1 of an enterprise not on the topic', () => {
    expect(nextEntry(undefined, enterprise(), 'key-ops', AT)).toEqual({ changed: true, previous: undefined, entry: entryOf(enterprise(), { uploadedBy: 'key-ops' }) });
  });

  it('leaves the entry in force when the upload has the same hash, whatever its member order', () => {
    const current = entryOf(enterprise(), { version: 4 });
    const reordered: EnterpriseJson = { name: 'Plant A', devices: [], id: 'e1', sites: [{ id: 's1', name: 'Main', meteringPoints: [] }] };
    expect(nextEntry(current, reordered, 'cli:x', new Date(AT.getTime() + 1000))).toEqual({ changed: false, entry: current });
  });

  it('makes the next version of a changed enterprise', () => {
    const current = entryOf(enterprise(), { version: 4 });
    const next = nextEntry(current, enterprise('Plant B'), 'cli:x', AT);
    expect(next).toEqual({ changed: true, previous: current, entry: entryOf(enterprise('Plant B'), { version: 5, uploadedBy: 'cli:x' }) });
  });

  it('refuses to compare two enterprises', () => {
    expect(() => nextEntry(entryOf(enterprise()), { ...enterprise(), id: 'e2' }, 'cli:x', AT)).toThrow(RangeError);
  });
});
