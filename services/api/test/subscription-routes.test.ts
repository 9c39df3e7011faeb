import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { BusProducer } from '@meterline/bus';
import { alertingChangeKey, type AlertingChangeV1 } from '@meterline/contracts';
import { overlayAlerting } from '@meterline/feeds';
import { createLogger } from '@meterline/service-kit';
import { ALERTING_TOPIC, bearer, SECRETS, SEEDED_ALERTING, testApi } from './fixtures.ts';
import type { Page } from '../src/http/pagination.ts';
import type { Problem } from '../src/problem.ts';
import type { SubscriptionView, SubscriptionWithSecret } from '../src/routes/subscription-routes.ts';

type SubscriptionChange = Extract<AlertingChangeV1, { kind: 'subscription' }>;

const json = { 'content-type': 'application/json' };
const A = '/v1/enterprises/ent-a/alert-subscriptions';

/** The subscription as the alerters read it from the topic: the newest record of its key (null: deleted). */
function onTopic(bus: Awaited<ReturnType<typeof testApi>>['bus'], id: string): SubscriptionChange['subscription'] | null | undefined {
  const last = bus.messagesOf(ALERTING_TOPIC).filter((m) => m.key === alertingChangeKey('subscription', id)).at(-1);
  if (!last) return undefined;
  return last.value.length === 0 ? null : (JSON.parse(last.value.toString('utf8')) as SubscriptionChange).subscription;
}

/** What an alerter would deliver with: no file, the topic only. */
const alerterView = (reader: Awaited<ReturnType<typeof testApi>>['reader']) =>
  overlayAlerting({ rulesFor: () => { throw new Error('not asked'); }, subscriptionsOf: () => [], subscription: () => undefined, silencesOf: () => [] }, reader);

describe('webhook subscriptions', () => {
  it('creates one with a secret made by the API, shown once; reads never show it; the alerters get it', async () => {
    const { app, bus, reader } = await testApi();
    const created = await app.inject({ method: 'POST', url: A, headers: { ...bearer(SECRETS.enterpriseA), ...json }, payload: { url: 'https://alpha.example.org/alerts', rules: ['meter-offline'], minSeverity: 'warning' } });
    expect(created.statusCode).toBe(201);
    const body = created.json<SubscriptionWithSecret>();
    expect(body).toMatchObject({
      enterpriseId: 'ent-a',
      url: 'https://alpha.example.org/alerts',
      format: 'meterline',
      rules: ['meter-offline'],
      minSeverity: 'warning',
      rateLimit: { perMinute: 6, burst: 3 },
      secretSet: true,
      previousSecretSet: false,
      createdAt: '2026-03-10T04:00:00.000Z',
      updatedAt: '2026-03-10T04:00:00.000Z',
      updatedBy: 'a-energy-manager',
    });
    expect(body.id).toMatch(/^sub-[0-9a-f]{20}$/);
    expect(body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.headers.location).toBe(`${A}/${body.id}`);

    const one = await app.inject({ url: `${A}/${body.id}`, headers: bearer(SECRETS.enterpriseA) });
    const list = await app.inject({ url: A, headers: bearer(SECRETS.admin) });
    const { secret, ...withoutSecret } = body;
    expect(one.json()).toEqual(withoutSecret);
    expect(list.json<Page<SubscriptionView>>().items.map((s: { id: string }) => s.id)).toEqual(['a-hook', body.id]);
    for (const read of [one.body, list.body]) expect(read).not.toContain(secret);

    expect(onTopic(bus, body.id)).toMatchObject({ id: body.id, enterpriseId: 'ent-a', secret, minSeverity: 'warning' });
    expect(alerterView(reader).subscription(body.id)).toMatchObject({ url: 'https://alpha.example.org/alerts', secret, rules: ['meter-offline'] });
  });

  it('takes a secret the client brings, of 32 characters or more', async () => {
    const { app, bus } = await testApi();
    const mine = 'my-own-secret-0123456789abcdefghij';
    const created = (await app.inject({ method: 'POST', url: A, headers: { ...bearer(SECRETS.admin), ...json }, payload: { url: 'https://alpha.example.org/x', secret: mine } })).json<SubscriptionWithSecret>();
    expect(created.secret).toBe(mine);
    expect(onTopic(bus, created.id)?.secret).toBe(mine);
    const short = await app.inject({ method: 'POST', url: A, headers: { ...bearer(SECRETS.admin), ...json }, payload: { url: 'https://alpha.example.org/x', secret: 'too-short-0123456789' } });
    expect(short.json()).toMatchObject({ status: 400, errors: [expect.objectContaining({ in: 'body', pointer: '/secret' })] });
  });

  it('names the failing body field, and keeps tenants’ webhooks off this host and internal addresses', async () => {
    const { app, bus } = await testApi();
    const post = async (secret: string, payload: unknown) => (await app.inject({ method: 'POST', url: A, headers: { ...bearer(secret), ...json }, payload: JSON.stringify(payload) })).json<Problem>();
    expect((await post(SECRETS.enterpriseA, {})).errors).toEqual([{ in: 'body', pointer: '/url', detail: expect.any(String) as unknown }]);
    expect((await post(SECRETS.enterpriseA, { url: 'ftp://x.example' })).errors).toEqual([expect.objectContaining({ pointer: '/url' })]);
    expect((await post(SECRETS.enterpriseA, { url: 'https://x.example', format: 'slack', colour: 'red' })).errors!.map((e) => e.pointer).sort()).toEqual(['/colour', '/format']);
    expect((await post(SECRETS.enterpriseA, { url: 'https://x.example', rateLimit: { perMinute: 0, burst: 1 } })).errors).toEqual([expect.objectContaining({ pointer: '/rateLimit/perMinute' })]);
    for (const url of ['http://localhost:9000/hook', 'http://127.0.0.1/hook', 'http://[::1]/hook', 'http://169.254.169.254/latest/meta-data', 'http://10.1.2.3/', 'http://[::ffff:192.168.0.1]/', 'http://2130706433/']) {
      expect(await post(SECRETS.enterpriseA, { url }), url).toMatchObject({ status: 400, errors: [{ in: 'body', pointer: '/url', detail: expect.stringMatching(/must not name/) as unknown }] });
    }
    expect((await post(SECRETS.admin, { url: 'https://user:pass@x.example/' })).errors).toEqual([{ in: 'body', pointer: '/url', detail: 'must not carry a user or password' }]);
    // An admin may point at an internal receiver (a dev stack, a relay).
    expect(await post(SECRETS.admin, { url: 'http://127.0.0.1:8099/hooks' })).toMatchObject({ url: 'http://127.0.0.1:8099/hooks' });
    expect(bus.messagesOf(ALERTING_TOPIC)).toHaveLength(SEEDED_ALERTING.length + 1);
  });

  it('replaces the settings and keeps the secret; another enterprise’s id is not found', async () => {
    const { app, bus } = await testApi();
    const put = (secret: string, url: string, payload: unknown) => app.inject({ method: 'PUT', url, headers: { ...bearer(secret), ...json }, payload: JSON.stringify(payload) });
    const replaced = await put(SECRETS.enterpriseA, `${A}/a-hook`, { url: 'https://alpha.example.org/v2', format: 'alertmanager', rateLimit: { perMinute: 30, burst: 5 } });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toMatchObject({ id: 'a-hook', url: 'https://alpha.example.org/v2', format: 'alertmanager', minSeverity: 'info', rateLimit: { perMinute: 30, burst: 5 }, createdAt: '2026-03-01T00:00:00.000Z', updatedBy: 'a-energy-manager' });
    expect(onTopic(bus, 'a-hook')).toMatchObject({ url: 'https://alpha.example.org/v2', secret: 'a-webhook-secret-never-shown-0123456789' });
    expect((await put(SECRETS.enterpriseA, `${A}/b-hook`, { url: 'https://alpha.example.org/steal' })).statusCode).toBe(404);
    expect((await put(SECRETS.admin, `${A}/b-hook`, { url: 'https://alpha.example.org/steal' })).statusCode).toBe(404);
    expect((await app.inject({ url: `${A}/b-hook`, headers: bearer(SECRETS.admin) })).statusCode).toBe(404);
    expect(onTopic(bus, 'b-hook')?.url).toBe('https://bravo-hooks.example.net/meterline');
  });

  it('rotates the secret: the new one shown once, the old one kept as previous until dropped', async () => {
    const { app, bus, reader } = await testApi();
    const rotated = await app.inject({ method: 'POST', url: `${A}/a-hook/rotate-secret`, headers: bearer(SECRETS.enterpriseA) });
    expect(rotated.statusCode).toBe(200);
    const { secret } = rotated.json<SubscriptionWithSecret>();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated.json()).toMatchObject({ previousSecretSet: true });
    expect(rotated.body).not.toContain('a-webhook-secret-never-shown-0123456789');
    expect(onTopic(bus, 'a-hook')).toMatchObject({ secret, previousSecret: 'a-webhook-secret-never-shown-0123456789' });
    expect(alerterView(reader).subscription('a-hook')).toMatchObject({ secret, previousSecret: 'a-webhook-secret-never-shown-0123456789' });

    const ended = await app.inject({ method: 'DELETE', url: `${A}/a-hook/previous-secret`, headers: bearer(SECRETS.enterpriseA) });
    expect(ended.json()).toMatchObject({ previousSecretSet: false });
    expect(onTopic(bus, 'a-hook')).not.toHaveProperty('previousSecret');
    expect(onTopic(bus, 'a-hook')?.secret).toBe(secret);
    // Nothing to drop: nothing written.
    const count = bus.messagesOf(ALERTING_TOPIC).length;
    expect((await app.inject({ method: 'DELETE', url: `${A}/a-hook/previous-secret`, headers: bearer(SECRETS.enterpriseA) })).statusCode).toBe(200);
    expect(bus.messagesOf(ALERTING_TOPIC)).toHaveLength(count);
  });

  it('serialises two rotations at once in one process: neither is lost', async () => {
    const { app, bus } = await testApi();
    const rotate = () => app.inject({ method: 'POST', url: `${A}/a-hook/rotate-secret`, headers: bearer(SECRETS.admin) });
    const [first, second] = (await Promise.all([rotate(), rotate()])).map((r) => r.json<SubscriptionWithSecret>().secret);
    const final = onTopic(bus, 'a-hook');
    // One ran after the other: the later one's previous secret is the earlier one's new secret.
    expect([
      [first, second],
      [second, first],
    ]).toContainEqual([final?.previousSecret, final?.secret]);
  });

  it('deletes one: an empty record on its key, gone for the API and for the alerters', async () => {
    const { app, bus, reader } = await testApi();
    const deleted = await app.inject({ method: 'DELETE', url: `${A}/a-hook`, headers: bearer(SECRETS.enterpriseA) });
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    expect(onTopic(bus, 'a-hook')).toBeNull();
    expect(alerterView(reader).subscription('a-hook')).toBeUndefined();
    expect((await app.inject({ url: `${A}/a-hook`, headers: bearer(SECRETS.enterpriseA) })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: `${A}/a-hook`, headers: bearer(SECRETS.enterpriseA) })).statusCode).toBe(404);
  });

  it('keeps subscriptions from regulators, even of their own region', async () => {
    const { app } = await testApi();
    const list = await app.inject({ url: '/v1/enterprises/ent-b/alert-subscriptions', headers: bearer(SECRETS.regulatorJs) });
    expect(list.json()).toMatchObject({ status: 403, code: 'MTL_API_FORBIDDEN' });
    expect(list.body).not.toContain('bravo-hooks');
  });

  it('answers 503 when the topic does not take a change, and changes nothing', async () => {
    const refusing: BusProducer = { send: () => Promise.reject(new Error('KafkaJSNumberOfRetriesExceeded')), close: () => Promise.resolve()};
    const { app, reader } = await testApi({}, { producer: refusing });
    const response = await app.inject({ method: 'POST', url: `${A}/a-hook/rotate-secret`, headers: bearer(SECRETS.admin) });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ code: 'MTL_API_ALERTING_UNAVAILABLE' });
    expect(reader.subscriptions().get('a-hook')?.subscription.secret).toBe('a-webhook-secret-never-shown-0123456789');
  });

  it('does not offer subscriptions and silences when the API has no Kafka, and serves the rest', async () => {
    const { app } = await testApi({}, { producer: null });
    for (const [method, url] of [
      ['GET', A],
      ['GET', `${A}/a-hook`],
      ['DELETE', `${A}/a-hook`],
      ['GET', '/v1/enterprises/ent-a/silences'],
    ] as const) {
      const response = await app.inject({ method, url, headers: bearer(SECRETS.admin) });
      expect(response.json(), `${method} ${url}`).toMatchObject({ status: 404, code: 'MTL_API_ROUTE_NOT_FOUND' });
    }
    const paths = Object.keys((await app.inject({ url: '/openapi.json' })).json<{ paths: Record<string, unknown> }>().paths);
    expect(paths.filter((p) => p.includes('subscriptions') || p.includes('silences'))).toEqual([]);
    expect(paths).toContain('/v1/enterprises/{id}/alert-deliveries');
    expect((await app.inject({ url: '/v1/enterprises/ent-a/alerts', headers: bearer(SECRETS.admin) })).statusCode).toBe(200);
    expect((await app.inject({ url: '/ready' })).json()).toEqual({ status: 'ready', checks: { influxdb: 'ok', alertingTopic: 'not configured', figureCache: 'off' } });
  });

  it('never writes a webhook secret to the log', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString('utf8')), done()) });
    const { app } = await testApi({ logger: createLogger('api', 'debug', sink) });
    const created = (await app.inject({ method: 'POST', url: A, headers: { ...bearer(SECRETS.enterpriseA), ...json }, payload: { url: 'https://alpha.example.org/log' } })).json<SubscriptionWithSecret>();
    const rotated = (await app.inject({ method: 'POST', url: `${A}/${created.id}/rotate-secret`, headers: bearer(SECRETS.enterpriseA) })).json<SubscriptionWithSecret>();
    await app.inject({ method: 'POST', url: A, headers: { ...bearer(SECRETS.enterpriseA), ...json }, payload: { url: 'https://alpha.example.org/log', secret: 'bad secret with spaces 0123456789abcdef' } });
    const log = lines.join('');
    expect(log).toContain(created.id);
    for (const secret of [created.secret, rotated.secret, 'bad secret with spaces 0123456789abcdef', 'a-webhook-secret-never-shown-0123456789']) expect(log).not.toContain(secret);
  });
});
