import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readingsTopic } from '@meterline/contracts';
import { Fleet, connectFleet, fleetManifest } from '@meterline/simulator';
import { stackEnv } from '../harness/stack-env.ts';
import { createPipeline, devicePassword, type Pipeline } from '../harness/pipeline.ts';
import { storedReadings } from '../harness/scenario.ts';

const T0 = Date.UTC(2026, 2, 1);
let pipeline: Pipeline;
let fleet: Fleet;

beforeAll(async () => {
  pipeline = await createPipeline(stackEnv(), fleetManifest({ enterprises: 1, devicesPerEnterprise: 2, pointsPerDevice: 2, prefix: 'e2e-sec' }));
  await pipeline.writer.start();
  await pipeline.ingest.start();
  fleet = new Fleet(pipeline.manifest, { seed: 3 });
});
afterAll(async () => {
  await pipeline.close();
});

const connectError = (options: mqtt.IClientOptions) =>
  mqtt.connectAsync(inject('stack').mqtt.url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5_000, ...options }).then(
    async (client) => {
      await client.endAsync();
      return undefined;
    },
    (error: unknown) => error,
  );

describe('device security', () => {
  it('refuses an anonymous client', async () => {
    expect(await connectError({ clientId: 'anon' })).toMatchObject({ code: 135 });
  });

  it('refuses a device with a wrong password', async () => {
    expect(await connectError({ username: 'e2e-sec-e0-d0', password: 'guess' })).toMatchObject({ code: 135 });
  });

  it("refuses a device publishing on another device's topic, and nothing of it reaches the pipeline", async () => {
    const [own, other] = fleet.devices;
    const connection = await connectFleet({ url: inject('stack').mqtt.url, deviceIds: [own!.id], password: devicePassword });
    const payload = fleet.tick(T0, 900_000).find((p) => p.deviceId === own!.id)!;
    const outcome = await connection.publish(payload, readingsTopic(other!.id));
    await connection.close();
    expect(outcome.accepted).toBe(false);
    expect(outcome.refusal).toMatch(/not authori[sz]ed/i);
    // A legitimate payload afterwards proves the pipeline was running while the spoof was refused.
    const check = await connectFleet({ url: inject('stack').mqtt.url, deviceIds: [other!.id], password: devicePassword });
    const legit = fleet.tick(T0 + 900_000, 900_000).find((p) => p.deviceId === other!.id)!;
    expect((await check.publish(legit)).accepted).toBe(true);
    await check.close();
    await expect.poll(async () => (await storedReadings(pipeline)).size, { timeout: 30_000 }).toBe(legit.readings.length);
    const stored = await storedReadings(pipeline);
    expect([...stored.keys()].every((k) => k.startsWith(other!.id))).toBe(true);
    expect(await pipeline.deadLetters()).toEqual([]);
  });

  it('dead-letters a reading for a metering point that is not the device’s own, with that reason', async () => {
    const [own, other] = fleet.devices;
    const connection = await connectFleet({ url: inject('stack').mqtt.url, deviceIds: [own!.id], password: devicePassword });
    const payload = fleet.faulty(own!.id, 'unauthorised-point', T0, other!.points[0]!.id);
    expect((await connection.publish(payload)).accepted).toBe(true);
    await connection.close();
    await expect.poll(async () => (await pipeline.deadLetters()).length, { timeout: 30_000 }).toBe(1);
    const [letter] = await pipeline.deadLetters();
    expect(letter).toMatchObject({ stage: 'ingest', reason: 'POINT_NOT_AUTHORISED', topicDeviceId: own!.id, refusals: [{ index: 0, reason: 'POINT_NOT_AUTHORISED' }] });
    expect(letter!.detail).toContain(other!.points[0]!.id);
    expect(Buffer.from(letter!.original.excerptBase64, 'base64').equals(payload.bytes)).toBe(true);
  });
});
