import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryBus } from '@meterline/bus';
import { FIGURE_KINDS, restatementCodec, type RestatementV1 } from '@meterline/contracts';
import { createMetricsRegistry } from '@meterline/service-kit';
import { restatementPoint } from '@meterline/series';
import { figureCacheMetrics } from '../src/figure-cache/figure-cache-metrics.ts';
import { followFigureChanges, type FigureChangeFollower } from '../src/figure-cache/figure-change-follower.ts';
import { figurePageCache } from '../src/figure-cache/figure-page-cache.ts';
import type { Page } from '../src/http/pagination.ts';
import type { FigureView } from '../src/routes/series-routes.ts';
import { bearer, DAY_MS, MARCH_1, SECRETS, storedFigure, TEST_NOW, testApi } from './fixtures.ts';

const TOPICS = { restatements: 'meterline.restatements.v1', figures: 'meterline.figures.v1' };
const SETTLE_MS = 60_000;
const CARBON = `/v1/enterprises/ent-a/figures?measurement=carbon&period=day&scope=scope1&from=2026-03-01T00:00:00%2B08:00&to=2026-03-04T00:00:00%2B08:00`;
const SCOPE1 = { region: 'CN-CQ', scope: 'scope1' };

const followers: FigureChangeFollower[] = [];
afterEach(async () => {
  for (const f of followers.splice(0)) await f.close();
});

/** The API of the fixtures with a figure cache, its follower on an in-memory bus of announcements, and a clock the test moves. */
async function cachedApi() {
  const announcements = new InMemoryBus();
  const clock = { now: TEST_NOW };
  const metrics = createMetricsRegistry('api');
  const observed = figureCacheMetrics(metrics);
  const cache = figurePageCache({ maxEntries: 1_000, maxBytes: 16 * 1_048_576, settleMs: SETTLE_MS, now: () => clock.now, events: observed.events });
  const changes = await followFigureChanges({
    consumer: announcements.consumer({ groupId: 'api-test-figure-changes', topics: [TOPICS.restatements, TOPICS.figures], fromTimestampMs: Date.now() - SETTLE_MS }),
    topics: TOPICS,
    cache,
    onUnreadable: () => expect.unreachable('every announcement decodes'),
    lagPollMs: 5,
  });
  followers.push(changes);
  observed.watch(cache, () => changes.status());
  const api = await testApi({ figureCache: { cache, changes }, metrics });
  await expect.poll(() => changes.status().state).toBe('current');
  const carbon = async () => (await api.app.inject({ url: CARBON, headers: bearer(SECRETS.enterpriseA) })).json<Page<FigureView>>().items.map((f) => f.value);
  const metric = async (name: string) => {
    const text = (await api.app.inject({ url: '/metrics' })).body;
    return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  };
  return { ...api, announcements, clock, carbon, metric };
}

/** ent-a's carbon of 2026-03-02 restated from 11 to 42, as the aggregator records it. */
const restatementOfMarch2: RestatementV1 = {
  v: 1,
  restatementId: 'rs-ent-a-carbon-2026-03-02',
  enterpriseId: 'ent-a',
  measurement: FIGURE_KINDS.carbon,
  subject: SCOPE1,
  periodKind: 'day',
  periodKey: '2026-03-02',
  startMs: MARCH_1 + DAY_MS,
  unit: 'tCO2',
  old: { value: 11, expandedUncertainty: 1.5, coveragePercent: 99.5, flags: ['GAP_FILLED', 'LATE'], factorSet: 'cn-2023@1.0.0', registryVersion: 'r1', revision: 0 },
  new: { value: 42, expandedUncertainty: 1.5, coveragePercent: 99.5, flags: ['GAP_FILLED', 'LATE'], factorSet: 'cn-2023@1.0.0', registryVersion: 'r1', revision: 1 },
  reason: 'READINGS_CHANGED',
  detail: 'late readings',
  restatedAt: '2026-03-09T01:00:00.000Z',
};

describe('figures of closed periods through the figure cache', () => {
  it('answers a closed period from the cache until a restatement is announced, then with the restated value', async () => {
    const { carbon, metric, store, announcements, clock } = await cachedApi();
    expect(await carbon()).toEqual([10, 11, 12]);
    expect(await carbon()).toEqual([10, 11, 12]);
    expect(await metric('meterline_api_figure_cache_misses_total')).toBe(1);
    expect(await metric('meterline_api_figure_cache_hits_total')).toBe(1);
    expect(await metric('meterline_api_figure_cache_entries')).toBe(1);

    // Stored but not announced: the cache does not look at the store for a page it holds.
    await store.write([storedFigure('ent-a', FIGURE_KINDS.carbon, SCOPE1, MARCH_1 + DAY_MS, 42)]);
    expect(await carbon()).toEqual([10, 11, 12]);

    // Announced, as the aggregator does before it writes: the page is dropped and read again.
    await announcements.producer().send(TOPICS.restatements, [restatementCodec.encode(restatementOfMarch2, 'ent-a')]);
    await store.write([restatementPoint(restatementOfMarch2)]);
    await expect.poll(carbon).toEqual([10, 42, 12]);
    expect(await metric('meterline_api_figure_cache_invalidations_total')).toBe(1);
    expect(await metric('meterline_api_figure_cache_bypasses_total')).toBeGreaterThan(0);

    // Once the change has had time to be stored, the page is cached again.
    clock.now += SETTLE_MS;
    const misses = await metric('meterline_api_figure_cache_misses_total');
    expect(await carbon()).toEqual([10, 42, 12]);
    expect(await carbon()).toEqual([10, 42, 12]);
    expect(await metric('meterline_api_figure_cache_misses_total')).toBe(misses + 1);
  });

  it('keeps no page of a period still open', async () => {
    const { app, metric } = await cachedApi();
    // The API's clock is 2026-03-10 12:00 in Shanghai: the 10th is open.
    const url = `/v1/enterprises/ent-a/figures?measurement=carbon&period=day&from=2026-03-09T00:00:00%2B08:00&to=2026-03-11T00:00:00%2B08:00`;
    for (let i = 0; i < 2; i++) expect((await app.inject({ url, headers: bearer(SECRETS.admin) })).statusCode).toBe(200);
    expect(await metric('meterline_api_figure_cache_entries')).toBe(0);
    expect(await metric('meterline_api_figure_cache_hits_total')).toBe(0);
  });

  it('answers the same JSON from the cache as from the store, next link included', async () => {
    const { app } = await cachedApi();
    const url = `${CARBON}&limit=2`;
    const first = await app.inject({ url, headers: bearer(SECRETS.enterpriseA) });
    const again = await app.inject({ url, headers: bearer(SECRETS.enterpriseA) });
    expect(again.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(again.body).toBe(first.body);
    expect(first.json<Page<FigureView>>().next).toMatch(/cursor=/);
  });

  it("still refuses another enterprise's key, whatever the cache holds", async () => {
    const { app } = await cachedApi();
    expect((await app.inject({ url: CARBON, headers: bearer(SECRETS.admin) })).statusCode).toBe(200);
    const foreign = await app.inject({ url: CARBON, headers: bearer(SECRETS.enterpriseB) });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.body).not.toContain('"value"');
  });

  it('says in /health and /ready whether the cache is used', async () => {
    const { app } = await cachedApi();
    expect((await app.inject({ url: '/health' })).json()).toEqual({ status: 'ok', checks: { figureCache: 'ok' } });
    expect((await app.inject({ url: '/ready' })).json()).toMatchObject({ checks: { figureCache: 'ok' } });
  });
});
