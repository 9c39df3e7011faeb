import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBrokerAccountsError } from '@meterline/broker-accounts';
import type { BrokerAccountsErrorCode, BrokerProbe } from '@meterline/broker-accounts';
import { deviceAccountsContract, mqttBrokerProbe } from '@meterline/broker-accounts/contract';
import { MONITOR_MQTT_USER, ensureInstalled, freePort, mosquittoDynsec } from '@meterline/local-stack';
import type { MosquittoDynsecHandle } from '@meterline/local-stack';
import { CONTROL_TOPIC, DynsecDeviceAccounts, RESPONSE_TOPIC } from '../src/index.ts';

// A broker of its own, with the plugin; the stack's broker is left as it is.
const ADMIN = { username: 'meterline-api', password: randomUUID() };
const MONITOR = { ...MONITOR_MQTT_USER, password: randomUUID() };

let baseDir: string;
let broker: MosquittoDynsecHandle;
const toClose: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  baseDir = await mkdtemp(join(tmpdir(), 'mtl-dynsec-accounts-'));
  broker = mosquittoDynsec({ dir: join(baseDir, 'broker'), port: await freePort(), admin: ADMIN, serviceUsers: [MONITOR] });
  await broker.start();
});

afterAll(async () => {
  for (const item of toClose.splice(0).reverse()) await item.close();
  await broker?.stop();
  await rm(baseDir, { recursive: true, force: true });
});

const accountsFor = async (options: Partial<Parameters<typeof DynsecDeviceAccounts.connect>[0]> = {}) => {
  const accounts = await DynsecDeviceAccounts.connect({ url: broker.url, ...ADMIN, ...options });
  toClose.push(accounts);
  return accounts;
};
const probe = async (): Promise<BrokerProbe> => {
  const created = await mqttBrokerProbe({ url: broker.url, observer: MONITOR });
  toClose.push(created);
  return created;
};
const failure = async (call: Promise<unknown>): Promise<{ code: BrokerAccountsErrorCode; canRetry: boolean; message: string }> => {
  const error: unknown = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isBrokerAccountsError(error)) throw new Error(`expected a BrokerAccountsError, got ${String(error)}`, { cause: error });
  return { code: error.code, canRetry: error.canRetry, message: error.message };
};
const newDeviceId = () => `dyn-${randomUUID().slice(0, 12)}`;

/** Sends commands as one control message with the admin account and returns the plugin's responses. */
async function controlCommands(commands: Record<string, unknown>[]): Promise<{ command: string; error?: string }[]> {
  const admin = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0, ...ADMIN }, false);
  try {
    const answered = new Promise<string>((resolve) => admin.on('message', (_topic, payload) => resolve(payload.toString())));
    await admin.subscribeAsync(RESPONSE_TOPIC, { qos: 1 });
    await admin.publishAsync(CONTROL_TOPIC, JSON.stringify({ commands }), { qos: 1 });
    return (JSON.parse(await answered) as { responses: { command: string; error?: string }[] }).responses;
  } finally {
    await admin.endAsync();
  }
}

/** How the broker answers a CONNECT of `username` under `clientId`: 'connected' or the reason code. */
const connectOutcome = (clientId: string, username: string, password: string) =>
  mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0, clientId, username, password }, false).then(
    async (client) => {
      await client.endAsync(true);
      return 'connected';
    },
    (error: unknown) => (error as { code?: unknown }).code,
  );

/**
 * A Mosquitto without the plugin, anonymous clients allowed: nobody answers the control topic.
 * Started here, not by the launcher, whose brokers all load the plugin.
 */
async function brokerWithoutPlugin(): Promise<{ url: string; stop: () => Promise<void> }> {
  const dir = join(baseDir, `plain-${randomUUID().slice(0, 8)}`);
  await mkdir(dir);
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  await writeFile(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\n`);
  const child = spawn((await ensureInstalled()).mosquitto.bin, ['-c', conf], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `mqtt://127.0.0.1:${port}`;
  // Ready when it accepts a connection; the hook's timeout bounds the wait.
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mosquitto without the plugin exited with ${child.exitCode}`);
    const client = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 1_000 }, false).catch(() => undefined);
    if (client !== undefined) {
      await client.endAsync(true);
      break;
    }
    await sleep(100);
  }
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The call's result once the adapter has reconnected: until then calls fail fast as unavailable. */
async function onceReconnected<T>(call: () => Promise<T>): Promise<T> {
  for (;;) {
    const outcome = await call().catch((error: unknown) => error);
    if (!isBrokerAccountsError(outcome, 'MTL_BROKER_UNAVAILABLE')) {
      if (outcome instanceof Error) throw outcome;
      return outcome as T;
    }
    await sleep(100);
  }
}

deviceAccountsContract('mosquitto 2.0 dynamic security plugin (real broker)', async () => {
  const accounts = await DynsecDeviceAccounts.connect({ url: broker.url, ...ADMIN });
  const observed = await mqttBrokerProbe({ url: broker.url, observer: MONITOR });
  return {
    accounts,
    broker: observed,
    serviceAccount: MONITOR,
    close: async () => {
      await observed.close();
      await accounts.close();
    },
  };
});

describe('DynsecDeviceAccounts.connect', () => {
  it('refuses options that are not valid, naming every one', async () => {
    const error = await failure(DynsecDeviceAccounts.connect({ url: 'http://x', username: '', password: '', commandTimeoutMs: 0 }));
    expect(error.code).toBe('MTL_BROKER_CONFIG_INVALID');
    for (const key of ['url', 'username', 'password', 'commandTimeoutMs']) expect(error.message).toContain(`${key}:`);
  });

  it('fails with MTL_BROKER_NOT_AUTHORIZED for a wrong admin password', async () => {
    expect(await failure(DynsecDeviceAccounts.connect({ url: broker.url, username: ADMIN.username, password: 'wrong' }))).toMatchObject({
      code: 'MTL_BROKER_NOT_AUTHORIZED',
      canRetry: false,
    });
  });

  it('fails with MTL_BROKER_NOT_AUTHORIZED for an account without the control topics (a service account)', async () => {
    const error = await failure(DynsecDeviceAccounts.connect({ url: broker.url, username: MONITOR.username, password: MONITOR.password }));
    expect(error).toMatchObject({ code: 'MTL_BROKER_NOT_AUTHORIZED', canRetry: false });
    expect(error.message).toContain(RESPONSE_TOPIC);
  });

  it('fails with a retryable MTL_BROKER_UNAVAILABLE when nothing listens', async () => {
    expect(await failure(DynsecDeviceAccounts.connect({ url: `mqtt://127.0.0.1:${await freePort()}`, ...ADMIN }))).toMatchObject({
      code: 'MTL_BROKER_UNAVAILABLE',
      canRetry: true,
    });
  });

  it('fails with a retryable MTL_BROKER_TIMEOUT on a broker without the plugin (nobody answers the control topic)', async () => {
    const plain = await brokerWithoutPlugin();
    try {
      const error = await failure(DynsecDeviceAccounts.connect({ url: plain.url, ...ADMIN, commandTimeoutMs: 1_000 }));
      expect(error).toMatchObject({ code: 'MTL_BROKER_TIMEOUT', canRetry: true });
      expect(error.message).toContain('plugin');
    } finally {
      await plain.stop();
    }
  });
});

describe('DynsecDeviceAccounts on the real broker', () => {
  it('keeps two admin connections (two API instances) apart on the shared response topic', async () => {
    const [first, second] = [await accountsFor(), await accountsFor()];
    const ids = Array.from({ length: 12 }, newDeviceId);
    const created = await Promise.all(ids.map((id, i) => (i % 2 === 0 ? first : second).create(id)));
    const observed = await probe();
    for (const [i, credentials] of created.entries()) {
      expect(credentials.username).toBe(ids[i]);
      const outcome = await observed.connect(credentials.username, credentials.password);
      expect(outcome.kind).toBe('connected');
      if (outcome.kind === 'connected') await outcome.connection.close();
    }
  });

  it("resets a role left behind (here: one allowing every topic) to the device's ACL when the device is created", async () => {
    const id = newDeviceId();
    const admin = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0, ...ADMIN }, false);
    try {
      const answered = new Promise<string>((resolve) => admin.on('message', (_topic, payload) => resolve(payload.toString())));
      await admin.subscribeAsync(RESPONSE_TOPIC, { qos: 1 });
      const leftover = { command: 'createRole', rolename: `device-${id}`, acls: [{ acltype: 'publishClientSend', topic: '#', allow: true }] };
      await admin.publishAsync(CONTROL_TOPIC, JSON.stringify({ commands: [leftover] }), { qos: 1 });
      expect(JSON.parse(await answered)).toEqual({ responses: [{ command: 'createRole' }] });
    } finally {
      await admin.endAsync();
    }
    const accounts = await accountsFor();
    const { password } = await accounts.create(id);
    const observed = await probe();
    const outcome = await observed.connect(id, password);
    if (outcome.kind !== 'connected') throw new Error('device refused');
    toClose.push(outcome.connection);
    expect(await outcome.connection.publish(`meterline/v1/${newDeviceId()}/readings`, 'x')).toBe('refused');
    expect(await outcome.connection.publish(`meterline/v1/${id}/readings`, 'x')).toBe('accepted');
  });

  it('drops open connections on rotate and revoke without publishing their last will; measures how soon', async () => {
    const accounts = await accountsFor();
    const observed = await probe();
    const id = newDeviceId();
    const will = `will-${randomUUID()}`;
    const timings: Record<string, number> = {};
    let { password } = await accounts.create(id);
    for (const step of ['rotate', 'revoke'] as const) {
      const device: MqttClient = await mqtt.connectAsync(
        broker.url,
        { protocolVersion: 5, reconnectPeriod: 0, clientId: id, username: id, password, will: { topic: `meterline/v1/${id}/status`, payload: Buffer.from(will), qos: 1, retain: false } },
        false,
      );
      const closed = new Promise<number>((resolve) => device.once('close', () => resolve(performance.now())));
      const before = password;
      const started = performance.now();
      if (step === 'rotate') ({ password } = await accounts.rotate(id));
      else await accounts.revoke(id);
      const answered = performance.now();
      // At once: the first connection attempt after the call resolved, with the password of before.
      const refused = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0, clientId: id, username: id, password: before }, false).then(
        async (client) => {
          await client.endAsync(true);
          return false;
        },
        () => true,
      );
      expect(refused).toBe(true);
      timings[`${step}: call`] = answered - started;
      timings[`${step}: connection dropped after`] = (await closed) - started;
    }
    // A message published after the drops reaches the observer after any will would have.
    const other = newDeviceId();
    const marker = `marker-${randomUUID()}`;
    const otherDevice = await observed.connect(other, (await accounts.create(other)).password);
    if (otherDevice.kind !== 'connected') throw new Error('device refused');
    toClose.push(otherDevice.connection);
    await otherDevice.connection.publish(`meterline/v1/${other}/readings`, marker);
    await observed.waitForDelivery(marker);
    expect(observed.delivered.filter((m) => m.payload === will)).toEqual([]);
    console.log(`dynamic security, ms: ${Object.entries(timings).map(([k, v]) => `${k} ${v.toFixed(1)}`).join('; ')}`);
  });

  it('does not send a command again after a reconnect when the connection ended before the answer (its caller was told it failed)', async () => {
    const accounts = await accountsFor({ reconnectPeriodMs: 200 });
    const id = newDeviceId();
    const pid = await broker.runningPid();
    if (pid === undefined) throw new Error('the broker is not running');
    // Stopped, the broker reads nothing: the create command waits in its socket until the broker is killed.
    process.kill(pid, 'SIGSTOP');
    try {
      const pending = failure(accounts.create(id));
      await new Promise((resolve) => setImmediate(resolve));
      await broker.kill();
      expect(await pending).toMatchObject({ code: 'MTL_BROKER_UNAVAILABLE', canRetry: true });
    } finally {
      if ((await broker.runningPid()) === pid) process.kill(pid, 'SIGKILL');
    }
    await broker.start();
    expect(await onceReconnected(() => accounts.exists(id))).toBe(false);
  });

  it('fails calls while the broker is down as retryable, and works again once it is back, with what was provisioned before', async () => {
    const accounts = await accountsFor({ reconnectPeriodMs: 200 });
    const id = newDeviceId();
    const { password } = await accounts.create(id);
    await broker.stop();
    expect(await failure(accounts.create(newDeviceId()))).toMatchObject({ code: 'MTL_BROKER_UNAVAILABLE', canRetry: true });
    await broker.start();
    expect(await onceReconnected(() => accounts.exists(id))).toBe(true);
    const observed = await probe();
    const device = await observed.connect(id, password);
    if (device.kind !== 'connected') throw new Error('device provisioned before the restart refused');
    toClose.push(device.connection);
    expect(await device.connection.publish(`meterline/v1/${id}/readings`, 'after-restart')).toBe('accepted');
  });

  it("gives a device's role no subscription and binds the account to the device id as client id (issue 13, defects 2, 3, 9)", async () => {
    const accounts = await accountsFor();
    const id = newDeviceId();
    const { password } = await accounts.create(id);
    const refusedWith = (clientId: string) =>
      mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0, clientId, username: id, password }, false).then(
        async (client) => {
          await client.endAsync(true);
          return 'connected';
        },
        (error: unknown) => (error as { code?: unknown }).code,
      );
    // Another device's id, a service's (they contain ':'), or none: refused as not authorised.
    for (const clientId of [newDeviceId(), 'ingest:local-1-0', '']) expect({ clientId, outcome: await refusedWith(clientId) }).toEqual({ clientId, outcome: 135 });
    const device = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0, clientId: id, username: id, password }, false);
    try {
      for (const filter of ['#', '$SYS/#', `meterline/v1/${id}/readings`, '$share/meterline-ingest/meterline/v1/+/readings']) {
        const granted = await device.subscribeAsync(filter, { qos: 1 }).then(
          (g) => g[0]!.qos,
          (error: unknown) => (error as { packet?: { granted?: number[] } }).packet?.granted?.[0],
        );
        expect({ filter, granted }).toEqual({ filter, granted: 135 });
      }
    } finally {
      await device.endAsync(true);
    }
  });

  it('provision() makes an absent account with the given password and the policy of create(); again, it changes nothing and a connected device stays connected', async () => {
    const accounts = await accountsFor();
    const id = newDeviceId();
    const password = `provisioned-${randomUUID()}`;
    expect(await accounts.provision(id, password)).toBe('created');
    expect(await connectOutcome(`${id}-other`, id, password)).toBe(135);
    const device = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0, clientId: id, username: id, password }, false);
    let closed = false;
    device.on('close', () => (closed = true));
    try {
      expect(await accounts.provision(id, 'another-password')).toBe('unchanged');
      await device.publishAsync(`meterline/v1/${id}/readings`, 'after provisioning again', { qos: 1 });
      expect(closed).toBe(false);
      // The password stays the one the account was made with.
      expect(await connectOutcome(`${id}`, id, 'another-password')).toBe(135);
    } finally {
      await device.endAsync(true);
    }
  });

  it('provision() brings an account of an earlier version (publish on …/<id>/#, any client id) to the current policy, keeping its password', async () => {
    const id = newDeviceId();
    const password = `earlier-${randomUUID()}`;
    const earlier = await controlCommands([
      { command: 'createRole', rolename: `device-${id}`, acls: [{ acltype: 'publishClientSend', topic: `meterline/v1/${id}/#`, allow: true }] },
      { command: 'createClient', username: id, password, roles: [{ rolename: `device-${id}` }] },
    ]);
    expect(earlier).toEqual([{ command: 'createRole' }, { command: 'createClient' }]);
    expect(await connectOutcome(`${id}-other`, id, password)).toBe('connected');

    const accounts = await accountsFor();
    expect(await accounts.provision(id, 'not used: the account keeps its password')).toBe('updated');
    expect(await connectOutcome(`${id}-other`, id, password)).toBe(135);
    const device = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0, clientId: id, username: id, password }, false);
    try {
      await expect(device.publishAsync(`meterline/v1/${id}/readings/x`, 'x', { qos: 1 })).rejects.toMatchObject({ code: 135 });
      await expect(device.subscribeAsync('#', { qos: 1 })).rejects.toMatchObject({ packet: { granted: [135] } });
      await device.publishAsync(`meterline/v1/${id}/readings`, 'x', { qos: 1 });
    } finally {
      await device.endAsync(true);
    }
    expect(await accounts.provision(id, password)).toBe('unchanged');
  });

  it('provision() refuses a name held by an account that is not a device (a service account) and changes nothing', async () => {
    const accounts = await accountsFor();
    expect(await failure(accounts.provision(MONITOR.username, 'x'))).toMatchObject({ code: 'MTL_BROKER_DEVICE_EXISTS', canRetry: false });
    expect(await connectOutcome(`monitor-${randomUUID().slice(0, 8)}`, MONITOR.username, MONITOR.password)).toBe('connected');
  });

  it('fails every call after close with MTL_BROKER_UNAVAILABLE', async () => {
    const accounts = await accountsFor();
    await accounts.close();
    expect(await failure(accounts.exists(newDeviceId()))).toMatchObject({ code: 'MTL_BROKER_UNAVAILABLE' });
  });
});
