import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPENAPI_COMMAND, OPENAPI_FILE, openApiDocument } from '../src/openapi-document.ts';
import { testApi } from './fixtures.ts';

describe('the OpenAPI document', () => {
  it('is committed as generated from the route schemas (CI runs this: the drift check)', async () => {
    const committed = await readFile(join(import.meta.dirname, '..', '..', '..', OPENAPI_FILE), 'utf8').catch(() => '');
    const generated = await openApiDocument();
    expect(committed === generated, `${OPENAPI_FILE} differs from the route schemas: run \`${OPENAPI_COMMAND}\` and commit it`).toBe(true);
  });

  it('is served at /openapi.json with the interactive UI at /docs, without a key', async () => {
    const { app } = await testApi();
    const document = (await app.inject({ url: '/openapi.json' })).json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v1/enterprises', '/v1/enterprises/{id}', '/v1/enterprises/{id}/figures', '/v1/factor-sets/{name}/{version}', '/health', '/ready', '/metrics']),
    );
    const ui = await app.inject({ url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);
  });

  it('counts requests by route template and status on /metrics', async () => {
    const { app } = await testApi();
    await app.inject({ url: '/v1/enterprises/ent-a' });
    await app.inject({ url: '/health' });
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toContain('meterline_api_requests_total{method="GET",route="/v1/enterprises/:id",status="401",service="api"} 1');
    expect(metrics).toContain('meterline_api_request_seconds_bucket');
  });
});
