import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../src/openapi-document.ts';
import { ALERTING_TOPIC, bearer, SECRETS, SEEDED_ALERTING, testApi } from './fixtures.ts';
import type { Problem } from '../src/problem.ts';

const RANGE = 'from=2026-03-01T00:00:00%2B08:00&to=2026-03-04T00:00:00%2B08:00';

/** Issue 6: what the API fuzzer (test/e2e/api-fuzz.e2e.test.ts) found, each kept fixed here. */
describe('regressions found by the API fuzzer (issue 6)', () => {
  it('answers a body method sent without Content-Type (QUERY) with a 400 problem, not a 500', async () => {
    const { app } = await testApi();
    for (const url of ['/health', '/v1/enterprises', '/v1/enterprises/ent-a']) {
      const response = await app.inject({ method: 'QUERY' as 'GET', url, headers: bearer(SECRETS.admin) });
      expect(response.statusCode, url).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ status: 400, code: 'MTL_API_VALIDATION_FAILED', instance: url });
    }
  });

  it('documents the 404 an admin gets for an unknown enterprise on figures and restatements', async () => {
    const { app } = await testApi();
    const document = JSON.parse(await openApiDocument()) as { paths: Record<string, { get: { responses: Record<string, unknown> } }> };
    for (const path of ['/v1/enterprises/nobody/figures?measurement=consumption&period=day&' + RANGE, '/v1/enterprises/nobody/restatements?' + RANGE]) {
      const response = await app.inject({ url: path, headers: bearer(SECRETS.admin) });
      expect(response.json()).toMatchObject({ status: 404, code: 'MTL_API_NOT_FOUND' });
    }
    expect(Object.keys(document.paths['/v1/enterprises/{id}/figures']!.get.responses)).toContain('404');
    expect(Object.keys(document.paths['/v1/enterprises/{id}/restatements']!.get.responses)).toContain('404');
  });

  it('refuses a JSON body member of the wrong type instead of coercing it (a comment false was stored as "false")', async () => {
    const { app, bus } = await testApi();
    const post = async (url: string, payload: unknown) =>
      (await app.inject({ method: 'POST', url, headers: { ...bearer(SECRETS.admin), 'content-type': 'application/json' }, payload: JSON.stringify(payload) })).json<Problem>();
    const silence = await post('/v1/enterprises/ent-a/silences', { endsAt: '2036-01-01T00:00:00+08:00', comment: false });
    expect(silence).toMatchObject({ status: 400, errors: [expect.objectContaining({ in: 'body', pointer: '/comment' })] });
    const subscription = await post('/v1/enterprises/ent-a/alert-subscriptions', { url: 'https://alpha.example.org/x', rateLimit: { perMinute: '6', burst: 3 } });
    expect(subscription).toMatchObject({ status: 400, errors: [expect.objectContaining({ in: 'body', pointer: '/rateLimit/perMinute' })] });
    expect(bus.messagesOf(ALERTING_TOPIC)).toHaveLength(SEEDED_ALERTING.length);
  });
});
