import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { InfluxStore } from '@meterline/store-influx';
import type { Page } from '../src/http/pagination.ts';
import type { Problem } from '../src/problem.ts';
import type { ManualEntryView, RecordedManualEntry } from '../src/routes/manual-entry-routes.ts';
import { influxSeriesPageReader } from '../src/series/influx-series-page-reader.ts';
import { bearer, SECRETS, testApi } from './fixtures.ts';

const A = '/v1/enterprises/ent-a/manual-entries';

describe('manual entries on the real InfluxDB: recorded, corrected and listed through the API', () => {
  let store: InfluxStore;
  let database: string;
  let app: Awaited<ReturnType<typeof testApi>>['app'];
  let clock = Date.parse('2026-04-01T01:00:00Z');

  beforeAll(async () => {
    const { influx } = inject('stack');
    database = `api_manual_${randomUUID().replace(/-/g, '')}`;
    store = new InfluxStore({ url: influx.url, token: influx.token, database });
    await store.influxQl(`CREATE DATABASE ${database}`);
    // A clock one second further on each request: entries and corrections at distinct instants, as in production.
    ({ app } = await testApi({ store, series: influxSeriesPageReader(store), now: () => (clock += 1000) }));
  });
  afterAll(async () => {
    await app?.close();
    await store?.influxQl(`DROP DATABASE ${database}`);
    await store?.close();
  });

  const post = (body: object, secret: string = SECRETS.enterpriseA) => app.inject({ method: 'POST', url: A, headers: bearer(secret), payload: body });

  it('keeps an entry and its corrections append-only, and refuses a second correction of the same entry', async () => {
    const stock = { kind: 'fuel-stock', period: '2026-03', carrier: 'diesel', value: 9.5, unit: 't', errorPercent: 1, document: 'stock-take 2026-03' };
    const first = (await post(stock)).json<RecordedManualEntry>();
    const second = await post({ ...stock, value: 11.5, document: 'recount', corrects: first.id, reason: 'dip misread' }, SECRETS.admin);
    expect(second.statusCode, second.body).toBe(201);
    const fix = second.json<RecordedManualEntry>();
    expect(fix.enteredBy).toBe('ops-admin');

    const listed = (await app.inject({ url: A, headers: bearer(SECRETS.regulatorCq) })).json<Page<ManualEntryView>>().items;
    expect(listed.map((e) => [e.id, e.value, e.unit, e.errorPercent, e.enteredBy, e.corrects ?? null, e.reason ?? null, e.supersededBy])).toEqual([
      [first.id, 9.5, 't', 1, 'a-energy-manager', null, null, fix.id],
      [fix.id, 11.5, 't', 1, 'ops-admin', first.id, 'dip misread', null],
    ]);
    expect(listed[0]!.enteredAt).toBe(first.enteredAt);

    const twice = await post({ ...stock, value: 12, corrects: first.id, reason: 'again' });
    expect(twice.json<Problem>()).toMatchObject({ status: 409, code: 'MTL_API_MANUAL_ENTRY_CONFLICT' });
    expect((await app.inject({ url: A, headers: bearer(SECRETS.enterpriseA) })).json<Page<ManualEntryView>>().items).toHaveLength(2);
  });
});
