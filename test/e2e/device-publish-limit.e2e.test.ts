/**
 * Issue 17's flood, on the real pipeline: one device publishing as fast as it can is held to the
 * default per-device limit at the broker (DEVICE_PUBLISH_LIMIT), and another tenant's readings
 * all pass. The test stack's broker runs with a raised limit (its tests fast-forward history), so
 * this file starts a broker of its own, configured as in production, and runs ingest and the
 * writer against it, with the stack's Kafka and InfluxDB.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_PUBLISH_LIMIT } from '@meterline/contracts';
import { freePort, stackBroker, type MosquittoDynsecHandle } from '@meterline/local-stack';
import { Fleet, connectFleet, fleetManifest, type FleetConnection, type PlannedPayload } from '@meterline/simulator';
import { stackEnv } from '../harness/stack-env.ts';
import { createPipeline, devicePassword, type Pipeline } from '../harness/pipeline.ts';
import { QUARTER_HOUR, storedReadings } from '../harness/scenario.ts';

const T0 = Date.UTC(2026, 5, 1);
/** MQTT 5 reason code of a refused publish (§2.4): the only one the broker's message plugin can give. */
const NOT_AUTHORIZED = 0x87;
const POLL = { timeout: 60_000, interval: 500 };

describe('the default per-device publish limit, on a broker configured as in production, ingest running', () => {
  let dir: string;
  let broker: MosquittoDynsecHandle;
  let pipeline: Pipeline;
  let fleet: Fleet;
  let devices: FleetConnection | undefined;

  beforeAll(async () => {
    const { stack, native } = stackEnv();
    if (!native) throw new Error('this test starts a broker of its own: it needs the native stack');
    dir = await mkdtemp(join(tmpdir(), 'meterline-limit-broker-'));
    const port = await freePort();
    broker = stackBroker({ dir: join(dir, 'mosquitto'), port });
    await broker.start();
    pipeline = await createPipeline(
      { stack: { ...stack, mqtt: { ...stack.mqtt, url: broker.url, port } }, native: { baseDir: dir, ports: { ...native.ports, mqtt: port } } },
      fleetManifest({ enterprises: 2, devicesPerEnterprise: 1, pointsPerDevice: 1, prefix: 'e2e-limit' }),
      { ingestConnections: 2 },
    );
    await pipeline.writer.start();
    await pipeline.ingest.start();
    fleet = new Fleet(pipeline.manifest, { seed: 17 });
  });
  afterAll(async () => {
    await devices?.close();
    await pipeline?.close();
    await broker?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** The broker's answer to a QoS 1 publish: 'accepted', or the refusal's reason code. */
  const publish = async (payload: PlannedPayload) => {
    const outcome = await devices!.publish(payload);
    return outcome.accepted ? ('accepted' as const) : (outcome.reasonCode ?? outcome.refusal);
  };
  /** Device i's stored readings, as `<point>@<epoch ms>` (storedReadings' keys). */
  const storedOf = async (i: number) => [...(await storedReadings(pipeline)).keys()].filter((key) => key.startsWith(`${fleet.devices[i]!.points[0]!.id}@`));

  it('a device publishing 1 000 payloads at once gets its burst through, stored once, the rest refused with 0x87 and never stored; the other tenant loses nothing', async () => {
    const ticks = Array.from({ length: 1_000 }, (_, k) => fleet.tick(T0 + k * QUARTER_HOUR, QUARTER_HOUR));
    const floodPayloads = ticks.map((payloads) => payloads.find((p) => p.deviceId === fleet.devices[0]!.id)!);
    const neighbourPayloads = ticks.slice(0, 30).map((payloads) => payloads.find((p) => p.deviceId === fleet.devices[1]!.id)!);
    devices = await connectFleet({ url: broker.url, deviceIds: fleet.devices.map((d) => d.id), password: devicePassword });

    const started = performance.now();
    const flooding = Promise.all(floodPayloads.map(publish));
    const neighbourOutcomes = [];
    for (const payload of neighbourPayloads) neighbourOutcomes.push(await publish(payload));
    const flooded = await flooding;
    const seconds = (performance.now() - started) / 1000;

    expect(neighbourOutcomes.every((o) => o === 'accepted')).toBe(true);
    const accepted = flooded.filter((o) => o === 'accepted').length;
    expect(flooded.filter((o) => o !== 'accepted').every((o) => o === NOT_AUTHORIZED)).toBe(true);
    // The burst, plus what the bucket refilled while the publishes went through.
    expect(accepted).toBeGreaterThanOrEqual(DEVICE_PUBLISH_LIMIT.messageBurst);
    expect(accepted).toBeLessThanOrEqual(DEVICE_PUBLISH_LIMIT.messageBurst + Math.ceil(DEVICE_PUBLISH_LIMIT.messagesPerSecond * seconds) + 1);

    await expect.poll(async () => (await storedOf(1)).length, POLL).toBe(neighbourPayloads.length);
    const acceptedKeys = floodPayloads.flatMap((payload, k) => (flooded[k] === 'accepted' ? payload.readings.map((r) => `${r.point}@${Date.parse(r.ts)}`) : []));
    await expect.poll(async () => (await storedOf(0)).length, POLL).toBe(acceptedKeys.length);
    expect((await storedOf(0)).sort()).toEqual(acceptedKeys.sort());
    expect(await pipeline.deadLetters()).toEqual([]);
  });
});
