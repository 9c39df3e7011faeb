import { describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { B_MARKERS, bearer, SECRETS, testApi } from './fixtures.ts';

interface Parameter {
  name: string;
  in: 'path' | 'query';
  required?: boolean;
  /** @fastify/swagger lifts a parameter schema's first `examples` entry here. */
  example?: unknown;
  schema: { examples?: unknown[]; enum?: unknown[] };
}
interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  secured: boolean;
}

/** B's ids in the path: every enterprise-scoped route is asked about enterprise B. */
const B_PATH_VALUES: Record<string, string> = { id: 'ent-b', pointId: 'b-e-main' };

/** Every operation of the generated document: a route added later is walked without touching this test. */
async function operations(app: FastifyInstance): Promise<Operation[]> {
  const document = (await app.inject({ url: '/openapi.json' })).json() as {
    paths: Record<string, Record<string, { parameters?: Parameter[]; security?: unknown[] }>>;
  };
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ method: method.toUpperCase(), path, parameters: op.parameters ?? [], secured: (op.security ?? []).length > 0 })),
  );
}

/** A request for the operation about enterprise B, with a valid value for every required parameter. */
function urlFor(op: Operation): string {
  const sample = (p: Parameter): string => {
    const value = p.example ?? p.schema.examples?.[0] ?? p.schema.enum?.[0];
    if (value === undefined) throw new Error(`${op.method} ${op.path}: parameter ${p.name} has no example to test with; give its schema one`);
    return String(value);
  };
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const parameter = op.parameters.find((p) => p.in === 'path' && p.name === name)!;
    return encodeURIComponent(B_PATH_VALUES[name] ?? sample(parameter));
  });
  const query = new URLSearchParams(op.parameters.filter((p) => p.in === 'query' && p.required).map((p): [string, string] => [p.name, sample(p)]));
  return query.size > 0 ? `${path}?${query}` : path;
}

const isAboutB = (op: Operation) => /\{id\}/.test(op.path);

function expectNoDataOfB(body: string, context: string) {
  for (const marker of B_MARKERS) expect(body, `${context}: leaked "${marker}"`).not.toContain(marker);
}

function expectProblem(response: { headers: Record<string, unknown>; json(): unknown }, status: number[], context: string) {
  expect(String(response.headers['content-type']), context).toMatch(/^application\/problem\+json/);
  expect(status, context).toContain((response.json() as { status: number }).status);
}

describe('tenant isolation, on every operation of the OpenAPI document', async () => {
  const { app } = await testApi();
  const all = await operations(app);
  const secured = all.filter((op) => op.secured);

  it('walks the routes the API has', () => {
    expect(secured.map((op) => `${op.method} ${op.path}`)).toEqual(
      expect.arrayContaining(['GET /v1/enterprises', 'GET /v1/enterprises/{id}', 'GET /v1/enterprises/{id}/figures', 'GET /v1/enterprises/{id}/restatements', 'GET /v1/enterprises/{id}/points/{pointId}/readings']),
    );
    // Every /v1 operation asks for a key; the public ones are operations and documentation only.
    expect(all.filter((op) => !op.secured).map((op) => op.path).sort()).toEqual(['/health', '/metrics', '/ready']);
  });

  it('answers 401 problems to requests without a key, and public routes show no tenant data', async () => {
    for (const op of all) {
      const response = await app.inject({ method: op.method as 'GET', url: urlFor(op) });
      const context = `${op.method} ${urlFor(op)} without a key`;
      if (op.secured) {
        expect(response.statusCode, context).toBe(401);
        expectProblem(response, [401], context);
      }
      expectNoDataOfB(response.body, context);
    }
  });

  it('refuses enterprise A’s key, and a regulator outside B’s region, everything of enterprise B', async () => {
    for (const [who, secret] of [['enterprise A', SECRETS.enterpriseA], ['regulator of CN-CQ', SECRETS.regulatorCq]] as const) {
      for (const op of secured) {
        const url = urlFor(op);
        const response = await app.inject({ method: op.method as 'GET', url, headers: bearer(secret) });
        const context = `${op.method} ${url} as ${who}`;
        if (isAboutB(op)) {
          expect([403, 404], context).toContain(response.statusCode);
          expectProblem(response, [403, 404], context);
        }
        expectNoDataOfB(response.body, context);
      }
    }
  });

  it('lets a regulator do nothing but read', async () => {
    const methods = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;
    for (const op of secured) {
      const url = urlFor(op);
      const writes = op.method === 'GET' ? methods : [op.method as (typeof methods)[number]];
      for (const method of writes) {
        const response = await app.inject({ method, url, headers: { ...bearer(SECRETS.regulatorJs), 'content-type': 'application/json' }, payload: '{}' });
        const context = `${method} ${url} as regulator of B's region`;
        // 403 where the route exists for that method; where it does not, 404: never a success.
        expect(op.method === method ? [403] : [403, 404], context).toContain(response.statusCode);
        expectProblem(response, [403, 404], context);
      }
    }
  });

  it('serves B’s data to admin, to B’s own key and to B’s regulator (the refusals above are not broken routes)', async () => {
    for (const [who, secret] of [['admin', SECRETS.admin], ['enterprise B', SECRETS.enterpriseB], ['regulator of CN-JS', SECRETS.regulatorJs]] as const) {
      for (const op of secured) {
        const url = urlFor(op);
        const response = await app.inject({ method: op.method as 'GET', url, headers: bearer(secret) });
        expect(response.statusCode, `${op.method} ${url} as ${who}: ${response.body}`).toBe(200);
        if (isAboutB(op)) expect(B_MARKERS.some((m) => response.body.includes(m)), `${op.method} ${url} as ${who} shows B's data`).toBe(true);
      }
    }
  });
});
