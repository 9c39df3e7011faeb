import { describe, expect, it } from 'vitest';
import { StoreError } from '@meterline/store';
import { bearer, SECRETS, testApi } from './fixtures.ts';
import type { Problem } from '../src/problem.ts';

const FIGURES = '/v1/enterprises/ent-a/figures?measurement=consumption&period=day&from=2026-03-01T00:00:00%2B08:00&to=2026-03-04T00:00:00%2B08:00';

describe('problem details (RFC 9457)', () => {
  it('names every bad query parameter by its path in a 400 problem', async () => {
    const { app } = await testApi();
    const response = await app.inject({ url: '/v1/enterprises/ent-a/figures?measurement=heat&period=day&from=yesterday&limit=0&colour=red', headers: bearer(SECRETS.admin) });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = response.json<Problem>();
    expect(problem).toMatchObject({ type: 'urn:meterline:problem:validation-failed', status: 400, code: 'MTL_API_VALIDATION_FAILED', instance: '/v1/enterprises/ent-a/figures' });
    const pointers = problem.errors!.map((e) => `${e.in}${e.pointer}`);
    expect(pointers).toEqual(expect.arrayContaining(['query/measurement', 'query/from', 'query/to', 'query/limit', 'query/colour']));
  });

  it('refuses a filter the measurement has no tag for, and a range that ends before it starts', async () => {
    const { app } = await testApi();
    const scope = await app.inject({ url: `${FIGURES}&scope=scope1`, headers: bearer(SECRETS.admin) });
    expect(scope.statusCode).toBe(400);
    expect(scope.json<Problem>().errors).toEqual([{ in: 'query', pointer: '/scope', detail: 'does not apply to measurement consumption' }]);
    const backwards = await app.inject({ url: FIGURES.replace('2026-03-04', '2026-02-01'), headers: bearer(SECRETS.admin) });
    expect(backwards.json()).toMatchObject({ status: 400, errors: [{ pointer: '/to' }] });
  });

  it('refuses a cursor it did not make', async () => {
    const { app } = await testApi();
    const response = await app.inject({ url: `${FIGURES}&cursor=bm9wZQ`, headers: bearer(SECRETS.admin) });
    expect(response.json()).toMatchObject({ status: 400, code: 'MTL_API_BAD_CURSOR', errors: [{ in: 'query', pointer: '/cursor' }] });
  });

  it('answers an unknown route with a 404 problem', async () => {
    const { app } = await testApi();
    const response = await app.inject({ url: '/v2/nothing?x=1', headers: bearer(SECRETS.admin) });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toEqual({
      type: 'urn:meterline:problem:route-not-found',
      title: 'No such route',
      status: 404,
      detail: 'no route GET /v2/nothing',
      instance: '/v2/nothing',
      code: 'MTL_API_ROUTE_NOT_FOUND',
    });
  });

  it('turns a store outage into a retryable 503 problem and reports not ready', async () => {
    // The in-memory store only refuses writes when down; a reader that fails like InfluxStore.influxQl does.
    const down = { page: () => Promise.reject(new StoreError('MTL_STORE_UNAVAILABLE', 'connect ECONNREFUSED')), ping: () => Promise.resolve(false)};
    const { app } = await testApi({ series: down });
    const response = await app.inject({ url: FIGURES, headers: bearer(SECRETS.admin) });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ code: 'MTL_API_STORE_UNAVAILABLE' });
    const ready = await app.inject({ url: '/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'not ready', checks: { influxdb: 'down', alertingTopic: 'ok', figureCache: 'off' } });
    expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
  });
});
