import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { InMemoryStore } from '@meterline/store';
import { InfluxStore } from '@meterline/store-influx';
import { influxSeriesPageReader } from '../src/series/influx-series-page-reader.ts';
import { storeSeriesPageReader } from '../src/series/series-page-reader.ts';
import { bearer, SECRETS, seedAlerts, testApi } from './fixtures.ts';
import type { Page } from '../src/http/pagination.ts';

/**
 * The alert routes on a real InfluxDB answer what they answer on the in-memory store: the
 * alerter's current records at time 0 (tag `key`), the history points and the delivery log,
 * read through InfluxQL.
 */
describe('alerts and deliveries on InfluxDB', () => {
  const { influx } = inject('stack');
  const database = `api_alerts_${randomUUID().replace(/-/g, '')}`;
  const store = new InfluxStore({ url: influx.url, token: influx.token, database });

  beforeAll(async () => {
    await store.influxQl(`CREATE DATABASE ${database}`);
    await seedAlerts(store);
  });

  afterAll(async () => {
    await store.influxQl(`DROP DATABASE ${database}`);
    await store.close();
  });

  it('answers as on the in-memory store', async () => {
    const onInflux = (await testApi({ store, series: influxSeriesPageReader(store) })).app;
    const memory = new InMemoryStore();
    await seedAlerts(memory);
    const inMemory = (await testApi({ store: memory, series: storeSeriesPageReader(memory) })).app;
    const urls = [
      '/v1/enterprises/ent-b/alerts',
      '/v1/enterprises/ent-a/alerts?status=firing',
      '/v1/enterprises/ent-b/alerts/history?from=2026-03-01T00:00:00Z&to=2026-03-03T00:00:00Z',
      '/v1/enterprises/ent-b/alerts/history?from=2026-03-01T00:00:00Z&to=2026-03-03T00:00:00Z&limit=1',
      '/v1/enterprises/ent-b/alert-deliveries?from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z',
      '/v1/enterprises/ent-b/alert-deliveries?from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z&subscription=b-hook&limit=1',
    ];
    for (const url of urls) {
      const [real, twin] = await Promise.all([onInflux.inject({ url, headers: bearer(SECRETS.admin) }), inMemory.inject({ url, headers: bearer(SECRETS.admin) })]);
      expect(real.statusCode, `${url}: ${real.body}`).toBe(200);
      expect(real.json(), url).toEqual(twin.json());
      expect(real.json<Page<unknown>>().items.length, url).toBeGreaterThan(0);
    }
    await Promise.all([onInflux.close(), inMemory.close()]);
  });
});
