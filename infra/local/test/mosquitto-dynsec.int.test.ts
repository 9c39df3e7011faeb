import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import mqtt, { ErrorWithReasonCode, ErrorWithSubackPacket, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDynsecPlugin, freePort, isStackError, mosquittoDynsec } from '../src/index.ts';
import type { MosquittoDynsecHandle } from '../src/index.ts';
import { dynsecPasswordHash } from '../src/mosquitto-dynsec.ts';
import { runCommand, which } from '../src/run-command.ts';

const ADMIN = { username: 'test-admin', password: `admin-${randomUUID()}` };
const MONITOR = { username: 'test-monitor', password: `monitor-${randomUUID()}`, read: ['meterline/v1/#'] };
const WRITER = { username: 'test-writer', password: `writer-${randomUUID()}`, write: ['meterline/v1/test-writer/#'] };

let baseDir: string;
let broker: MosquittoDynsecHandle;
const clients: MqttClient[] = [];

const connect = async (user: { username: string; password: string }): Promise<MqttClient> => {
  const client = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0, clientId: `${user.username}-${randomUUID().slice(0, 8)}`, ...user }, false);
  clients.push(client);
  return client;
};
const reasonCode = (error: unknown) => (error instanceof ErrorWithReasonCode ? error.code : error);
/** The reason code of the SUBACK: mqtt.js rejects a refused subscription (0x80 or more) with the packet. */
const subscribeReason = (client: MqttClient, filter: string) =>
  client.subscribeAsync(filter, { qos: 1 }).then(
    ([granted]) => granted?.qos,
    (error: unknown) => (error instanceof ErrorWithSubackPacket ? error.packet.granted[0] : error),
  );

/** One command on the plugin's control topic, answered on its response topic. */
async function control(admin: MqttClient, command: Record<string, unknown>): Promise<{ error?: string; data?: unknown }> {
  const correlationData = randomUUID();
  const answer = new Promise<{ error?: string; data?: unknown }>((resolve) => {
    const onMessage = (_topic: string, payload: Buffer) => {
      const response = (JSON.parse(payload.toString()) as { responses: { correlationData?: string; error?: string; data?: unknown }[] }).responses.find(
        (r) => r.correlationData === correlationData,
      );
      if (response === undefined) return;
      admin.off('message', onMessage);
      resolve(response);
    };
    admin.on('message', onMessage);
  });
  await admin.subscribeAsync('$CONTROL/dynamic-security/v1/response', { qos: 1 });
  await admin.publishAsync('$CONTROL/dynamic-security/v1', JSON.stringify({ commands: [{ ...command, correlationData }] }), { qos: 1 });
  return answer;
}

beforeAll(async () => {
  baseDir = await mkdtemp(join(tmpdir(), 'mtl-dynsec-test-'));
  broker = mosquittoDynsec({ dir: join(baseDir, 'broker'), port: await freePort(), admin: ADMIN, serviceUsers: [MONITOR, WRITER] });
  await broker.start();
});

afterAll(async () => {
  for (const client of clients) await client.endAsync(true);
  await broker?.stop();
  await rm(baseDir, { recursive: true, force: true });
});

describe('findDynsecPlugin', () => {
  it("finds the plugin Mosquitto 2 ships, in this machine's library directories", async () => {
    const path = await findDynsecPlugin();
    expect(basename(path)).toBe('mosquitto_dynamic_security.so');
  });

  it('fails with MTL_STACK_TOOL_MISSING naming the path when the given plugin is absent', async () => {
    const missing = join(baseDir, 'nowhere', 'mosquitto_dynamic_security.so');
    const error: unknown = await findDynsecPlugin(missing).catch((e: unknown) => e);
    expect(isStackError(error, 'MTL_STACK_TOOL_MISSING')).toBe(true);
    expect((error as Error).message).toContain(missing);
  });

  it('fails a broker start the same way, before starting any process', async () => {
    const dir = join(baseDir, 'no-plugin');
    const handle = mosquittoDynsec({ dir, port: await freePort(), admin: ADMIN, pluginPath: join(dir, 'missing.so') });
    const error: unknown = await handle.start().catch((e: unknown) => e);
    expect(isStackError(error, 'MTL_STACK_TOOL_MISSING')).toBe(true);
    expect(await handle.runningPid()).toBeUndefined();
  });
});

describe('dynsecPasswordHash', () => {
  it('hashes a password as mosquitto_ctrl dynsec init does (same salt and iterations, same hash)', async () => {
    const ctrl = await which('mosquitto_ctrl');
    if (ctrl === undefined) throw new Error('mosquitto_ctrl is not installed (Debian ships it in the mosquitto package)');
    const file = join(baseDir, `ctrl-${randomUUID()}.json`);
    await runCommand(ctrl, ['dynsec', 'init', file, 'someone', 'pässword with spaces']);
    const written = JSON.parse(await readFile(file, 'utf8')) as { clients: { password: string; salt: string; iterations: number }[] };
    const [client] = written.clients;
    expect(await dynsecPasswordHash('pässword with spaces', Buffer.from(client!.salt, 'base64'), client!.iterations)).toBe(client!.password);
  });
});

describe('mosquittoDynsec', () => {
  it('lets the admin use the control API, and nothing else', async () => {
    const admin = await connect(ADMIN);
    const answer = await control(admin, { command: 'getClient', username: MONITOR.username });
    expect(answer.error).toBeUndefined();
    expect(answer.data).toMatchObject({ client: { username: MONITOR.username, roles: [{ rolename: `service-${MONITOR.username}` }] } });
    expect(await subscribeReason(admin, 'meterline/v1/#')).toBe(0x87);
    expect(await admin.publishAsync('meterline/v1/x/readings', 'x', { qos: 1 }).catch(reasonCode)).toBe(0x87);
  });

  it('gives each service account its filters: the monitor reads device topics and publishes nothing, the writer writes its own', async () => {
    const monitor = await connect(MONITOR);
    expect(await subscribeReason(monitor, 'meterline/v1/#')).toBe(1);
    expect(await subscribeReason(monitor, '$CONTROL/dynamic-security/#')).toBe(0x87);
    expect(await monitor.publishAsync('meterline/v1/x/readings', 'x', { qos: 1 }).catch(reasonCode)).toBe(0x87);

    const received = new Promise<string>((resolve) => monitor.on('message', (topic, payload) => topic === 'meterline/v1/test-writer/readings' && resolve(payload.toString())));
    const writer = await connect(WRITER);
    expect(await writer.publishAsync('meterline/v1/other/readings', 'x', { qos: 1 }).catch(reasonCode)).toBe(0x87);
    await writer.publishAsync('meterline/v1/test-writer/readings', 'hello', { qos: 1 });
    expect(await received).toBe('hello');
  });

  it('refuses anonymous clients, unknown users and wrong passwords', async () => {
    for (const options of [{}, { username: 'nobody', password: 'x' }, { username: MONITOR.username, password: `${MONITOR.password}x` }]) {
      const outcome = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0, ...options }, false).then(
        async (client) => {
          await client.endAsync(true);
          return 'connected';
        },
        reasonCode,
      );
      expect(outcome).toBe(0x87);
    }
  });

  it('keeps what was provisioned across a restart (the state file is seeded once)', async () => {
    const admin = await connect(ADMIN);
    const device = { username: `restart-${randomUUID().slice(0, 8)}`, password: randomUUID() };
    expect((await control(admin, { command: 'createClient', ...device })).error).toBeUndefined();
    await broker.stop();
    await broker.start();
    const again = await connect(device);
    expect(again.connected).toBe(true);
    expect(JSON.parse(await readFile(broker.configFile, 'utf8'))).toMatchObject({ clients: expect.arrayContaining([expect.objectContaining({ username: device.username })]) as unknown });
  });
});
