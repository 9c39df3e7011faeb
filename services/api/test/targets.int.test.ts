import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AggregationJobV1 } from '@meterline/contracts';
import { InfluxStore } from '@meterline/store-influx';
import type { Page } from '../src/http/pagination.ts';
import type { Problem } from '../src/problem.ts';
import type { RecordedTarget, TargetView } from '../src/routes/target-routes.ts';
import { influxSeriesPageReader } from '../src/series/influx-series-page-reader.ts';
import { bearer, SECRETS, testApi } from './fixtures.ts';

const CQ = '/v1/regions/CN-CQ/targets';
const A = '/v1/enterprises/ent-a/targets';

describe('dual-control targets on the real InfluxDB: set, changed and listed through the API (issue 16)', () => {
  let store: InfluxStore;
  let database: string;
  let app: Awaited<ReturnType<typeof testApi>>['app'];
  const jobs: AggregationJobV1[] = [];
  // 2026-04-01T09:00+08:00, a second further on at each request: January to March 2026 have ended in Shanghai.
  let clock = Date.parse('2026-04-01T01:00:00Z');

  beforeAll(async () => {
    const { influx } = inject('stack');
    database = `api_targets_${randomUUID().replace(/-/g, '')}`;
    store = new InfluxStore({ url: influx.url, token: influx.token, database });
    await store.influxQl(`CREATE DATABASE ${database}`);
    ({ app } = await testApi({ store, series: influxSeriesPageReader(store), now: () => (clock += 1000), aggregationJobs: { request: (job) => Promise.resolve(void jobs.push(job)) } }));
  });
  afterAll(async () => {
    await app?.close();
    await store?.influxQl(`DROP DATABASE ${database}`);
    await store?.close();
  });

  const post = (url: string, body: unknown, secret: string = SECRETS.regulatorCq) => app.inject({ method: 'POST', url, headers: bearer(secret), payload: body as object });
  const list = async (url: string, secret: string = SECRETS.admin) => (await app.inject({ url, headers: bearer(secret) })).json<Page<TargetView>>().items;

  it('keeps a region’s target and its change append-only, restates the region’s enterprises, and reads them back exactly', async () => {
    const intensity = { year: 2026, metric: 'energy-intensity', basis: 'equivalent', value: 0.412, document: 'Chongqing energy-saving plan, 2026 decomposition' };
    const first = await post(CQ, intensity);
    expect(first.statusCode, first.body).toBe(201);
    const change = await post(CQ, { ...intensity, value: 0.405, document: 'plan revised', reason: 'revised in March' }, SECRETS.admin);
    expect(change.statusCode, change.body).toBe(201);
    const [a, b] = [first.json<RecordedTarget>(), change.json<RecordedTarget>()];
    expect(b.restates).toEqual({ enterprises: [{ enterpriseId: 'ent-a', months: ['2026-01', '2026-02', '2026-03'], requested: true }] });
    // 2026-01-01T00:00+08:00 to 2026-04-01T00:00+08:00.
    expect(jobs.map((j) => [j.jobId, j.fromMs, j.toMs])).toEqual([
      [`target:${a.id}:ent-a`, Date.parse('2025-12-31T16:00:00Z'), Date.parse('2026-03-31T16:00:00Z')],
      [`target:${b.id}:ent-a`, Date.parse('2025-12-31T16:00:00Z'), Date.parse('2026-03-31T16:00:00Z')],
    ]);
    const listed = await list(CQ, SECRETS.enterpriseA);
    const { restates: _a, ...viewA } = a;
    const { restates: _b, ...viewB } = b;
    expect(listed).toEqual([{ ...viewA, supersededBy: b.id }, viewB]);
    expect(await list(`${CQ}?year=2026&state=standing`)).toEqual([viewB]);
    expect(await list(`${CQ}?year=2025`)).toEqual([]);
  });

  it('stores an enterprise’s CO2 target without a basis and a large energy ceiling as entered', async () => {
    const co2 = await post(A, { year: 2026, metric: 'co2-total', value: 152_000, document: 'carbon allocation 2026' });
    const total = await post(A, { year: 2026, metric: 'energy-total', basis: 'equal-value', value: 9_876_543_210.5, document: 'target agreement 2026 No. 17' });
    expect([co2.statusCode, total.statusCode]).toEqual([201, 201]);
    const listed = await list(A);
    expect(listed.map((t) => [t.metric, t.basis ?? null, t.value, t.unit])).toEqual([
      ['co2-total', null, 152_000, 'tCO2'],
      ['energy-total', 'equal-value', 9_876_543_210.5, 'tce'],
    ]);
  });

  it('refuses hostile input before anything reaches the store', async () => {
    const before = await list(A);
    const good = { year: 2026, metric: 'energy-total', basis: 'equivalent', value: 40_000, document: 'agreement' };
    const refusals: Array<[string, unknown, string, number]> = [
      [A, { ...good, value: 0 }, SECRETS.admin, 400],
      [A, { ...good, value: 1e30 }, SECRETS.admin, 400],
      [A, { ...good, year: 'twenty-six' }, SECRETS.admin, 400],
      [A, { ...good, approvedBy: 'me' }, SECRETS.admin, 400],
      [A, good, SECRETS.enterpriseA, 403],
      [A, good, SECRETS.regulatorJs, 403],
      ['/v1/regions/CN-CQ%3B%20DROP/targets', good, SECRETS.admin, 400],
      [A, { ...good, document: 'x'.repeat(70_000) }, SECRETS.admin, 413],
    ];
    for (const [url, body, secret, status] of refusals) {
      const response = await post(url, body, secret);
      expect(response.statusCode, `${url} ${JSON.stringify(body).slice(0, 80)}`).toBe(status);
      expect(response.json<Problem>().status).toBe(status);
    }
    expect(await list(A)).toEqual(before);
  });
});
