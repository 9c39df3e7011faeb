import { describe, expect, it } from 'vitest';
import type { BusProducer } from '@meterline/bus';
import { decodeFactorSetRecord, decodeRegistryRecord, type FactorSetDefinitionV1 } from '@meterline/contracts';
import { bearer, FACTOR_SETS_TOPIC, REGISTRY_TOPIC, SECRETS, TEST_NOW, testApi, testManifest } from './fixtures.ts';

const json = { 'content-type': 'application/json' };

/** cn-2023 with a supply contract's grid factor for Chongqing (enterprise A's province). */
const CQ_PPA: FactorSetDefinitionV1 = {
  name: 'cq-ppa',
  version: '1',
  description: 'cn-2023 with the grid factor of a Chongqing supply contract',
  standardCoal: 'gbt-2589-2020',
  gridDataYear: 2023,
  fuels: 'gbt-32150-fuels',
  electricityEqualValue: 'electricity-equal-value-legacy',
  overrides: { gridFactors: [{ dataYear: 2023, level: 'provincial', region: 'CN-CQ', value: 0.41, source: 'supply contract CQ-7, annex 3', confidence: 'M' }] },
};

const post = (body: unknown, secret: string = SECRETS.admin) =>
  ({ method: 'POST', url: '/v1/factor-sets', headers: { ...bearer(secret), ...json }, payload: JSON.stringify(body) }) as const;
const pin = (body: unknown, secret: string = SECRETS.enterpriseA, id = 'ent-a') =>
  ({ method: 'PUT', url: `/v1/enterprises/${id}/factor-set`, headers: { ...bearer(secret), ...json }, payload: JSON.stringify(body) }) as const;

interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: { in: string; pointer: string; detail: string }[];
}
interface Detail {
  name: string;
  custom: boolean;
  createdAt?: string;
  createdBy?: string;
  grid: { level: string; region: string; factor: { value: number; source: string } }[];
}

describe('POST /v1/factor-sets', () => {
  it('publishes a custom set to the factor-set topic and answers 201 with its detail, which GET then lists and shows like a shipped one', async () => {
    const { app, bus } = await testApi();
    const created = await app.inject(post(CQ_PPA));
    expect(created.statusCode, created.body).toBe(201);
    expect(created.headers['location']).toBe('/v1/factor-sets/cq-ppa/1');
    const detail = created.json<Detail>();
    expect(detail).toMatchObject({ name: 'cq-ppa', custom: true, createdAt: new Date(TEST_NOW).toISOString(), createdBy: 'ops-admin' });
    expect(detail.grid.find((g) => g.level === 'provincial' && g.region === 'CN-CQ')?.factor).toMatchObject({ value: 0.41, source: 'supply contract CQ-7, annex 3' });

    const records = bus.messagesOf(FACTOR_SETS_TOPIC);
    expect(records).toHaveLength(1);
    const decoded = decodeFactorSetRecord(records[0]!.key, records[0]!.value);
    expect(decoded.ok && decoded.record.set).toEqual(CQ_PPA);

    // Every role reads it, the regulator too.
    const list = await app.inject({ url: '/v1/factor-sets', headers: bearer(SECRETS.regulatorCq) });
    const items = list.json<{ items: { name: string; version: string; custom: boolean; createdBy?: string }[] }>().items;
    expect(items).toContainEqual(expect.objectContaining({ name: 'cq-ppa', version: '1', custom: true, createdBy: 'ops-admin' }));
    expect(items.find((s) => s.name === 'cn-2023')).toMatchObject({ custom: false });
    expect(items.find((s) => s.name === 'cn-2023')).not.toHaveProperty('createdBy');
    const shown = await app.inject({ url: '/v1/factor-sets/cq-ppa/1', headers: bearer(SECRETS.enterpriseB) });
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toEqual(detail);
    await app.close();
  });

  it('answers 409 for a name and version that exists, custom or shipped, and publishes nothing', async () => {
    const { app, bus } = await testApi();
    expect((await app.inject(post(CQ_PPA))).statusCode).toBe(201);
    for (const body of [CQ_PPA, { ...CQ_PPA, description: 'other values under the same version' }, { ...CQ_PPA, name: 'cn-2023', version: '1.0.0' }]) {
      const response = await app.inject(post(body));
      expect(response.statusCode, response.body).toBe(409);
      expect(response.json<Problem>()).toMatchObject({ code: 'MTL_API_FACTOR_SET_EXISTS', errors: [{ in: 'body', pointer: '/version' }] });
    }
    expect(bus.messagesOf(FACTOR_SETS_TOPIC)).toHaveLength(1);
    await app.close();
  });

  it('names every failing field in the 400: the schema’s, then the domain’s checks against the tables and the plausibility bounds', async () => {
    const { app, bus } = await testApi();
    const { description: _dropped, ...withoutDescription } = CQ_PPA;
    const schema = await app.inject(post({ ...withoutDescription, gridDataYear: '2023', extra: 1 }));
    expect(schema.statusCode).toBe(400);
    expect(schema.json<Problem>().errors?.map((e) => e.pointer).sort()).toEqual(['/description', '/extra', '/gridDataYear']);

    const slip = { ...CQ_PPA, standardCoal: 'gbt-2589-2008', overrides: { gridFactors: [{ ...CQ_PPA.overrides!.gridFactors![0]!, value: 410 }] } };
    const domain = await app.inject(post(slip));
    expect(domain.statusCode).toBe(400);
    expect(domain.json<Problem>()).toMatchObject({ code: 'MTL_API_VALIDATION_FAILED' });
    expect(domain.json<Problem>().errors?.map((e) => `${e.in} ${e.pointer}`)).toEqual(['body /standardCoal', 'body /overrides/gridFactors/0/value']);
    expect(bus.messagesOf(FACTOR_SETS_TOPIC)).toHaveLength(0);
    await app.close();
  });

  it('is for admins only: enterprise and regulator keys get 403 and nothing is published', async () => {
    const { app, bus } = await testApi();
    for (const secret of [SECRETS.enterpriseA, SECRETS.regulatorCq]) expect((await app.inject(post(CQ_PPA, secret))).statusCode).toBe(403);
    expect(bus.messagesOf(FACTOR_SETS_TOPIC)).toHaveLength(0);
    await app.close();
  });

  it('answers 503 with retry-after when the topic does not take the set, and the set can be created afterwards', async () => {
    // The API's bus once "the broker is back"; until then every send fails.
    const broker: { back?: BusProducer } = {};
    const flaky: BusProducer = {
      send: async (topic, messages) => {
        if (!broker.back) throw new Error('broker unreachable');
        await broker.back.send(topic, messages);
      },
      close: () => Promise.resolve(),
    };
    const { app, bus } = await testApi({}, { factorSetsProducer: flaky });
    const refused = await app.inject(post(CQ_PPA));
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.json<Problem>().code).toBe('MTL_API_FACTOR_SETS_UNAVAILABLE');
    broker.back = bus.producer();
    expect((await app.inject(post(CQ_PPA))).statusCode).toBe(201);
    expect(bus.messagesOf(FACTOR_SETS_TOPIC)).toHaveLength(1);
    await app.close();
  });

  it('is not served without Kafka (404), and the catalogue is the shipped sets', async () => {
    const { app } = await testApi({}, { producer: null, registry: 'file' });
    expect((await app.inject(post(CQ_PPA))).statusCode).toBe(404);
    const list = await app.inject({ url: '/v1/factor-sets', headers: bearer(SECRETS.admin) });
    expect(list.json<{ items: { custom: boolean }[] }>().items.every((s) => !s.custom)).toBe(true);
    await app.close();
  });
});

describe('PUT /v1/enterprises/{id}/factor-set', () => {
  it('uploads the entry in force with the set replaced, as the next registry version; the same set again changes nothing', async () => {
    const { app, bus } = await testApi();
    expect((await app.inject(post(CQ_PPA))).statusCode).toBe(201);
    const pinned = await app.inject(pin({ name: 'cq-ppa', version: '1' }));
    expect(pinned.statusCode, pinned.body).toBe(200);
    expect(pinned.json()).toEqual({ enterpriseId: 'ent-a', factorSet: { name: 'cq-ppa', version: '1' }, version: 2, changed: true });

    const records = bus.messagesOf(REGISTRY_TOPIC);
    const ofA = records.filter((m) => m.key === 'ent-a');
    expect(ofA).toHaveLength(2);
    const last = decodeRegistryRecord(ofA[1]!.key, ofA[1]!.value);
    if (!last.ok || !last.entry) throw new Error(`not an entry: ${JSON.stringify(last)}`);
    expect(last.entry).toMatchObject({ enterpriseId: 'ent-a', version: 2, uploadedBy: 'a-energy-manager' });
    // Only the set changed.
    expect(last.entry.enterprise).toEqual({ ...structuredClone(testManifest().enterprises[0]!), factorSet: { name: 'cq-ppa', version: '1' } });
    const entry = await app.inject({ url: '/v1/enterprises/ent-a', headers: bearer(SECRETS.enterpriseA) });
    expect(entry.json<{ factorSet: unknown }>().factorSet).toEqual({ name: 'cq-ppa', version: '1' });

    const again = await app.inject(pin({ name: 'cq-ppa', version: '1' }, SECRETS.admin));
    expect(again.json()).toEqual({ enterpriseId: 'ent-a', factorSet: { name: 'cq-ppa', version: '1' }, version: 2, changed: false });
    expect(bus.messagesOf(REGISTRY_TOPIC)).toHaveLength(records.length);
    await app.close();
  });

  it('refuses a set the API does not know (400 at /name), regulators and other tenants (403), an enterprise not on the topic (404): nothing published', async () => {
    const { app, bus } = await testApi();
    const before = bus.messagesOf(REGISTRY_TOPIC).length;
    const unknown = await app.inject(pin({ name: 'cq-ppa', version: '1' }));
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<Problem>().errors).toEqual([{ in: 'body', pointer: '/name', detail: expect.stringContaining('no factor set cq-ppa@1') as unknown }]);
    expect((await app.inject(pin({ name: 'cn-2022', version: '1.0.0' }, SECRETS.regulatorCq))).statusCode).toBe(403);
    expect((await app.inject(pin({ name: 'cn-2022', version: '1.0.0' }, SECRETS.enterpriseA, 'ent-b'))).statusCode).toBe(403);
    expect((await app.inject(pin({ name: 'cn-2022', version: '1.0.0' }, SECRETS.admin, 'ent-new'))).statusCode).toBe(404);
    expect((await app.inject(pin({ name: 'cn-2022' }))).json<Problem>().errors?.map((e) => e.pointer)).toEqual(['/version']);
    expect(bus.messagesOf(REGISTRY_TOPIC)).toHaveLength(before);
    await app.close();
  });
});

describe('a factor set covers its regions (issue 15, item 5)', () => {
  /** A set for Germany only: the shipped tables, its own national grid factor. */
  const GERMANY: FactorSetDefinitionV1 = {
    ...CQ_PPA,
    name: 'de-grid',
    regions: ['DE'],
    description: 'a German grid mix',
    overrides: { gridFactors: [{ dataYear: 2023, level: 'national', value: 0.38, source: 'test value: 380 g/kWh', confidence: 'M' }] },
  };

  it('shows the regions of a set; pinning a set that does not cover the enterprise is a 400 naming both, and nothing is published', async () => {
    const { app, bus } = await testApi();
    expect((await app.inject(post(GERMANY))).statusCode).toBe(201);
    const shipped = await app.inject({ url: '/v1/factor-sets/cn-2023/1.0.0', headers: bearer(SECRETS.enterpriseA) });
    expect(shipped.json<{ regions: string[] }>().regions).toEqual(['CN']);
    const german = await app.inject({ url: '/v1/factor-sets/de-grid/1', headers: bearer(SECRETS.enterpriseA) });
    // Only its own national factor: none of China's regional or provincial ones.
    expect(german.json<Detail & { regions: string[] }>()).toMatchObject({ regions: ['DE'], grid: [{ level: 'national', factor: { value: 0.38 } }] });

    const before = bus.messagesOf(REGISTRY_TOPIC).length;
    const refused = await app.inject(pin({ name: 'de-grid', version: '1' }));
    expect(refused.statusCode, refused.body).toBe(400);
    expect(refused.json<Problem>().errors).toEqual([{ in: 'body', pointer: '/factorSet', detail: expect.stringMatching(/ent-a is in CN-CQ, which factor set de-grid@1 does not cover \(it covers DE\)/) as unknown }]);
    expect(bus.messagesOf(REGISTRY_TOPIC)).toHaveLength(before);
    await app.close();
  });

  it('a report of an enterprise outside its set’s regions is a 409 problem, not China’s factors', async () => {
    const manifest = testManifest();
    manifest.enterprises[0]!.region = 'DE-BE';
    const { app } = await testApi({}, { manifest, registry: 'file' });
    const response = await app.inject({ url: '/v1/enterprises/ent-a/reports/2026-03', headers: bearer(SECRETS.enterpriseA) });
    expect(response.statusCode).toBe(409);
    expect(response.json<Problem>()).toMatchObject({ code: 'MTL_API_FACTOR_SET_OUTSIDE_REGION', detail: expect.stringContaining('DE-BE') as unknown });
    await app.close();
  });
});

describe('GET /v1/enterprises/{id}/reports/{month} with a factor set the API does not know', () => {
  it('answers a 409 problem naming the set, not a 500 (issue 6)', async () => {
    const manifest = testManifest();
    manifest.enterprises[0]!.factorSet = { name: 'cq-ppa', version: '9' };
    const { app } = await testApi({}, { manifest, registry: 'file' });
    const response = await app.inject({ url: '/v1/enterprises/ent-a/reports/2026-03', headers: bearer(SECRETS.enterpriseA) });
    expect(response.statusCode).toBe(409);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json<Problem>()).toMatchObject({ code: 'MTL_API_FACTOR_SET_UNKNOWN', detail: expect.stringContaining('cq-ppa@9') as unknown });
    await app.close();
  });
});
