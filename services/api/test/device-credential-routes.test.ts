import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BrokerAccountsError, InMemoryDeviceAccounts, type BrokerAccountsErrorCode, type DeviceAccounts } from '@meterline/broker-accounts';
import { createLogger } from '@meterline/service-kit';
import { bearer, SECRETS, testApi, testManifest } from './fixtures.ts';
import type { Credentials } from '../src/routes/device-credential-routes.ts';

const A_DEV = '/v1/enterprises/ent-a/devices/a-dev/credentials';

const post = (url: string, secret: string = SECRETS.enterpriseA) => ({ method: 'POST', url, headers: bearer(secret) }) as const;
const del = (url: string, secret: string = SECRETS.enterpriseA) => ({ method: 'DELETE', url, headers: bearer(secret) }) as const;

/** DeviceAccounts that fail every call with one code: the broker's other refusals, which the twin does not make. */
const failingWith = (code: BrokerAccountsErrorCode): DeviceAccounts => {
  const fail = () => Promise.reject(new BrokerAccountsError(code, `broker says no (${code}) to meterline-api with its admin secret`));
  return { create: fail, rotate: fail, revoke: fail, exists: fail, close: () => Promise.resolve()};
};

describe('device credentials', () => {
  it('creates a device’s broker account: the password shown once, not cached; the device may publish on its own topic only', async () => {
    const { app, broker } = await testApi();
    const created = await app.inject(post(A_DEV));
    expect(created.statusCode, created.body).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const { username, password } = created.json<Credentials>();
    expect(username).toBe('a-dev');
    expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);

    const outcome = await broker!.connect(username, password);
    if (outcome.kind !== 'connected') throw new Error('the new password was refused');
    expect(await outcome.connection.publish('meterline/v1/a-dev/readings', 'mine')).toBe('accepted');
    expect(await outcome.connection.publish('meterline/v1/b-dev/readings', 'not mine')).toBe('refused');
    await outcome.connection.close();

    const again = await app.inject(post(A_DEV));
    expect(again.json()).toMatchObject({ status: 409, code: 'MTL_API_DEVICE_CREDENTIALS_EXIST' });
    expect(again.body).not.toContain(password);
  });

  it('rotates: a new password, the old one refused and open connections dropped; revokes: refused', async () => {
    const { app, broker, seededDevice } = await testApi();
    const B_GW = '/v1/enterprises/ent-b/devices/b-gw/credentials';
    const open = await broker!.connect('b-gw', seededDevice!.password);
    if (open.kind !== 'connected') throw new Error('the seeded password was refused');

    const rotated = await app.inject(post(`${B_GW}/rotate`, SECRETS.enterpriseB));
    expect(rotated.statusCode, rotated.body).toBe(200);
    expect(rotated.headers['cache-control']).toBe('no-store');
    const { username, password } = rotated.json<Credentials>();
    expect(username).toBe('b-gw');
    expect(password).not.toBe(seededDevice!.password);
    await open.connection.dropped;
    expect((await broker!.connect('b-gw', seededDevice!.password)).kind).toBe('refused');
    const renewed = await broker!.connect('b-gw', password);
    expect(renewed.kind).toBe('connected');
    if (renewed.kind === 'connected') await renewed.connection.close();

    const revoked = await app.inject(del(B_GW, SECRETS.enterpriseB));
    expect(revoked.statusCode).toBe(204);
    expect(revoked.body).toBe('');
    expect((await broker!.connect('b-gw', password)).kind).toBe('refused');
    // Nothing left to rotate or revoke.
    for (const request of [post(`${B_GW}/rotate`, SECRETS.enterpriseB), del(B_GW, SECRETS.enterpriseB)]) {
      expect((await app.inject(request)).json(), request.method).toMatchObject({ status: 404, code: 'MTL_API_NOT_FOUND' });
    }
  });

  it('answers 404 for a device the enterprise does not have in the registry, another enterprise’s included, and touches no account', async () => {
    const { app, broker, seededDevice } = await testApi();
    for (const [url, secret] of [
      ['/v1/enterprises/ent-a/devices/b-gw/credentials/rotate', SECRETS.enterpriseA],
      ['/v1/enterprises/ent-a/devices/b-gw/credentials/rotate', SECRETS.admin],
      ['/v1/enterprises/ent-a/devices/nobodys-dev/credentials', SECRETS.enterpriseA],
    ] as const) {
      const response = await app.inject(post(url, secret));
      expect(response.json(), url).toMatchObject({ status: 404, code: 'MTL_API_NOT_FOUND' });
    }
    expect((await app.inject(del('/v1/enterprises/ent-a/devices/b-gw/credentials'))).statusCode).toBe(404);
    expect((await broker!.connect('b-gw', seededDevice!.password)).kind).toBe('connected');
  });

  it('serves a device added by a registry upload at once', async () => {
    const { app } = await testApi();
    const a = structuredClone(testManifest().enterprises[0]!);
    a.devices.push({ id: 'a-gw-new', kind: 'gateway', meteringPoints: ['a-e-main'] });
    expect((await app.inject({ method: 'PUT', url: '/v1/enterprises/ent-a/registry', headers: { ...bearer(SECRETS.enterpriseA), 'content-type': 'application/json' }, payload: a })).statusCode).toBe(200);
    expect((await app.inject(post('/v1/enterprises/ent-a/devices/a-gw-new/credentials'))).statusCode).toBe(201);
  });

  it('is refused to regulators, even of the enterprise’s region', async () => {
    const { app } = await testApi();
    for (const request of [post('/v1/enterprises/ent-b/devices/b-gw/credentials', SECRETS.regulatorJs), del('/v1/enterprises/ent-b/devices/b-gw/credentials', SECRETS.regulatorJs)]) {
      expect((await app.inject(request)).json()).toMatchObject({ status: 403, code: 'MTL_API_FORBIDDEN' });
    }
  });

  it('answers 503 with retry-after while the broker is unavailable, 500 for its other refusals, without the broker’s words', async () => {
    const down = new InMemoryDeviceAccounts();
    down.setAvailable(false);
    const unavailable = await (await testApi({}, { deviceAccounts: down })).app.inject(post(A_DEV));
    expect(unavailable.statusCode).toBe(503);
    expect(unavailable.headers['retry-after']).toBe('5');
    expect(unavailable.json()).toMatchObject({ code: 'MTL_API_BROKER_UNAVAILABLE' });
    const timeout = await (await testApi({}, { deviceAccounts: failingWith('MTL_BROKER_TIMEOUT') })).app.inject(post(`${A_DEV}/rotate`));
    expect(timeout.json()).toMatchObject({ status: 503, code: 'MTL_API_BROKER_UNAVAILABLE' });
    for (const code of ['MTL_BROKER_NOT_AUTHORIZED', 'MTL_BROKER_COMMAND_FAILED'] as const) {
      const response = await (await testApi({}, { deviceAccounts: failingWith(code) })).app.inject(del(A_DEV));
      expect(response.json(), code).toMatchObject({ status: 500, code: 'MTL_API_BROKER_FAILED' });
      expect(response.headers['retry-after']).toBeUndefined();
      expect(response.body).not.toContain('admin secret');
    }
  });

  it('never writes a device password to the log', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString('utf8')), done()) });
    const { app } = await testApi({ logger: createLogger('api', 'debug', sink) });
    const created = (await app.inject(post(A_DEV))).json<Credentials>();
    const rotated = (await app.inject(post(`${A_DEV}/rotate`))).json<Credentials>();
    const log = lines.join('');
    expect(log).toContain('device broker password rotated');
    for (const password of [created.password, rotated.password]) expect(log).not.toContain(password);
  });

  it('is not served without the broker’s admin account, and everything else is', async () => {
    const { app } = await testApi({}, { deviceAccounts: null });
    for (const request of [post(A_DEV, SECRETS.admin), post(`${A_DEV}/rotate`, SECRETS.admin), del(A_DEV, SECRETS.admin)]) {
      expect((await app.inject(request)).json(), request.url).toMatchObject({ status: 404, code: 'MTL_API_ROUTE_NOT_FOUND' });
    }
    const paths = Object.keys((await app.inject({ url: '/openapi.json' })).json<{ paths: Record<string, unknown> }>().paths);
    expect(paths.filter((p) => p.includes('/devices/'))).toEqual([]);
    expect((await app.inject({ url: '/v1/enterprises/ent-a/registry', headers: bearer(SECRETS.admin) })).statusCode).toBe(200);
  });
});
