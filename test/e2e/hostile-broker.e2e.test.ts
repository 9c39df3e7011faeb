/**
 * Issue 13 ("the edge is a trust boundary"), the broker's part: a hostile device, played by
 * mqtt.js, against the broker the pipeline runs on (the stack's Mosquitto with the dynamic
 * security plugin, started by the global setup), with ingest and the writer running.
 */
import { readFile } from 'node:fs/promises';
import mqtt, { ErrorWithReasonCode, type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readingsTopic } from '@meterline/contracts';
import { MQTT_MAX_PACKET_BYTES, ingestClientId, provisionDevStackAccounts } from '@meterline/local-stack';
import { Fleet, fleetManifest } from '@meterline/simulator';
import { stackEnv } from '../harness/stack-env.ts';
import { createPipeline, devicePassword, type Pipeline } from '../harness/pipeline.ts';
import { QUARTER_HOUR, storedReadings } from '../harness/scenario.ts';

const T0 = Date.UTC(2026, 2, 1);
/** MQTT 5 reason codes (MQTT 5.0 §2.4). */
const NOT_AUTHORIZED = 0x87;
const POLL = { timeout: 60_000, interval: 500 };

const toEnd: MqttClient[] = [];
const errorsSeen: Error[] = [];
const connect = async (url: string, options: IClientOptions): Promise<MqttClient> => {
  const client = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 10_000, ...options }, false);
  // A refused packet or a dropped connection is what these tests look at, not an unhandled error.
  client.on('error', (error) => errorsSeen.push(error));
  toEnd.push(client);
  return client;
};
const reasonOf = (error: unknown): number | 'none' => (error instanceof ErrorWithReasonCode ? error.code : 'none');
/** The broker's answer to a QoS 1 publish: 'accepted' (PUBACK < 0x80), the refusal's reason code, or 'closed' when it ended the connection instead. */
const publishOutcome = async (client: MqttClient, topic: string, payload: string | Buffer): Promise<'accepted' | number | 'closed'> => {
  const closed = new Promise<'closed'>((resolve) => client.once('close', () => resolve('closed')));
  const answered = client.publishAsync(topic, payload, { qos: 1 }).then(
    () => 'accepted' as const,
    (error: unknown) => (reasonOf(error) === 'none' ? ('closed' as const) : (reasonOf(error) as number)),
  );
  return Promise.race([answered, closed]);
};
/** The SUBACK's reason code for a filter (mqtt.js rejects when the broker refuses it). */
const subscribeOutcome = async (client: MqttClient, filter: string): Promise<number> => {
  try {
    const granted = await client.subscribeAsync(filter, { qos: 1 });
    return granted[0]!.qos;
  } catch (error) {
    // mqtt.js rejects a refused subscription with the SUBACK packet attached.
    const granted = (error as { packet?: { granted?: unknown } }).packet?.granted;
    if (!Array.isArray(granted) || typeof granted[0] !== 'number') throw error;
    return granted[0];
  }
};
/** Whether a CONNECT is accepted ('connected') or refused (its reason code). */
const connectOutcome = (url: string, options: IClientOptions): Promise<'connected' | number | 'none'> =>
  connect(url, options).then(
    () => 'connected' as const,
    (error: unknown) => reasonOf(error),
  );

afterAll(async () => {
  await Promise.allSettled(toEnd.splice(0).map((c) => c.endAsync(true)));
});

describe('hostile device on the stack broker, ingest running', () => {
  let pipeline: Pipeline;
  let fleet: Fleet;
  const url = () => stackEnv().stack.mqtt.url;

  beforeAll(async () => {
    pipeline = await createPipeline(stackEnv(), fleetManifest({ enterprises: 2, devicesPerEnterprise: 3, pointsPerDevice: 1, prefix: 'e2e-hostile' }), { ingestConnections: 2 });
    await pipeline.writer.start();
    await pipeline.ingest.start();
    fleet = new Fleet(pipeline.manifest, { seed: 13 });
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  const device = (i: number) => fleet.devices[i]!.id;
  const pointOf = (i: number) => fleet.devices[i]!.points[0]!.id;
  const asDevice = (i: number, options: IClientOptions = {}) => connect(url(), { clientId: device(i), username: device(i), password: devicePassword(device(i)), ...options });
  const storedOf = async (i: number) => [...(await storedReadings(pipeline)).keys()].filter((key) => key.startsWith(`${pointOf(i)}@`)).length;
  /** `count` readings payloads of device `i`, one per quarter-hour from `from`. */
  const payloadsOf = (i: number, from: number, count: number) =>
    Array.from({ length: count }, (_, k) => fleet.tick(from + k * QUARTER_HOUR, QUARTER_HOUR).find((p) => p.deviceId === device(i))!);
  /** Lines of ingest's log with this message (its JSON log lines: `"msg":"<message>"`). */
  const ingestLogLines = async (message: string) => (await readFile(pipeline.ingest.logFile, 'utf8')).split('\n').filter((line) => line.includes(`"msg":"${message}"`));

  it("issue 13 defect 2: a device cannot join ingest's share group, and every reading of another device is stored", async () => {
    const thief = await asDevice(0);
    const stolen: string[] = [];
    thief.on('message', (topic) => stolen.push(topic));
    const { shareGroup } = pipeline.mqtt;
    const filters = [
      `$share/${shareGroup}/meterline/v1/+/readings`,
      `$share/${shareGroup}/meterline/v1/+/status`,
      '$share/another-group/meterline/v1/+/readings',
      'meterline/v1/+/readings',
      readingsTopic(device(1)),
      '#',
      '$SYS/#',
    ];
    const subscriptions = [];
    for (const filter of filters) subscriptions.push({ filter, outcome: await subscribeOutcome(thief, filter) });

    // With the thief in the group, the password-file broker handed it every third message and then dropped it (no read ACL).
    const sender = await asDevice(1);
    const payloads = payloadsOf(1, T0, 100);
    for (const payload of payloads) expect(await publishOutcome(sender, readingsTopic(device(1)), payload.bytes)).toBe('accepted');
    await expect.poll(() => storedOf(1), POLL).toBe(payloads.length);
    expect(subscriptions).toEqual(filters.map((filter) => ({ filter, outcome: NOT_AUTHORIZED })));
    expect(stolen).toEqual([]);
  });

  it("issue 13 defect 3: a device can take neither another device's client id nor ingest's (with a persistent session); ingest keeps its connections", async () => {
    const victim = await asDevice(2);
    let victimClosed = false;
    victim.on('close', () => (victimClosed = true));
    const offlineBefore = (await ingestLogLines('mqtt offline')).length;

    const { ingestInstanceId } = pipeline.mqtt;
    const claimed = [device(2), ingestClientId(ingestInstanceId, 0), ingestClientId(ingestInstanceId, 1), `${device(0)}-2`];
    const attempts = [];
    for (const clientId of claimed) {
      // A persistent session, as ingest's: taking it over would hand the thief ingest's subscriptions and queued messages.
      const outcome = await connectOutcome(url(), { clientId, username: device(0), password: devicePassword(device(0)), clean: false, properties: { sessionExpiryInterval: 3_600 } });
      attempts.push({ clientId, refused: outcome !== 'connected' });
    }

    // On the password-file broker (Mosquitto 2.0.11) each claim was accepted: ingest was thrown
    // off, reconnected a second later with its sessions present and subscribed again, and yet its
    // share group received none of the 50 readings below within a minute.
    const sender = await asDevice(3);
    const payloads = payloadsOf(3, T0, 50);
    for (const payload of payloads) expect(await publishOutcome(sender, readingsTopic(device(3)), payload.bytes)).toBe('accepted');
    await expect.poll(() => storedOf(3), POLL).toBe(payloads.length);
    expect(attempts).toEqual(claimed.map((clientId) => ({ clientId, refused: true })));
    expect(await publishOutcome(victim, readingsTopic(device(2)), payloadsOf(2, T0, 1)[0]!.bytes)).toBe('accepted');
    expect(victimClosed).toBe(false);
    expect((await ingestLogLines('mqtt offline')).length).toBe(offlineBefore);
  });

  it('issue 13 defect 9: a device subscribes to nothing and publishes only its readings and status', async () => {
    const id = device(4);
    const client = await asDevice(4);
    for (const filter of [`meterline/v1/${id}/readings`, `meterline/v1/${id}/#`, `meterline/v1/${id}/status`]) {
      expect({ filter, outcome: await subscribeOutcome(client, filter) }).toEqual({ filter, outcome: NOT_AUTHORIZED });
    }
    for (const topic of [`meterline/v1/${id}/reading`, `meterline/v1/${id}/readings/x`, `meterline/v1/${id}/status/x`, `meterline/v1/${id}`, `meterline/v1/${id}/`, readingsTopic(device(5))]) {
      expect({ topic, outcome: await publishOutcome(client, topic, '{}') }).toEqual({ topic, outcome: NOT_AUTHORIZED });
    }
    expect(await publishOutcome(client, `meterline/v1/${id}/status`, 'online')).toBe('accepted');
  });

  it('issue 13 defect 10: refuses a packet over the documented payload limit at the broker, and ingest never sees it', async () => {
    const client = await asDevice(5);
    const oversized = Buffer.alloc(MQTT_MAX_PACKET_BYTES + 1, 0x20);
    expect(await publishOutcome(client, readingsTopic(device(5)), oversized)).not.toBe('accepted');
    const after = await asDevice(5);
    expect(await publishOutcome(after, readingsTopic(device(5)), payloadsOf(5, T0, 1)[0]!.bytes)).toBe('accepted');
    await expect.poll(() => storedOf(5), POLL).toBe(1);
    expect(await pipeline.deadLetters()).toEqual([]);
  });

  it('issue 13 defect 11: provisioning the running broker again (`stack up`, then `./meterline up`) neither refuses nor disconnects a provisioned device', async () => {
    const steady = await asDevice(4);
    let steadyClosed = false;
    steady.on('close', () => (steadyClosed = true));
    const registryDevices = [4, 5].map((i) => ({ username: device(i), password: devicePassword(device(i)) }));
    let [connections, refusals, provisioning] = [0, 0, true];
    const reconnecting = (async () => {
      while (provisioning) {
        const client = await mqtt
          .connectAsync(url(), { protocolVersion: 5, reconnectPeriod: 0, clientId: device(5), username: device(5), password: devicePassword(device(5)) }, false)
          .catch((error: unknown) => reasonOf(error));
        if (typeof client === 'object') {
          connections++;
          await client.endAsync(true);
        } else {
          refusals++;
        }
      }
    })();
    try {
      for (let run = 0; run < 3; run++) {
        await provisionDevStackAccounts(pipeline.broker, {});
        await provisionDevStackAccounts(pipeline.broker, { registryDevices });
      }
    } finally {
      provisioning = false;
      await reconnecting;
    }
    expect(connections).toBeGreaterThan(0);
    expect(refusals).toBe(0);
    expect(await publishOutcome(steady, readingsTopic(device(4)), payloadsOf(4, T0, 1)[0]!.bytes)).toBe('accepted');
    expect(steadyClosed).toBe(false);
  });
});
