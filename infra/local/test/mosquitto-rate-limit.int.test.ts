/**
 * The broker's per-device publish limit (infra/mosquitto/rate-limit), on a real Mosquitto with
 * the dynamic security plugin, devices played by mqtt.js: a device over its limit is refused at
 * the door and told so, while another device's publishes all pass, and what was refused is never
 * forwarded. Small limits, so that timing cannot decide an outcome: at half a message a second,
 * a refill would need seconds of stall between two publishes made back to back.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { ErrorWithReasonCode, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readingsTopic } from '@meterline/contracts';
import { MQTT_MAX_PACKET_BYTES, freePort, mosquittoDynsec, type MosquittoDynsecHandle } from '../src/index.ts';

const ADMIN = { username: 'limit-admin', password: `admin-${randomUUID()}` };
const MONITOR = { username: 'limit-monitor', password: `monitor-${randomUUID()}`, read: ['meterline/v1/#'] };
const LIMIT = { messagesPerSecond: 0.5, messageBurst: 20, bytesPerSecond: 1_024, byteBurst: MQTT_MAX_PACKET_BYTES };
const DEVICES = ['limit-flooder', 'limit-neighbour', 'limit-bulky'].map((id) => ({ username: id, password: `pw-${id}` }));
const [FLOODER, NEIGHBOUR, BULKY] = DEVICES.map((d) => d.username) as [string, string, string];
/** MQTT 5 reason code of a refused publish (§2.4): the only one a Mosquitto 2.0 message plugin can give. */
const NOT_AUTHORIZED = 0x87;

let baseDir: string;
let broker: MosquittoDynsecHandle;
const clients: MqttClient[] = [];

const connect = async (clientId: string, user: { username: string; password: string }): Promise<MqttClient> => {
  const client = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0, clientId, ...user }, false);
  clients.push(client);
  return client;
};
const asDevice = (id: string) => connect(id, DEVICES.find((d) => d.username === id)!);
/** The broker's answer to a QoS 1 publish: 'accepted', or the refusal's reason code. */
const publish = (client: MqttClient, topic: string, payload: string | Buffer): Promise<'accepted' | number> =>
  client.publishAsync(topic, payload, { qos: 1 }).then(
    () => 'accepted' as const,
    (error: unknown) => {
      if (error instanceof ErrorWithReasonCode) return error.code;
      throw error;
    },
  );
const count = (outcomes: ('accepted' | number)[], outcome: 'accepted' | number) => outcomes.filter((o) => o === outcome).length;

beforeAll(async () => {
  baseDir = await mkdtemp(join(tmpdir(), 'mtl-rate-limit-test-'));
  broker = mosquittoDynsec({ dir: join(baseDir, 'broker'), port: await freePort(), admin: ADMIN, serviceUsers: [MONITOR], publishLimit: LIMIT });
  await broker.start();
  await broker.provisionDevices(DEVICES);
});

afterAll(async () => {
  for (const client of clients) await client.endAsync(true);
  await broker?.stop();
  await rm(baseDir, { recursive: true, force: true });
});

describe('the broker limits what each device publishes', () => {
  it("refuses a flooding device's publishes beyond its burst with 0x87, passes every one of another device's, and forwards nothing it refused", async () => {
    const monitor = await connect(`monitor-${randomUUID().slice(0, 8)}`, MONITOR);
    const received = new Map<string, string[]>();
    monitor.on('message', (topic, payload) => received.set(topic, [...(received.get(topic) ?? []), payload.toString()]));
    await monitor.subscribeAsync('meterline/v1/#', { qos: 1 });
    const flooder = await asDevice(FLOODER);
    const neighbour = await asDevice(NEIGHBOUR);

    const flood = Promise.all(Array.from({ length: 300 }, (_, i) => publish(flooder, readingsTopic(FLOODER), `flood-${i}`)));
    const neighbours = Promise.all(Array.from({ length: 15 }, (_, i) => publish(neighbour, readingsTopic(NEIGHBOUR), `neighbour-${i}`)));
    const [flooded, neighboured] = await Promise.all([flood, neighbours]);

    expect(count(neighboured, 'accepted')).toBe(15);
    const accepted = count(flooded, 'accepted');
    // The burst, plus at most a token or two refilled while the 300 went through.
    expect(accepted).toBeGreaterThanOrEqual(LIMIT.messageBurst);
    expect(accepted).toBeLessThanOrEqual(LIMIT.messageBurst + 2);
    expect(count(flooded, NOT_AUTHORIZED)).toBe(300 - accepted);

    await expect.poll(() => (received.get(readingsTopic(FLOODER))?.length ?? 0) + (received.get(readingsTopic(NEIGHBOUR))?.length ?? 0)).toBe(accepted + 15);
    const acceptedPayloads = flooded.flatMap((outcome, i) => (outcome === 'accepted' ? [`flood-${i}`] : []));
    expect(received.get(readingsTopic(FLOODER))).toEqual(acceptedPayloads);
    expect(received.get(readingsTopic(NEIGHBOUR))).toEqual(Array.from({ length: 15 }, (_, i) => `neighbour-${i}`));
  });

  it('keeps the bucket with the client id: reconnecting does not refill it', async () => {
    await flooderClose();
    const again = await asDevice(FLOODER);
    expect(await publish(again, readingsTopic(FLOODER), 'after reconnecting')).toBe(NOT_AUTHORIZED);
  });

  it('limits bytes too: after a packet of the largest size, the next large one is refused', async () => {
    const bulky = await asDevice(BULKY);
    const topic = readingsTopic(BULKY);
    const largest = Buffer.alloc(MQTT_MAX_PACKET_BYTES - topic.length - 64, 0x20);
    expect(await publish(bulky, topic, largest)).toBe('accepted');
    expect(await publish(bulky, topic, Buffer.alloc(8 * 1024, 0x20))).toBe(NOT_AUTHORIZED);
  });

  it("logs the refusals with the device's client id and their count, and never names a device it did not refuse", async () => {
    const refusalLines = async () => (await readFile(broker.logFile, 'utf8')).split('\n').filter((line) => line.includes('meterline-rate-limit: refused'));
    await expect.poll(async () => (await refusalLines()).some((line) => line.includes(`from client ${FLOODER} `)), { timeout: 20_000 }).toBe(true);
    const lines = await refusalLines();
    expect(lines.every((line) => /refused [1-9]\d* publishes from client /.test(line))).toBe(true);
    expect(lines.some((line) => line.includes(`from client ${NEIGHBOUR} `))).toBe(false);
  });
});

async function flooderClose(): Promise<void> {
  const flooder = clients.find((c) => c.options.clientId === FLOODER && c.connected);
  await flooder?.endAsync();
}
