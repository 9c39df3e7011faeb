import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerProbe } from '@meterline/broker-accounts';
import { mqttBrokerProbe } from '@meterline/broker-accounts/contract';
import { DynsecDeviceAccounts } from '@meterline/broker-accounts-dynsec';
import { freePort, MONITOR_MQTT_USER, mosquittoDynsec, type MosquittoDynsecHandle } from '@meterline/local-stack';
import { bearer, SECRETS, testApi } from './fixtures.ts';
import type { Credentials } from '../src/routes/device-credential-routes.ts';

/**
 * Issue 6: devices' broker credentials through the API on a real Mosquitto 2 with the dynamic
 * security plugin (the adapter of packages/broker-accounts-dynsec): a created password lets the
 * device connect and publish on its topic; after a rotate the old one is refused; after a
 * revoke the device is.
 */
const ADMIN = { username: 'meterline-api', password: randomUUID() };
const MONITOR = { ...MONITOR_MQTT_USER, password: randomUUID() };

let baseDir: string;
let broker: MosquittoDynsecHandle;
let accounts: DynsecDeviceAccounts;
let probe: BrokerProbe;

beforeAll(async () => {
  baseDir = await mkdtemp(join(tmpdir(), 'mtl-api-dynsec-'));
  broker = mosquittoDynsec({ dir: join(baseDir, 'broker'), port: await freePort(), admin: ADMIN, serviceUsers: [MONITOR] });
  await broker.start();
  accounts = await DynsecDeviceAccounts.connect({ url: broker.url, ...ADMIN });
  probe = await mqttBrokerProbe({ url: broker.url, observer: MONITOR });
});

afterAll(async () => {
  await probe?.close();
  await accounts?.close();
  await broker?.stop();
  if (baseDir) await rm(baseDir, { recursive: true, force: true });
});

describe('device credentials through the API on Mosquitto’s dynamic security plugin', () => {
  it('create: the device connects and publishes on its topic; rotate: the old password is refused; revoke: the device is', async () => {
    const { app } = await testApi({}, { deviceAccounts: accounts });
    const url = '/v1/enterprises/ent-a/devices/a-dev/credentials';

    const created = await app.inject({ method: 'POST', url, headers: bearer(SECRETS.enterpriseA) });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const first = created.json<Credentials>();
    expect(first.username).toBe('a-dev');

    const device = await probe.connect(first.username, first.password);
    if (device.kind !== 'connected') throw new Error('the broker refused the password the API made');
    const payload = `reading-${randomUUID()}`;
    expect(await device.connection.publish('meterline/v1/a-dev/readings', payload)).toBe('accepted');
    await probe.waitForDelivery(payload);
    expect(probe.delivered).toContainEqual({ topic: 'meterline/v1/a-dev/readings', payload });
    expect(await device.connection.publish('meterline/v1/b-dev/readings', `spoof-${payload}`)).toBe('refused');
    expect((await app.inject({ method: 'POST', url, headers: bearer(SECRETS.enterpriseA) })).json()).toMatchObject({ status: 409, code: 'MTL_API_DEVICE_CREDENTIALS_EXIST' });

    const rotated = await app.inject({ method: 'POST', url: `${url}/rotate`, headers: bearer(SECRETS.enterpriseA) });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const second = rotated.json<Credentials>();
    // The plugin ends the device's connection before it answers.
    await device.connection.dropped;
    expect((await probe.connect('a-dev', first.password)).kind).toBe('refused');
    const renewed = await probe.connect('a-dev', second.password);
    expect(renewed.kind).toBe('connected');
    if (renewed.kind === 'connected') await renewed.connection.close();

    const revoked = await app.inject({ method: 'DELETE', url, headers: bearer(SECRETS.admin) });
    expect(revoked.statusCode, revoked.body).toBe(204);
    expect((await probe.connect('a-dev', second.password)).kind).toBe('refused');
    expect((await app.inject({ method: 'POST', url: `${url}/rotate`, headers: bearer(SECRETS.admin) })).json()).toMatchObject({ status: 404, code: 'MTL_API_NOT_FOUND' });
    await app.close();
  });
});
