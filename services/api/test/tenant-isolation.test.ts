import { describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { BrokerProbe } from '@meterline/broker-accounts';
import { ALERTING_TOPIC, B_MANUAL_ENTRY, B_MARKERS, B_TARGET, CN_JS_TARGET, bearer, FACTOR_SETS_TOPIC, REGISTRY_TOPIC, SECRETS, SEEDED_ALERTING, testApi, type SeededDevice } from './fixtures.ts';

/** A parameter's documented example or enum member: a JSON scalar. */
type ParameterValue = string | number | boolean;

interface Parameter {
  name: string;
  in: 'path' | 'query';
  required?: boolean;
  /** @fastify/swagger lifts a parameter schema's first `examples` entry here. */
  example?: ParameterValue;
  schema: { examples?: ParameterValue[]; enum?: ParameterValue[] };
}
type Role = 'admin' | 'regulator' | 'enterprise';
interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  secured: boolean;
  /** Whether it takes a request body. */
  hasBody: boolean;
  /** The documented example of its JSON body, if it has one. */
  body: unknown;
  /** Its documented success status. */
  success: number;
  /** The roles that may call it (x-meterline-roles; absent: every role). */
  roles: Role[];
}

/**
 * B's ids in the path: every enterprise-scoped route is asked about enterprise B (fixtures.ts
 * seeds B's subscription, silence and gateway's broker account). The device is b-gw, not b-dev:
 * a problem's `instance` echoes the path, and b-dev is one of B's markers.
 */
const B_PATH_VALUES: Record<string, string> = { id: 'ent-b', pointId: 'b-e-main', subId: 'b-hook', silenceId: 'b-quiet', deviceId: 'b-gw', entryId: B_MANUAL_ENTRY, region: 'CN-JS', targetId: B_TARGET };
/** Where a name stands for another thing on one path: a region's target is not B's own. */
const B_PATH_OVERRIDES: Record<string, Record<string, string>> = { '/v1/regions/{region}/targets/{targetId}': { targetId: CN_JS_TARGET } };

interface DocumentOperation {
  parameters?: Parameter[];
  security?: unknown[];
  requestBody?: { content: Record<string, { example?: unknown }> };
  responses: Record<string, unknown>;
  'x-meterline-roles'?: Role[];
}

/** Every operation of the generated document: a route added later is walked without touching this test. */
async function operations(app: FastifyInstance): Promise<Operation[]> {
  const document = (await app.inject({ url: '/openapi.json' })).json<{ paths: Record<string, Record<string, DocumentOperation>> }>();
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      parameters: op.parameters ?? [],
      secured: (op.security ?? []).length > 0,
      hasBody: op.requestBody !== undefined,
      body: op.requestBody?.content['application/json']?.example,
      success: Number(Object.keys(op.responses).find((status) => status.startsWith('2'))),
      roles: op['x-meterline-roles'] ?? ['admin', 'regulator', 'enterprise'],
    })),
  );
}

const isRead = (op: Operation) => op.method === 'GET';

/** The request for an operation: its JSON body example when it has a body. */
function request(op: Operation, secret: string | undefined) {
  const headers = secret === undefined ? {} : bearer(secret);
  return op.body === undefined
    ? { method: op.method as 'GET', url: urlFor(op), headers }
    : { method: op.method as 'GET', url: urlFor(op), headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(op.body) };
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
    return encodeURIComponent(B_PATH_OVERRIDES[op.path]?.[name] ?? B_PATH_VALUES[name] ?? sample(parameter));
  });
  const query = new URLSearchParams(op.parameters.filter((p) => p.in === 'query' && p.required).map((p): [string, string] => [p.name, sample(p)]));
  return query.size > 0 ? `${path}?${query.toString()}` : path;
}

const isAboutB = (op: Operation) => /\{id\}/.test(op.path);

/** Webhook secrets are never shown, not even to their own enterprise or an admin. */
const SEEDED_SECRETS = SEEDED_ALERTING.flatMap((c) => (c.kind === 'subscription' ? [c.subscription.secret] : []));

function expectNoDataOfB(body: string, context: string) {
  for (const marker of B_MARKERS) expect(body, `${context}: leaked "${marker}"`).not.toContain(marker);
}

function expectNoSecret(body: string, context: string) {
  for (const secret of SEEDED_SECRETS) expect(body, `${context}: showed a webhook secret`).not.toContain(secret);
}

/** B's gateway keeps its broker account and password: connecting with it still works. */
async function expectAccountUntouched(broker: BrokerProbe, device: SeededDevice | undefined, context: string) {
  if (!device) throw new Error('testApi() seeds b-gw’s broker account');
  const outcome = await broker.connect(device.deviceId, device.password);
  expect(outcome.kind, `${context}: b-gw's broker account was changed`).toBe('connected');
  if (outcome.kind === 'connected') await outcome.connection.close();
}

/**
 * What the documented success of a write needs beforehand, on its fresh API: creating b-gw's
 * credentials needs b-gw to have none (the fixtures give it an account, for rotate and revoke).
 */
const PREPARE: Record<string, (api: Awaited<ReturnType<typeof testApi>>) => Promise<void>> = {
  'POST /v1/enterprises/{id}/devices/{deviceId}/credentials': async ({ deviceAccounts }) => deviceAccounts?.revoke('b-gw'),
};

function expectProblem(response: { headers: Record<string, unknown>; json(): unknown }, status: number[], context: string) {
  expect(String(response.headers['content-type']), context).toMatch(/^application\/problem\+json/);
  expect(status, context).toContain((response.json() as { status: number }).status);
}

describe('tenant isolation, on every operation of the OpenAPI document', async () => {
  const { app, bus, broker, seededDevice } = await testApi();
  const registryRecords = bus.messagesOf(REGISTRY_TOPIC).length;
  /** Nothing was written: the topics hold only what the fixtures put there, and b-gw's account is as it was. */
  const expectNothingWritten = async (context: string) => {
    expect(bus.messagesOf(ALERTING_TOPIC), context).toHaveLength(SEEDED_ALERTING.length);
    expect(bus.messagesOf(REGISTRY_TOPIC), context).toHaveLength(registryRecords);
    expect(bus.messagesOf(FACTOR_SETS_TOPIC), context).toHaveLength(0);
    await expectAccountUntouched(broker!, seededDevice, context);
  };
  const all = await operations(app);
  const secured = all.filter((op) => op.secured);

  it('walks the routes the API has', () => {
    expect(secured.map((op) => `${op.method} ${op.path}`)).toEqual(
      expect.arrayContaining([
        'GET /v1/enterprises',
        'GET /v1/enterprises/{id}',
        'GET /v1/enterprises/{id}/figures',
        'GET /v1/enterprises/{id}/restatements',
        'GET /v1/enterprises/{id}/points/{pointId}/readings',
        'GET /v1/enterprises/{id}/points/{pointId}/base-load',
        'GET /v1/enterprises/{id}/baseline',
        'GET /v1/enterprises/{id}/findings',
        'GET /v1/enterprises/{id}/alerts',
        'GET /v1/enterprises/{id}/alerts/history',
        'GET /v1/enterprises/{id}/alert-deliveries',
        'GET /v1/enterprises/{id}/alert-subscriptions',
        'POST /v1/enterprises/{id}/alert-subscriptions',
        'GET /v1/enterprises/{id}/alert-subscriptions/{subId}',
        'PUT /v1/enterprises/{id}/alert-subscriptions/{subId}',
        'DELETE /v1/enterprises/{id}/alert-subscriptions/{subId}',
        'POST /v1/enterprises/{id}/alert-subscriptions/{subId}/rotate-secret',
        'DELETE /v1/enterprises/{id}/alert-subscriptions/{subId}/previous-secret',
        'GET /v1/enterprises/{id}/silences',
        'POST /v1/enterprises/{id}/silences',
        'GET /v1/enterprises/{id}/silences/{silenceId}',
        'DELETE /v1/enterprises/{id}/silences/{silenceId}',
        'GET /v1/enterprises/{id}/registry',
        'PUT /v1/enterprises/{id}/registry',
        'PUT /v1/enterprises/{id}/factor-set',
        'POST /v1/factor-sets',
        'POST /v1/enterprises/{id}/devices/{deviceId}/credentials',
        'POST /v1/enterprises/{id}/devices/{deviceId}/credentials/rotate',
        'DELETE /v1/enterprises/{id}/devices/{deviceId}/credentials',
        'GET /v1/enterprises/{id}/manual-entries',
        'POST /v1/enterprises/{id}/manual-entries',
        'GET /v1/enterprises/{id}/manual-entries/{entryId}',
        'GET /v1/enterprises/{id}/targets',
        'POST /v1/enterprises/{id}/targets',
        'GET /v1/enterprises/{id}/targets/{targetId}',
        'GET /v1/regions/{region}/targets',
        'POST /v1/regions/{region}/targets',
        'GET /v1/regions/{region}/targets/{targetId}',
      ]),
    );
    // Writes are walked with their documented body: every one that takes a body has an example.
    for (const op of secured.filter((o) => o.hasBody)) expect(op.body, `${op.method} ${op.path}`).toBeDefined();
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
      expectNoSecret(response.body, context);
    }
  });

  it('refuses enterprise A’s key, and a regulator outside B’s region, everything of enterprise B, reads and writes (with valid bodies)', async () => {
    for (const [who, secret] of [['enterprise A', SECRETS.enterpriseA], ['regulator of CN-CQ', SECRETS.regulatorCq]] as const) {
      for (const op of secured) {
        const url = urlFor(op);
        const response = await app.inject(request(op, secret));
        const context = `${op.method} ${url} as ${who}`;
        if (isAboutB(op)) {
          expect([403, 404], context).toContain(response.statusCode);
          expectProblem(response, [403, 404], context);
        }
        expectNoDataOfB(response.body, context);
        expectNoSecret(response.body, context);
      }
    }
    // Refused before anything was written.
    await expectNothingWritten('after the other tenants’ requests');
  });

  it('lets a regulator do nothing but read, besides setting the targets of its region and its enterprises', async () => {
    const methods = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;
    // The writes a regulator may make (x-meterline-roles): the next test makes them, with their documented bodies.
    const regulatorWrites = new Set(secured.filter((op) => !isRead(op) && op.roles.includes('regulator')).map((op) => `${op.method} ${op.path}`));
    expect([...regulatorWrites].sort()).toEqual(['POST /v1/enterprises/{id}/targets', 'POST /v1/regions/{region}/targets']);
    for (const op of secured) {
      const url = urlFor(op);
      const writes = (op.method === 'GET' ? methods : [op.method as (typeof methods)[number]]).filter((method) => !regulatorWrites.has(`${method} ${op.path}`));
      for (const method of writes) {
        const response = await app.inject({ method, url, headers: { ...bearer(SECRETS.regulatorJs), 'content-type': 'application/json' }, payload: '{}' });
        const context = `${method} ${url} as regulator of B's region`;
        // 403 where the route exists for that method; where it does not, 404: never a success.
        expect(op.method === method ? [403] : [403, 404], context).toContain(response.statusCode);
        expectProblem(response, [403, 404], context);
      }
    }
    await expectNothingWritten('after the regulator’s writes');
  });

  it('serves B’s data to admin, to B’s own key and to B’s regulator, each where its role may (the refusals above are not broken routes)', async () => {
    const callers = [
      ['admin', 'admin', SECRETS.admin],
      ['enterprise B', 'enterprise', SECRETS.enterpriseB],
      ['regulator of CN-JS', 'regulator', SECRETS.regulatorJs],
    ] as const;
    for (const [who, role, secret] of callers) {
      for (const op of secured) {
        // A write changes B's data: each on a fresh API, so the next one finds B's subscription, silence and broker account again.
        const fresh = isRead(op) ? undefined : await testApi();
        if (fresh) await PREPARE[`${op.method} ${op.path}`]?.(fresh);
        const api = fresh?.app ?? app;
        const response = await api.inject(request(op, secret));
        if (api !== app) await api.close();
        const context = `${op.method} ${urlFor(op)} as ${who}: ${response.body}`;
        expectNoSecret(response.body, context);
        if (!op.roles.includes(role)) {
          expect(response.statusCode, context).toBe(403);
          expectProblem(response, [403], context);
          expectNoDataOfB(response.body, context);
          continue;
        }
        expect(response.statusCode, context).toBe(op.success);
        if (isAboutB(op) && isRead(op)) expect(B_MARKERS.some((m) => response.body.includes(m)), `${context} shows B's data`).toBe(true);
      }
    }
  });
});
