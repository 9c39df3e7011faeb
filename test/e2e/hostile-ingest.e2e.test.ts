/**
 * Issue 13, "the edge is a trust boundary": what a hostile or broken device did to the real
 * stack, one test per defect of ingest's part (1, 5, 6, 7, 8, 10, 12). Each publishes as a
 * device account would with mosquitto_pub (mqtt.js, MQTT 5, QoS 1) and checks what became
 * of it: stored, or dead-lettered with a reason, and nothing held up behind it.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readingsTopic, type DeadLetter } from '@meterline/contracts';
import { READING_FIELDS, READING_TAGS, READINGS_MEASUREMENT } from '@meterline/series';
import { freePorts } from '@meterline/local-stack';
import { fleetManifest } from '@meterline/simulator';
import { createPipeline, devicePassword, type Pipeline } from '../harness/pipeline.ts';
import { storedReadings } from '../harness/scenario.ts';
import { serviceProcess, type ServiceProcess } from '../harness/service-process.ts';
import { stackEnv } from '../harness/stack-env.ts';

const PREFIX = 'e2e-hostile';
const ENTERPRISE = `${PREFIX}-e0`;
const device = (d: number) => `${ENTERPRISE}-d${d}`;
const point = (d: number, p: number) => `${ENTERPRISE}-d${d}-p${p}`;
/** Ingest's keep-alive here: short, so a paused broker makes ingest's connections time out within seconds. */
const KEEPALIVE_SECONDS = 3;
const POLL = { timeout: 60_000, interval: 500 };

let pipeline: Pipeline;
let seq = 0;
let minute = 0;

beforeAll(async () => {
  pipeline = await createPipeline(stackEnv(), fleetManifest({ enterprises: 1, devicesPerEnterprise: 3, pointsPerDevice: 2, prefix: PREFIX }), {
    ingestEnv: { MTL_MQTT_KEEPALIVE_SECONDS: String(KEEPALIVE_SECONDS) },
  });
  await pipeline.writer.start();
  await pipeline.ingest.start();
});
afterAll(async () => {
  await pipeline?.close();
});

/** A distinct recent instant per call (whole minutes in the last day), so readings never collide. */
const recentTs = () => new Date(Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000 - ++minute * 60_000).toISOString();
const reading = (pointId: string, ts: string, value: unknown = 1_000, unit = 'kWh') => ({ point: pointId, ts, quantity: 'active-energy-import', value, unit });
const payload = (deviceId: string, readings: unknown[]) => Buffer.from(JSON.stringify({ v: 1, deviceId, seq: ++seq, readings }));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Publishes as the device (its own account and client id), QoS 1; the broker's answer. */
async function publishAs(deviceId: string, bytes: Buffer | string, topic = readingsTopic(deviceId)): Promise<{ accepted: boolean; refusal?: string }> {
  const client = await mqtt.connectAsync(inject('stack').mqtt.url, {
    protocolVersion: 5,
    clientId: deviceId,
    username: deviceId,
    password: devicePassword(deviceId),
    reconnectPeriod: 0,
    connectTimeout: 10_000,
  });
  // A broker refusing an oversized packet ends the connection instead of answering: mqtt.js then keeps
  // the publish for a reconnect that never comes (reconnectPeriod 0), so the close is the answer.
  const closed = new Promise<{ accepted: false; refusal: string }>((resolve) =>
    client.once('close', () => resolve({ accepted: false, refusal: 'the broker closed the connection' })),
  );
  const answered = client.publishAsync(topic, bytes, { qos: 1 }).then(
    () => ({ accepted: true }) as const,
    (error: unknown) => ({ accepted: false, refusal: (error as Error).message }) as const,
  );
  try {
    return await Promise.race([answered, closed]);
  } finally {
    await client.endAsync(true);
  }
}

const lettersOf = async (bytes: Buffer): Promise<DeadLetter[]> => (await pipeline.deadLetters()).filter((l) => l.original.sha256 === sha256(bytes));
const isStored = async (pointId: string, ts: string) => (await storedReadings(pipeline)).has(`${pointId}@${Date.parse(ts)}`);

/** A valid reading published after a fault: stored means nothing is held up behind the fault. */
async function expectPipelineFlows(deviceId: string, pointId: string) {
  const ts = recentTs();
  expect(await publishAs(deviceId, payload(deviceId, [reading(pointId, ts)]))).toEqual({ accepted: true });
  await expect.poll(() => isStored(pointId, ts), POLL).toBe(true);
  await expect.poll(async () => (await pipeline.ingest.health())?.status, POLL).toBe(200);
}

describe('hostile device, against the real broker and stack (issue 13)', () => {
  it('defect 1: a 1 MB payload is dead-lettered with an excerpt, its size and digest, and does not stop ingest', async () => {
    // A valid payload padded with spaces to 1 MB, as in the report.
    const bytes = Buffer.concat([payload(device(0), [reading(point(0, 0), recentTs())]), Buffer.alloc(1_000_000, 0x20)]);
    const outcome = await publishAs(device(0), bytes);
    if (outcome.accepted) {
      await expect.poll(async () => (await lettersOf(bytes)).length, POLL).toBeGreaterThanOrEqual(1);
      const [letter] = await lettersOf(bytes);
      expect(letter).toMatchObject({ stage: 'ingest', reason: 'PAYLOAD_TOO_LARGE', topicDeviceId: device(0), original: { bytes: bytes.length, truncated: true } });
      const excerpt = Buffer.from(letter!.original.excerptBase64, 'base64');
      expect(excerpt.length).toBeLessThan(bytes.length);
      expect(bytes.subarray(0, excerpt.length).equals(excerpt)).toBe(true);
    } else {
      // A broker with a maximum packet size at the payload limit refuses it itself (MQTT 5 reason
      // 149, or by closing the connection): nothing of it reaches ingest.
      expect(outcome.refusal).toBeDefined();
    }
    await expectPipelineFlows(device(1), point(1, 0));
  });

  it('defect 5: readings from 1970, 1600 and 0000 are refused with their reason, and none is stored', async () => {
    const valid = recentTs();
    const ancient = ['1970-01-01T00:00:00Z', '1600-06-01T00:00:00Z', '0000-01-01T00:00:00Z'];
    const bytes = payload(device(1), [...ancient.map((ts) => reading(point(1, 1), ts)), reading(point(1, 1), valid)]);
    expect(await publishAs(device(1), bytes)).toEqual({ accepted: true });
    await expect.poll(async () => (await lettersOf(bytes)).length, POLL).toBeGreaterThanOrEqual(1);
    const [letter] = await lettersOf(bytes);
    // The fleet's points were calibrated from 2024-01-01 (Asia/Shanghai), after the default horizon.
    expect(letter?.refusals).toEqual(ancient.map((ts, index) => ({ index, reason: 'TIMESTAMP_BEFORE_COMMISSIONING', path: `/readings/${index}/ts`, detail: expect.stringContaining(ts) as unknown })));
    expect(letter?.admittedReadings).toBe(1);
    await expect.poll(() => isStored(point(1, 1), valid), POLL).toBe(true);
    const old = await pipeline.store.influxQl(`SELECT count("${READING_FIELDS.value}") FROM "${READINGS_MEASUREMENT}" WHERE "${READING_TAGS.point}" = '${point(1, 1)}' AND time < '2000-01-01T00:00:00Z'`);
    expect(old).toEqual([]);
  });

  it('defect 6: 1 000 refused readings make one bounded dead letter listing each, not 1 000 copies of the payload', async () => {
    // Readings of another device's point, padded to about the size in the report (127 KB).
    const readings = Array.from({ length: 1_000 }, (_, i) => ({ ...reading(point(1, 0), recentTs(), i), quality: 'good' }));
    const bytes = payload(device(0), readings);
    expect(await publishAs(device(0), bytes)).toEqual({ accepted: true });
    await expect.poll(async () => (await lettersOf(bytes)).length, POLL).toBeGreaterThanOrEqual(1);
    const letters = await lettersOf(bytes);
    // At-least-once may repeat the record after a redelivery, never split it per reading.
    expect(new Set(letters.map((l) => JSON.stringify(l.refusals)))).toHaveProperty('size', 1);
    const [letter] = letters;
    expect(letter?.refusals?.map((r) => r.index)).toEqual(readings.map((_, i) => i));
    expect(new Set(letter?.refusals?.map((r) => r.reason))).toEqual(new Set(['POINT_NOT_AUTHORISED']));
    // What Kafka holds for the payload is of the payload's order, not a thousand times it.
    expect(JSON.stringify(letter).length).toBeLessThan(2 * bytes.length);
  });

  it('defect 7: 1e306 MWh is refused by ingest as not finite in the point’s unit, with the device’s bytes', async () => {
    const bytes = payload(device(2), [reading(point(2, 0), recentTs(), 1e306, 'MWh')]);
    expect(await publishAs(device(2), bytes)).toEqual({ accepted: true });
    await expect.poll(async () => (await lettersOf(bytes)).length, POLL).toBeGreaterThanOrEqual(1);
    const [letter] = await lettersOf(bytes);
    expect(letter).toMatchObject({ stage: 'ingest', reason: 'VALUE_NOT_FINITE', path: '/readings/0/value', original: { truncated: false } });
    expect(Buffer.from(letter!.original.excerptBase64, 'base64').equals(bytes)).toBe(true);
    // Nothing reached the writer to be refused there as unreadable.
    await expectPipelineFlows(device(2), point(2, 0));
    expect((await pipeline.deadLetters()).filter((l) => l.stage === 'writer')).toEqual([]);
  });

  it('defect 8: a payload repeating a member name (deviceId, value) is refused as a whole, and nothing of it stored', async () => {
    const ts = recentTs();
    // deviceId first names another device, then its own: JSON.parse keeps the last one.
    const text = `{"v":1,"deviceId":"${device(1)}","seq":${++seq},"deviceId":"${device(2)}","readings":[{"point":"${point(2, 1)}","ts":"${ts}","quantity":"active-energy-import","value":1,"unit":"kWh","value":2}]}`;
    const bytes = Buffer.from(text);
    expect(await publishAs(device(2), bytes)).toEqual({ accepted: true });
    await expect.poll(async () => (await lettersOf(bytes)).length, POLL).toBeGreaterThanOrEqual(1);
    const [letter] = await lettersOf(bytes);
    expect(letter).toMatchObject({ stage: 'ingest', reason: 'DUPLICATE_KEY', path: '/deviceId' });
    expect(letter?.refusals).toBeUndefined();
    await expectPipelineFlows(device(2), point(2, 1));
    expect(await isStored(point(2, 1), ts)).toBe(false);
  });

  it('a payload nested as deep as its size allows is dead-lettered with its reason, a repeat at the bottom found, and ingest goes on', async () => {
    // JSON.parse takes any depth; every check after it must too (a recursive walk would overflow the stack).
    const arrays = Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    const objects = Buffer.from(`${'{"x":'.repeat(20_000)}{"a":1,"a":2}${'}'.repeat(20_000)}`);
    expect(await publishAs(device(0), arrays)).toEqual({ accepted: true });
    expect(await publishAs(device(0), objects)).toEqual({ accepted: true });
    await expect.poll(async () => (await lettersOf(arrays)).length + (await lettersOf(objects)).length, POLL).toBeGreaterThanOrEqual(2);
    expect((await lettersOf(arrays))[0]).toMatchObject({ stage: 'ingest', reason: 'SCHEMA_INVALID' });
    expect((await lettersOf(objects))[0]).toMatchObject({ stage: 'ingest', reason: 'DUPLICATE_KEY' });
    await expectPipelineFlows(device(0), point(0, 1));
  });

  describe('defect 12: the API and an absurd time range', () => {
    let api: ServiceProcess;
    let baseUrl: string;
    const secret = 'hostile-e2e-admin-secret';
    beforeAll(async () => {
      const keysFile = join(pipeline.workDir, 'api-keys.yaml');
      await writeFile(keysFile, stringify({ version: 1, keys: [{ id: 'hostile-admin', sha256: createHash('sha256').update(secret).digest('hex'), role: 'admin' }] }));
      const [port] = (await freePorts(1)) as [number];
      baseUrl = `http://127.0.0.1:${port}`;
      const { stack } = stackEnv();
      api = serviceProcess(
        'api',
        {
          MTL_INFLUX_URL: stack.influx.url,
          MTL_INFLUX_TOKEN: stack.influx.token,
          MTL_INFLUX_DATABASE: pipeline.database,
          MTL_REGISTRY_FILE: join(pipeline.workDir, 'registry.yaml'),
          MTL_API_KEYS_FILE: keysFile,
          MTL_PORT: String(port),
          MTL_LOG_LEVEL: 'warn',
        },
        pipeline.workDir,
      );
      await api.start();
    });
    afterAll(async () => {
      await api?.stop();
    });

    it('answers from=0001-01-01 to=9999-12-31 with a 400 problem, not 503 "store unavailable"', async () => {
      const response = await fetch(`${baseUrl}/v1/enterprises/${ENTERPRISE}/points/${point(0, 0)}/readings?from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z`, {
        headers: { authorization: `Bearer ${secret}` },
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({ status: 400, errors: [{ in: 'query', pointer: '/from' }] });
    });
  });

  describe('defect 10: ingest restarts and broker stalls', () => {
    it('a new ingest given an oversized message left unacknowledged dead-letters it and goes on', async () => {
      await pipeline.ingest.stop();
      // Queued by the broker for ingest's persistent shared sessions while no ingest runs.
      const bytes = Buffer.concat([payload(device(0), [reading(point(0, 1), recentTs())]), Buffer.alloc(900_000, 0x20)]);
      const outcome = await publishAs(device(0), bytes);
      const ts = recentTs();
      expect(await publishAs(device(1), payload(device(1), [reading(point(1, 0), ts)]))).toEqual({ accepted: true });
      await pipeline.ingest.start();
      if (outcome.accepted) {
        await expect.poll(async () => (await lettersOf(bytes)).map((l) => l.reason), POLL).toContain('PAYLOAD_TOO_LARGE');
      }
      await expect.poll(() => isStored(point(1, 0), ts), POLL).toBe(true);
      await expect.poll(async () => (await pipeline.ingest.health())?.status, POLL).toBe(200);
    });

    it('ingest survives a keep-alive timeout (the broker paused), reconnects and reports its health truthfully', async () => {
      const brokerPid = await pipeline.broker.runningPid();
      expect(brokerPid).toBeDefined();
      const ingestPid = pipeline.ingest.pid();
      process.kill(brokerPid!, 'SIGSTOP');
      try {
        // Past 1.5 keep-alives with nothing heard, ingest drops the connection and makes it again.
        await new Promise((r) => setTimeout(r, (KEEPALIVE_SECONDS * 1.5 + 4) * 1_000));
        const during = await pipeline.ingest.health();
        expect(during?.status).toBe(503);
      } finally {
        process.kill(brokerPid!, 'SIGCONT');
      }
      // The timeout did happen (ingest's log says so), and ingest lived through it.
      expect(await readFile(pipeline.ingest.logFile, 'utf8')).toContain('nothing heard from the broker');
      expect(pipeline.ingest.pid()).toBe(ingestPid);
      await expectPipelineFlows(device(2), point(2, 0));
      expect(pipeline.ingest.pid()).toBe(ingestPid);
    });
  });

  describe('defect 1, the general case: a record Kafka refuses as too large', () => {
    // A dead-letter topic whose records may not exceed 16 KiB (max.message.bytes): a dead letter
    // listing 300 refused readings is larger, the RECORD_TOO_LARGE one that replaces it is not.
    // Last in the file: a pipeline's device accounts replace the previous pipeline's on the broker.
    let small: Pipeline;
    beforeAll(async () => {
      small = await createPipeline(stackEnv(), fleetManifest({ enterprises: 1, devicesPerEnterprise: 2, pointsPerDevice: 1, prefix: `${PREFIX}-small` }), {
        deadLetterTopicConfigs: { 'max.message.bytes': String(16 * 1_024) },
      });
      await small.writer.start();
      await small.ingest.start();
    });
    afterAll(async () => {
      await small?.close();
    });

    it('is replaced by a small dead letter of its payload, never retried, and the payloads sent with it go on', async () => {
      const [d0, d1] = [`${PREFIX}-small-e0-d0`, `${PREFIX}-small-e0-d1`];
      const bytes = payload(d0, Array.from({ length: 300 }, () => reading(`${PREFIX}-small-e0-d1-p0`, recentTs())));
      const ts = recentTs();
      const [refused, valid] = await Promise.all([publishAs(d0, bytes), publishAs(d1, payload(d1, [reading(`${PREFIX}-small-e0-d1-p0`, ts)]))]);
      expect([refused, valid]).toEqual([{ accepted: true }, { accepted: true }]);
      await expect.poll(async () => (await small.deadLetters()).filter((l) => l.original.sha256 === sha256(bytes)).map((l) => l.reason), POLL).toContain('RECORD_TOO_LARGE');
      await expect.poll(async () => (await storedReadings(small)).has(`${PREFIX}-small-e0-d1-p0@${Date.parse(ts)}`), POLL).toBe(true);
      expect((await small.ingest.health())?.status).toBe(200);
      const [letter] = (await small.deadLetters()).filter((l) => l.original.sha256 === sha256(bytes));
      expect(letter).toMatchObject({ stage: 'ingest', topicDeviceId: d0, original: { bytes: bytes.length } });
    });
  });
});
