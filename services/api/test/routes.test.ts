import { describe, expect, it } from 'vitest';
import { bearer, SECRETS, testApi } from './fixtures.ts';
import type { Page } from '../src/http/pagination.ts';
import type { Problem } from '../src/problem.ts';
import type { EnterpriseDetail, EnterpriseSummary } from '../src/routes/enterprise-routes.ts';
import type { FactorSetDetail, FactorSetSummary } from '../src/routes/factor-set-routes.ts';
import type { FigureView, ReadingView, RestatementView } from '../src/routes/series-routes.ts';

const range = 'from=2026-03-01T00:00:00%2B08:00&to=2026-03-04T00:00:00%2B08:00';

describe('enterprises', () => {
  it('lists what each key may read', async () => {
    const { app } = await testApi();
    const ids = async (secret: string) => (await app.inject({ url: '/v1/enterprises', headers: bearer(secret) })).json<Page<EnterpriseSummary>>().items.map((e) => e.id);
    expect(await ids(SECRETS.admin)).toEqual(['ent-a', 'ent-b']);
    expect(await ids(SECRETS.regulatorJs)).toEqual(['ent-b']);
    expect(await ids(SECRETS.enterpriseA)).toEqual(['ent-a']);
  });

  it('pages with a next link until the last page', async () => {
    const { app } = await testApi();
    const first = (await app.inject({ url: '/v1/enterprises?limit=1', headers: bearer(SECRETS.admin) })).json<Page<EnterpriseSummary>>();
    expect(first.items.map((e: { id: string }) => e.id)).toEqual(['ent-a']);
    const second = (await app.inject({ url: first.next!, headers: bearer(SECRETS.admin) })).json<Page<EnterpriseSummary>>();
    expect(second).toMatchObject({ items: [{ id: 'ent-b' }], next: null });
  });

  it('shows sites and metering points with calibration status as of today', async () => {
    const { app } = await testApi();
    const b = (await app.inject({ url: '/v1/enterprises/ent-b', headers: bearer(SECRETS.regulatorJs) })).json<EnterpriseDetail>();
    expect(b.asOf).toBe('2026-03-10');
    expect(b.sites[0]!.meteringPoints[0]).toMatchObject({ id: 'b-e-main', accuracyClass: 0.5, calibration: { validUntil: '2026-01-01', status: 'expired' } });
    const unknown = await app.inject({ url: '/v1/enterprises/nobody', headers: bearer(SECRETS.admin) });
    expect(unknown.statusCode).toBe(404);
    // A non-admin cannot tell an unknown id from one it may not read.
    expect((await app.inject({ url: '/v1/enterprises/nobody', headers: bearer(SECRETS.enterpriseA) })).statusCode).toBe(403);
  });
});

describe('factor sets', () => {
  it('lists the catalogue and shows a set with its values and sources', async () => {
    const { app } = await testApi();
    const list = (await app.inject({ url: '/v1/factor-sets', headers: bearer(SECRETS.enterpriseA) })).json<Page<FactorSetSummary>>();
    expect(list.items.map((s: { name: string }) => s.name)).toContain('cn-2023');
    const set = (await app.inject({ url: '/v1/factor-sets/cn-2023/1.0.0', headers: bearer(SECRETS.enterpriseA) })).json<FactorSetDetail>();
    expect(set.standardCoal.find((c: { carrier: string }) => c.carrier === 'electricity')!.factor).toMatchObject({ value: 0.1229, unit: 'kgce/kWh' });
    expect(set.grid.some((g: { level: string; region: string }) => g.level === 'provincial' && g.region === 'CN-CQ')).toBe(true);
    expect(set.fuels.length).toBeGreaterThan(0);
    for (const factor of [...set.standardCoal.map((c) => c.factor), set.electricityEqualValue, set.purchasedHeat]) {
      expect(factor.source).not.toBe('');
    }
    expect((await app.inject({ url: '/v1/factor-sets/cn-1999/1.0.0', headers: bearer(SECRETS.admin) })).statusCode).toBe(404);
  });
});

describe('figures, restatements and readings', () => {
  it('reads figures with uncertainty, coverage, flags and provenance, page by page', async () => {
    const { app } = await testApi();
    const url = `/v1/enterprises/ent-a/figures?measurement=consumption&period=day&${range}&point=a-e-main&limit=2`;
    const first = (await app.inject({ url, headers: bearer(SECRETS.enterpriseA) })).json<Page<FigureView>>();
    expect(first.items).toHaveLength(2);
    expect(first.items[0]).toEqual({
      measurement: 'consumption',
      period: 'day',
      periodKey: '2026-03-01',
      start: '2026-02-28T16:00:00.000Z',
      end: '2026-03-01T16:00:00.000Z',
      subject: { site: 'a-site', point: 'a-e-main', carrier: 'electricity', quantity: 'active-energy-import', role: 'boundary-input' },
      value: 100,
      unit: 'kWh',
      expandedUncertainty: 1.5,
      coveragePercent: 99.5,
      completenessPercent: 87.5,
      estimated: 0,
      flags: ['GAP_FILLED', 'LATE'],
      factorSet: 'cn-2023@1.0.0',
      registryVersion: 'r1',
      revision: 0,
      detail: { tce: 100 * 0.0001229, completeness: 87.5, readings_received: 84, readings_expected: 96 },
    });
    const second = (await app.inject({ url: first.next!, headers: bearer(SECRETS.enterpriseA) })).json<Page<FigureView>>();
    expect(second.items.map((f: { value: number }) => f.value)).toEqual([102]);
    expect(second.next).toBeNull();
    const carbon = (await app.inject({ url: `/v1/enterprises/ent-a/figures?measurement=carbon&period=day&${range}&scope=scope1`, headers: bearer(SECRETS.admin) })).json<Page<FigureView>>();
    expect(carbon.items.map((f: { value: number }) => f.value)).toEqual([10, 11, 12]);
  });

  it('reads restatements with old and new values', async () => {
    const { app } = await testApi();
    const page = (await app.inject({ url: `/v1/enterprises/ent-a/restatements?${range}`, headers: bearer(SECRETS.regulatorCq) })).json<Page<RestatementView>>();
    expect(page.items).toEqual([
      expect.objectContaining({ figure: 'consumption', oldValue: 100, newValue: 101, oldFlags: ['GAP'], newFlags: [], reason: 'READINGS_CHANGED', revision: 1 }),
    ]);
  });

  it('reads the raw readings of a point of the enterprise, and no other enterprise’s point', async () => {
    const { app } = await testApi();
    const readings = (await app.inject({ url: `/v1/enterprises/ent-a/points/a-e-main/readings?${range}`, headers: bearer(SECRETS.enterpriseA) })).json<Page<ReadingView>>();
    expect(readings.items.map((r: { value: number }) => r.value)).toEqual([5000, 5001, 5002]);
    const foreign = await app.inject({ url: `/v1/enterprises/ent-a/points/b-e-main/readings?${range}`, headers: bearer(SECRETS.admin) });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body).not.toContain('123456.789');
  });
});

describe('time ranges (issue 13, defect 12)', () => {
  it.each([
    ['readings', '/v1/enterprises/ent-a/points/a-e-main/readings'],
    ['figures', '/v1/enterprises/ent-a/figures?measurement=consumption&period=day&'],
  ])('answers a range the store cannot hold with a 400 problem naming the field (%s)', async (_name, path) => {
    const { app } = await testApi();
    const url = `${path}${path.includes('?') ? '' : '?'}from=0001-01-01T00:00:00Z&to=9999-12-31T00:00:00Z`;
    const response = await app.inject({ url, headers: bearer(SECRETS.enterpriseA) });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json<Problem>().errors).toEqual([{ in: 'query', pointer: '/from', detail: expect.stringContaining('outside the storable range') as unknown }]);
  });
});
