import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it, onTestFinished } from 'vitest';
import { stringify } from 'yaml';
import type { BusProducer } from '@meterline/bus';
import { decodeRegistryRecord, registryHash } from '@meterline/contracts';
import type { Enterprise } from '@meterline/domain';
import { fileRegistrySource, registryTopicGroupId, startTopicRegistrySource } from '@meterline/feeds';
import { createLogger } from '@meterline/service-kit';
import { sha256Hex } from '../src/auth/api-keys.ts';
import { API_KEYS, bearer, publishManifest, REGISTRY_TOPIC, SECRETS, TEST_NOW, testApi, testManifest } from './fixtures.ts';
import type { Page } from '../src/http/pagination.ts';
import type { Problem } from '../src/problem.ts';
import type { EnterpriseDetail, EnterpriseSummary } from '../src/routes/enterprise-routes.ts';
import type { UploadResult } from '../src/routes/registry-routes.ts';

const A = '/v1/enterprises/ent-a/registry';
const json = { 'content-type': 'application/json' };

/** Enterprise A's entry as in the manifest, with a second metering point and a device for it: a change. */
function changedA(): Enterprise {
  const a = structuredClone(testManifest().enterprises[0]!);
  a.sites[0]!.meteringPoints.push({
    id: 'a-e-press',
    carrier: 'electricity',
    quantity: 'active-energy-import',
    unit: 'kWh',
    accuracyClass: 1,
    calibration: { certificate: 'A-2', validFrom: '2025-01-01', validUntil: '2027-01-01' },
    topology: { role: 'sub-meter', parent: 'a-e-main' },
  });
  a.devices.push({ id: 'a-dev-2', kind: 'meter', meteringPoints: ['a-e-press'] });
  return a;
}

const put = (body: unknown, secret: string = SECRETS.enterpriseA, url = A) =>
  ({ method: 'PUT', url, headers: { ...bearer(secret), ...json }, payload: JSON.stringify(body) }) as const;

describe('GET /v1/enterprises/{id}/registry', () => {
  it('shows the entry in force, with its version, hash and who uploaded it, to every role in scope', async () => {
    const { app } = await testApi();
    const b = testManifest().enterprises[1]!;
    for (const secret of [SECRETS.admin, SECRETS.regulatorJs, SECRETS.enterpriseB]) {
      const response = await app.inject({ url: '/v1/enterprises/ent-b/registry', headers: bearer(secret) });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toEqual({
        enterpriseId: 'ent-b',
        version: 1,
        registryHash: registryHash(b as never),
        uploadedAt: '2026-03-01T00:00:00.000Z',
        uploadedBy: 'cli:fixtures',
        enterprise: b,
      });
    }
    for (const secret of [SECRETS.enterpriseA, SECRETS.regulatorCq]) {
      const response = await app.inject({ url: '/v1/enterprises/ent-b/registry', headers: bearer(secret) });
      expect(response.json()).toMatchObject({ status: 403, code: 'MTL_API_FORBIDDEN' });
      expect(response.body).not.toContain('Bravo');
    }
  });
});

describe('PUT /v1/enterprises/{id}/registry', () => {
  it('publishes a changed entry as the next version and answers once the API reads it: the next request sees it', async () => {
    const { app, bus } = await testApi();
    const before = bus.messagesOf(REGISTRY_TOPIC).length;
    const entry = changedA();
    const response = await app.inject(put(entry));
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ enterpriseId: 'ent-a', version: 2, registryHash: registryHash(entry as never), changed: true });

    // On the topic as every reader reads it.
    const records = bus.messagesOf(REGISTRY_TOPIC);
    expect(records).toHaveLength(before + 1);
    const record = records.find((m) => m.key === 'ent-a' && decodeRegistryRecord(m.key, m.value).ok && (JSON.parse(m.value.toString()) as { version?: unknown }).version === 2)!;
    const decoded = decodeRegistryRecord(record.key, record.value);
    expect(decoded).toMatchObject({ ok: true, entry: { version: 2, uploadedBy: 'a-energy-manager', uploadedAt: new Date(TEST_NOW).toISOString() } });

    // Without a restart: the enterprise, its new point's readings route, its entry.
    const detail = (await app.inject({ url: '/v1/enterprises/ent-a', headers: bearer(SECRETS.enterpriseA) })).json<EnterpriseDetail>();
    expect(detail.sites[0]!.meteringPoints.map((p) => p.id)).toEqual(['a-e-main', 'a-e-press']);
    const readings = await app.inject({ url: '/v1/enterprises/ent-a/points/a-e-press/readings?from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z', headers: bearer(SECRETS.enterpriseA) });
    expect(readings.statusCode, readings.body).toBe(200);
    expect((await app.inject({ url: A, headers: bearer(SECRETS.enterpriseA) })).json()).toMatchObject({ version: 2, uploadedBy: 'a-energy-manager', enterprise: entry });
  });

  it('publishes nothing for the entry in force, whatever its key order, layout or id given', async () => {
    const { app, bus } = await testApi();
    const before = bus.messagesOf(REGISTRY_TOPIC).length;
    const { id: _id, ...withoutId } = testManifest().enterprises[0]!;
    const reversed = Object.fromEntries(Object.entries(testManifest().enterprises[0]!).reverse());
    for (const body of [withoutId, reversed]) {
      const response = await app.inject(put(body));
      expect(response.json()).toEqual({ enterpriseId: 'ent-a', version: 1, registryHash: registryHash(testManifest().enterprises[0]! as never), changed: false });
    }
    const yaml = await app.inject({ method: 'PUT', url: A, headers: { ...bearer(SECRETS.enterpriseA), 'content-type': 'application/yaml' }, payload: stringify(withoutId) });
    expect(yaml.json()).toMatchObject({ version: 1, changed: false });
    expect(bus.messagesOf(REGISTRY_TOPIC)).toHaveLength(before);
  });

  it('takes YAML as the manifest file is written', async () => {
    const { app } = await testApi();
    const response = await app.inject({ method: 'PUT', url: A, headers: { ...bearer(SECRETS.enterpriseA), 'content-type': 'application/yaml' }, payload: stringify(changedA()) });
    expect(response.json()).toMatchObject({ version: 2, changed: true });
    const bad = await app.inject({ method: 'PUT', url: A, headers: { ...bearer(SECRETS.enterpriseA), 'content-type': 'application/yaml' }, payload: 'name: [unclosed' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'MTL_API_VALIDATION_FAILED', errors: [{ in: 'body', pointer: '/' }] });
    // Only this route reads YAML.
    const elsewhere = await app.inject({ method: 'POST', url: '/v1/enterprises/ent-a/silences', headers: { ...bearer(SECRETS.enterpriseA), 'content-type': 'application/yaml' }, payload: 'comment: x' });
    expect(elsewhere.statusCode).toBe(415);
  });

  it('refuses an invalid entry naming every failing field by its path in the body, and publishes nothing', async () => {
    const { app, bus } = await testApi();
    const before = bus.messagesOf(REGISTRY_TOPIC).length;
    const entry = changedA();
    entry.timeZone = 'Mars/Olympus';
    entry.sites[0]!.meteringPoints[1]!.calibration.validUntil = '2024-13-01';
    entry.sites[0]!.meteringPoints[1]!.unit = 'm3';
    const response = await app.inject(put(entry));
    expect(response.statusCode).toBe(400);
    const problem = response.json<Problem>();
    expect(problem).toMatchObject({ status: 400, code: 'MTL_API_VALIDATION_FAILED' });
    expect(problem.errors!.map((e) => e.pointer).sort()).toEqual([
      '/sites/0/meteringPoints/1/calibration/validUntil',
      '/sites/0/meteringPoints/1/unit',
      '/timeZone',
    ]);
    expect(problem.errors!.every((e) => e.in === 'body' && e.detail.length > 0)).toBe(true);

    const structural = await app.inject(put({ ...changedA(), gridRegion: 'mars', extra: 1, sites: 'none' }));
    expect(structural.json<Problem>().errors!.map((e) => e.pointer).sort()).toEqual(['/extra', '/gridRegion', '/sites']);
    for (const body of [[], 'text', 42]) expect((await app.inject(put(body))).json()).toMatchObject({ status: 400, errors: [{ in: 'body', pointer: '/' }] });
    expect(bus.messagesOf(REGISTRY_TOPIC)).toHaveLength(before);
  });

  it('refuses a body naming another enterprise than the path, and a factor set this version does not know', async () => {
    const { app } = await testApi();
    const other = await app.inject(put({ ...changedA(), id: 'ent-z' }));
    expect(other.json()).toMatchObject({ status: 400, errors: [{ in: 'body', pointer: '/id' }] });
    const unknownSet = await app.inject(put({ ...changedA(), factorSet: { name: 'cn-2023', version: '9.9.9' } }));
    expect(unknownSet.json()).toMatchObject({ status: 400, errors: [{ in: 'body', pointer: '/factorSet' }] });
    // A lone surrogate (JSON allows the escape; Unicode has no such character) has no canonical form to hash.
    const brokenText = await app.inject(put({ ...changedA(), name: 'Plant \ud800' }));
    expect(brokenText.json()).toMatchObject({ status: 400, errors: [{ in: 'body', pointer: '/', detail: expect.stringMatching(/lone surrogate/) as unknown }] });
  });

  it('refuses ids another enterprise holds with 409, naming the holder to an admin only', async () => {
    const { app, bus } = await testApi();
    const before = bus.messagesOf(REGISTRY_TOPIC).length;
    const entry = changedA();
    entry.devices.push({ id: 'b-dev', kind: 'meter', meteringPoints: ['a-e-main'] });
    entry.sites.push({ id: 'b-site', name: 'Taken', meteringPoints: [] });
    const own = await app.inject(put(entry));
    expect(own.statusCode).toBe(409);
    expect(own.json()).toMatchObject({
      code: 'MTL_API_REGISTRY_CONFLICT',
      errors: [
        { in: 'body', pointer: '/sites/1/id', detail: 'site b-site is held by another enterprise' },
        { in: 'body', pointer: '/devices/2/id', detail: 'device b-dev is held by another enterprise' },
      ],
    });
    expect(own.body).not.toContain('ent-b');
    const admin = await app.inject(put(entry, SECRETS.admin));
    expect(admin.json<Problem>().errors![1]).toEqual({ in: 'body', pointer: '/devices/2/id', detail: 'device b-dev is held by enterprise ent-b' });
    expect(bus.messagesOf(REGISTRY_TOPIC)).toHaveLength(before);
  });

  it('lets an admin add an enterprise, and an enterprise key upload its own before it is in the registry; regulators never', async () => {
    const newcomer = { id: 'ent-c-key', sha256: sha256Hex('enterprise-c-secret-0123456789abcdef'), role: 'enterprise' as const, enterpriseId: 'ent-c' };
    const { app } = await testApi({ apiKeys: { version: 1, keys: [...API_KEYS.keys, newcomer] } });
    const entry = { ...changedA(), id: 'ent-c', name: 'Charlie Casting', sites: [{ id: 'c-site', name: 'C', meteringPoints: [] }], devices: [] };
    const first = await app.inject(put(entry, 'enterprise-c-secret-0123456789abcdef', '/v1/enterprises/ent-c/registry'));
    expect(first.json()).toMatchObject({ enterpriseId: 'ent-c', version: 1, changed: true });
    const listed = (await app.inject({ url: '/v1/enterprises', headers: bearer(SECRETS.admin) })).json<Page<EnterpriseSummary>>();
    expect(listed.items.map((e) => e.id)).toEqual(['ent-a', 'ent-b', 'ent-c']);
    const byAdmin = await app.inject(put({ ...entry, name: 'Charlie Casting Works' }, SECRETS.admin, '/v1/enterprises/ent-c/registry'));
    expect(byAdmin.json()).toMatchObject({ version: 2, changed: true });
    for (const secret of [SECRETS.regulatorCq, SECRETS.regulatorJs]) {
      expect((await app.inject(put(entry, secret, '/v1/enterprises/ent-c/registry'))).json()).toMatchObject({ status: 403, code: 'MTL_API_FORBIDDEN' });
    }
    // Another enterprise's id, existing or not: 403 before the body is judged.
    for (const url of ['/v1/enterprises/ent-b/registry', '/v1/enterprises/ent-d/registry']) {
      expect((await app.inject(put({ not: 'judged' }, SECRETS.enterpriseA, url))).json()).toMatchObject({ status: 403, code: 'MTL_API_FORBIDDEN' });
    }
  });

  it('answers 503 with retry-after when the topic does not take the upload, and changes nothing', async () => {
    const refusing: BusProducer = { send: () => Promise.reject(new Error('KafkaJSNumberOfRetriesExceeded')), close: () => Promise.resolve()};
    const { app, registrySource } = await testApi({}, { registryProducer: refusing });
    const response = await app.inject(put(changedA()));
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.json()).toMatchObject({ code: 'MTL_API_REGISTRY_UNAVAILABLE' });
    expect(registrySource?.version('ent-a')).toBe(1);
  });

  it('follows entries others publish (meterline registry push), without a restart', async () => {
    const { app, bus, registrySource } = await testApi();
    const renamed = testManifest();
    renamed.enterprises[0]!.name = 'Alpha Stamping Works (renamed)';
    await publishManifest(bus.producer(), REGISTRY_TOPIC, { version: 1, enterprises: [renamed.enterprises[0]!] }, 'cli:someone');
    // The reader applies the newest record of the key; it tells no one when, so ask until it has.
    while (registrySource?.entry('ent-a')?.uploadedBy !== 'cli:someone') await new Promise((resolve) => setTimeout(resolve, 1));
    expect((await app.inject({ url: '/v1/enterprises/ent-a', headers: bearer(SECRETS.enterpriseA) })).json()).toMatchObject({ name: 'Alpha Stamping Works (renamed)' });
  });

  it('never writes the uploaded entry into the log, only its version and hash', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString('utf8')), done()) });
    const { app } = await testApi({ logger: createLogger('api', 'debug', sink) });
    const response = await app.inject(put(changedA()));
    const log = lines.join('');
    expect(log).toContain(response.json<UploadResult>().registryHash);
    expect(log).not.toContain('Alpha plant');
  });

  it('is not served when the registry is a file, and everything else is, from the file as it changes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'api-registry-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'registry.yaml');
    await writeFile(file, stringify(testManifest()));
    const source = await fileRegistrySource(file, (problems) => expect.unreachable(problems));
    const { app } = await testApi({ registry: source }, { registry: 'file' });
    for (const method of ['GET', 'PUT'] as const) {
      const response = await app.inject({ method, url: A, headers: { ...bearer(SECRETS.admin), ...json }, payload: '{}' });
      expect(response.json(), method).toMatchObject({ status: 404, code: 'MTL_API_ROUTE_NOT_FOUND' });
    }
    const paths = Object.keys((await app.inject({ url: '/openapi.json' })).json<{ paths: Record<string, unknown> }>().paths);
    expect(paths.filter((p) => p.endsWith('/registry'))).toEqual([]);
    expect((await app.inject({ url: '/v1/enterprises/ent-a', headers: bearer(SECRETS.admin) })).json()).toMatchObject({ name: 'Alpha Stamping Works' });
    const renamed = testManifest();
    renamed.enterprises[0]!.name = 'Alpha Stamping Works, as edited in the file';
    await writeFile(file, stringify(renamed));
    expect((await app.inject({ url: '/v1/enterprises/ent-a', headers: bearer(SECRETS.admin) })).json()).toMatchObject({ name: 'Alpha Stamping Works, as edited in the file' });
  });
});

describe('the registry topic the API reads', () => {
  it('gives a reader started afterwards the uploaded version', async () => {
    const { app, bus } = await testApi();
    await app.inject(put(changedA()));
    const later = await startTopicRegistrySource({
      consumer: bus.consumer({ groupId: registryTopicGroupId('api-test', 'later'), topics: [REGISTRY_TOPIC], fromBeginning: true }),
      onRejected: (rejected) => expect.unreachable(`rejected ${JSON.stringify(rejected)}`),
      lagPollMs: 1,
    });
    await later.ready();
    expect(later.entry('ent-a')).toMatchObject({ version: 2, uploadedBy: 'a-energy-manager' });
    expect(later.latest().enterprises.find((e) => e.id === 'ent-a')?.devices.map((d) => d.id)).toEqual(['a-dev', 'a-dev-2']);
    await later.close();
  });
});
