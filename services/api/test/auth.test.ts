import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@meterline/service-kit';
import { ApiKeysError, createKeyring, parseApiKeys, sha256Hex } from '../src/auth/api-keys.ts';
import { scopeFor } from '../src/auth/scope.ts';
import { API_KEYS, bearer, SECRETS, testApi } from './fixtures.ts';

describe('API keys', () => {
  it('reads a YAML keys file with hashes, roles, jurisdictions and enterprises', () => {
    const file = parseApiKeys(
      `version: 1
keys:
  - { id: ops, sha256: ${sha256Hex('s1')}, role: admin }
  - { id: cq, sha256: ${sha256Hex('s2')}, role: regulator, jurisdiction: [CN-CQ, CN-SC] }
  - { id: plant, sha256: ${sha256Hex('s3')}, role: enterprise, enterpriseId: cq-autoparts }
`,
      'keys.yaml',
    );
    const keyring = createKeyring(file);
    expect(keyring.authenticate('s2')).toEqual({ keyId: 'cq', role: 'regulator', jurisdiction: ['CN-CQ', 'CN-SC'] });
    expect(keyring.authenticate('s3')).toEqual({ keyId: 'plant', role: 'enterprise', enterpriseId: 'cq-autoparts' });
    expect(keyring.authenticate('s4')).toBeUndefined();
  });

  it('lists what is wrong with a keys file: a plain secret, a regulator without jurisdiction, a duplicate id', () => {
    expect(() => parseApiKeys('version: 1\nkeys:\n  - { id: a, secret: hunter2, role: admin }\n', 'k.yaml')).toThrow(ApiKeysError);
    expect(() => parseApiKeys(`version: 1\nkeys:\n  - { id: r, sha256: ${sha256Hex('x')}, role: regulator }\n`, 'k.yaml')).toThrow(/jurisdiction/);
    const twice = `version: 1\nkeys:\n  - { id: a, sha256: ${sha256Hex('x')}, role: admin }\n  - { id: a, sha256: ${sha256Hex('y')}, role: admin }\n`;
    expect(() => parseApiKeys(twice, 'k.yaml')).toThrow(/appears twice/);
  });
});

describe('the tenant rule', () => {
  const a = { id: 'a', region: 'CN-CQ' };
  const b = { id: 'b', region: 'CN-JS' };
  it('gives enterprises their own (and their alerting to manage), regulators their regions read-only, admins everything', () => {
    const enterprise = scopeFor({ keyId: 'k', role: 'enterprise', enterpriseId: 'a' });
    expect([enterprise.mayRead(a), enterprise.mayRead(b), enterprise.mayManageAlerting(a), enterprise.mayManageAlerting(b)]).toEqual([true, false, true, false]);
    expect([enterprise.mayWrite('alerting'), enterprise.mayWrite(undefined)]).toEqual([true, false]);
    const regulator = scopeFor({ keyId: 'k', role: 'regulator', jurisdiction: ['CN-JS'] });
    expect([regulator.mayRead(a), regulator.mayRead(b), regulator.mayManageAlerting(b)]).toEqual([false, true, false]);
    expect([regulator.mayWrite('alerting'), regulator.mayWrite(undefined)]).toEqual([false, false]);
    const admin = scopeFor({ keyId: 'k', role: 'admin' });
    expect([admin.mayRead(a), admin.mayRead(b), admin.mayManageAlerting(b), admin.mayWrite('alerting'), admin.mayWrite(undefined)]).toEqual([true, true, true, true, true]);
  });
});

describe('the tenant rule for dual-control targets (issue 16)', () => {
  it('lets admins set any region’s targets, regulators those of their jurisdiction, enterprises none; enterprises read their own region’s', () => {
    const regionOf = (id: string) => ({ a: 'CN-CQ', b: 'CN-JS' })[id];
    const admin = scopeFor({ keyId: 'k', role: 'admin' });
    const regulator = scopeFor({ keyId: 'k', role: 'regulator', jurisdiction: ['CN-JS'] });
    const enterprise = scopeFor({ keyId: 'k', role: 'enterprise', enterpriseId: 'a' });
    expect([admin.maySetTargets('CN-CQ'), regulator.maySetTargets('CN-JS'), regulator.maySetTargets('CN-CQ'), enterprise.maySetTargets('CN-CQ')]).toEqual([true, true, false, false]);
    expect([admin.mayWrite('targets'), regulator.mayWrite('targets'), regulator.mayWrite('manual-entries'), enterprise.mayWrite('targets')]).toEqual([true, true, false, false]);
    expect([regulator.mayReadRegionTargets('CN-JS', regionOf), regulator.mayReadRegionTargets('CN-CQ', regionOf)]).toEqual([true, false]);
    expect([enterprise.mayReadRegionTargets('CN-CQ', regionOf), enterprise.mayReadRegionTargets('CN-JS', regionOf), admin.mayReadRegionTargets('CN-SC', regionOf)]).toEqual([true, false, true]);
    // An enterprise the registry does not know (yet) is in no region.
    expect(scopeFor({ keyId: 'k', role: 'enterprise', enterpriseId: 'c' }).mayReadRegionTargets('CN-CQ', regionOf)).toBe(false);
  });
});

describe('authentication', () => {
  it('answers 401 problems without a key, with a wrong key and with a malformed header', async () => {
    const { app } = await testApi();
    for (const headers of [{}, bearer('not-a-key'), { authorization: `Basic ${SECRETS.admin}` }]) {
      const response = await app.inject({ url: '/v1/enterprises', headers });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ code: 'MTL_API_UNAUTHENTICATED' });
    }
  });

  it('never writes a secret or the Authorization header to the log', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
    const { app } = await testApi({ logger: createLogger('api', 'debug', sink) });
    await app.inject({ url: '/v1/enterprises', headers: bearer(SECRETS.enterpriseA) });
    await app.inject({ url: '/v1/enterprises', headers: bearer('wrong-secret-0123456789') });
    app.log.info({ headers: bearer(SECRETS.admin), req: { headers: bearer(SECRETS.admin) } }, 'a careless line');
    const log = lines.join('');
    expect(log).toContain('a careless line');
    for (const secret of [...Object.values(SECRETS), 'wrong-secret-0123456789']) expect(log).not.toContain(secret);
  });

  it('limits requests per API key, not per address', async () => {
    const { app } = await testApi({ rateLimit: { max: 3, windowMs: 60_000 } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await app.inject({ url: '/v1/factor-sets', headers: bearer(SECRETS.enterpriseA) })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await app.inject({ url: '/v1/factor-sets', headers: bearer(SECRETS.enterpriseA) });
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.json()).toMatchObject({ status: 429, code: 'MTL_API_RATE_LIMITED' });
    expect(limited.headers['retry-after']).toBeDefined();
    // Another key from the same address still has its own budget.
    expect((await app.inject({ url: '/v1/factor-sets', headers: bearer(SECRETS.enterpriseB) })).statusCode).toBe(200);
  });

  it('holds only hashes of the keys', () => {
    expect(JSON.stringify(API_KEYS)).not.toContain(SECRETS.admin);
  });
});
