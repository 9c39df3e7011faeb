import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { MqttReading } from '@meterline/contracts';
import { Fleet, fleetManifest } from '@meterline/simulator';
import { stackEnv } from '../harness/stack-env.ts';
import { createPipeline, devicePassword, type Pipeline } from '../harness/pipeline.ts';
import { storedReadings } from '../harness/scenario.ts';

// Issue 13, defect 4: a second, different value for a stored (point, instant) — in a later
// message, in the same message, or the same instant under another UTC offset — silently
// overwrote the first. On the real broker, ingest, Kafka, writer and InfluxDB.

const T0 = Date.UTC(2026, 2, 1, 0, 0);
let pipeline: Pipeline;
let device: mqtt.MqttClient;
let deviceId: string;
let readings: MqttReading[];
let seq = 100;

const publish = async (payload: object): Promise<void> => {
  // mqtt.js rejects a PUBACK with a failure reason code: resolving means the broker took it.
  await device.publishAsync(`meterline/v1/${deviceId}/readings`, JSON.stringify(payload), { qos: 1 });
};
const conflicts = async () => (await pipeline.deadLetters()).filter((l) => l.reason === 'READING_CONFLICT');
const key = (point: string, tsMs: number) => `${point}@${tsMs}`;

beforeAll(async () => {
  pipeline = await createPipeline(stackEnv(), fleetManifest({ enterprises: 1, devicesPerEnterprise: 1, pointsPerDevice: 3, prefix: 'e2e-fv' }));
  await pipeline.writer.start();
  await pipeline.ingest.start();
  const planned = new Fleet(pipeline.manifest, { seed: 5 }).tick(T0, 900_000)[0]!;
  deviceId = planned.deviceId;
  readings = planned.readings;
  device = await mqtt.connectAsync(inject('stack').mqtt.url, {
    protocolVersion: 5,
    clientId: deviceId,
    username: deviceId,
    password: devicePassword(deviceId),
    reconnectPeriod: 0,
  });
  await publish({ v: 1, deviceId, seq: seq++, readings });
  while ((await storedReadings(pipeline)).size < readings.length) await new Promise((resolve) => setTimeout(resolve, 500));
});
afterAll(async () => {
  await device?.endAsync();
  await pipeline?.close();
});

describe('the first stored value of a (point, instant) stands (issue 13, defect 4)', () => {
  it('dead-letters a different value in a later message with both values, and an identical repeat passes quietly', async () => {
    const before = await storedReadings(pipeline);
    const [first] = readings;
    await publish({ v: 1, deviceId, seq: seq++, readings: [{ ...first!, value: first!.value + 1000 }] });
    await publish({ v: 1, deviceId, seq: seq++, readings });
    await expect.poll(async () => (await conflicts()).length, { timeout: 60_000 }).toBe(1);
    const [letter] = await conflicts();
    expect(letter!.conflict).toMatchObject({ pointId: first!.point, standingValue: first!.value, standingFrom: 'stored', refusedValue: first!.value + 1000, refusedDeviceId: deviceId });
    // The repeat was published after the conflicting value: once the writer has caught up, nothing changed.
    await expect.poll(() => pipeline.writerLag(), { timeout: 60_000 }).toBe(0);
    expect(await storedReadings(pipeline)).toEqual(before);
    expect((await pipeline.deadLetters()).filter((l) => l.reason !== 'READING_CONFLICT')).toEqual([]);
  });

  it('keeps the first of two values for one instant within one message', async () => {
    const tsMs = T0 + 3_600_000;
    const ts = new Date(tsMs).toISOString();
    const [first] = readings;
    await publish({ v: 1, deviceId, seq: seq++, readings: [{ ...first!, ts, value: 500 }, { ...first!, ts, value: 501 }] });
    await expect.poll(async () => (await storedReadings(pipeline)).get(key(first!.point, tsMs)), { timeout: 60_000 }).toBe(500);
    await expect.poll(async () => (await conflicts()).filter((l) => l.conflict?.tsMs === tsMs).map((l) => l.conflict?.refusedValue), { timeout: 60_000 }).toEqual([501]);
  });

  it('treats the same instant under another UTC offset as the same instant', async () => {
    const tsMs = T0 + 7_200_000;
    const [, second] = readings;
    await publish({ v: 1, deviceId, seq: seq++, readings: [{ ...second!, ts: '2026-03-01T10:00:00+08:00', value: 700 }] });
    await expect.poll(async () => (await storedReadings(pipeline)).get(key(second!.point, tsMs)), { timeout: 60_000 }).toBe(700);
    await publish({ v: 1, deviceId, seq: seq++, readings: [{ ...second!, ts: '2026-03-01T02:00:00Z', value: 701 }] });
    await expect.poll(async () => (await conflicts()).filter((l) => l.conflict?.tsMs === tsMs).map((l) => l.conflict?.standingValue), { timeout: 60_000 }).toEqual([700]);
    expect((await storedReadings(pipeline)).get(key(second!.point, tsMs))).toBe(700);
  });
});
