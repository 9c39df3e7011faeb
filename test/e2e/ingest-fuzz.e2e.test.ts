/**
 * Issue 13: a property-based fuzzer of the edge. fast-check generates payloads — valid ones,
 * ones with refused readings among admitted ones, refused ones, and arbitrary JSON and bytes
 * — which devices publish to the real broker. Afterwards every payload must be accounted for:
 * each reading of a valid one stored with its value; every other payload dead-lettered once
 * (by its digest) with a reason, listing exactly the readings refused; the counts adding up;
 * and ingest healthy and still accepting a valid payload.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DeadLetterReason, readingsTopic, type DeadLetter } from '@meterline/contracts';
import { fleetManifest } from '@meterline/simulator';
import { createPipeline, devicePassword, type Pipeline } from '../harness/pipeline.ts';
import { storedReadings } from '../harness/scenario.ts';
import { stackEnv } from '../harness/stack-env.ts';

const PAYLOADS = 2_000;
const SEED = Number(process.env['MTL_FUZZ_SEED'] ?? 20_261_202);
const PREFIX = 'e2e-fuzz-edge';
const DEVICES = 4;
const POINTS = 3;
const REGISTER_MAX = 100_000_000; // the fleet manifest's register size (kWh)
const device = (d: number) => `${PREFIX}-e0-d${d}`;
const point = (d: number, p: number) => `${PREFIX}-e0-d${d}-p${p}`;
const KNOWN_REASONS = new Set(DeadLetterReason.anyOf.map((r) => r.const));

/** What a payload must become, known from how it was made (not from ingest's code). */
type Expected =
  | { kind: 'stored'; readings: { key: string; kWh: number }[] }
  | { kind: 'partly'; readings: { key: string; kWh: number }[]; refused: { index: number; reason: string }[] }
  | { kind: 'refused'; reason?: string };

interface Planned {
  deviceId: string;
  bytes: Buffer;
  expected: Expected;
}

let pipeline: Pipeline;
let clock = Date.now() - 10 * 86_400_000;
/** A fresh whole-minute instant per valid reading, so no two readings share a point and instant. */
const nextTs = () => new Date((clock = Math.floor(clock / 60_000) * 60_000 + 60_000)).toISOString();

beforeAll(async () => {
  pipeline = await createPipeline(stackEnv(), fleetManifest({ enterprises: 1, devicesPerEnterprise: DEVICES, pointsPerDevice: POINTS, prefix: PREFIX }));
  await pipeline.writer.start();
  await pipeline.ingest.start();
});
afterAll(async () => {
  await pipeline?.close();
});

// Reading-level faults, each with the reason the device guide gives for it.
const FAULTS = {
  foreignPoint: 'POINT_NOT_AUTHORISED',
  wrongQuantity: 'QUANTITY_MISMATCH',
  wrongUnit: 'UNIT_MISMATCH',
  negative: 'VALUE_NEGATIVE',
  overflow: 'VALUE_NOT_FINITE',
  beyondRegister: 'VALUE_OUT_OF_RANGE',
  ancient: 'TIMESTAMP_BEFORE_COMMISSIONING',
  future: 'TIMESTAMP_IN_FUTURE',
  notADate: 'TIMESTAMP_INVALID',
} as const;
type Fault = keyof typeof FAULTS;

const goodReading = fc.record({ p: fc.integer({ min: 0, max: POINTS - 1 }), value: fc.double({ min: 0, max: REGISTER_MAX / 1_000 - 1, noNaN: true }).map(Math.abs), mwh: fc.boolean() });
const badReading = fc.record({ fault: fc.constantFrom(...(Object.keys(FAULTS) as Fault[])), p: fc.integer({ min: 0, max: POINTS - 1 }) });

function readingOf(d: number, spec: { p: number; value: number; mwh: boolean }) {
  const ts = nextTs();
  // A value in MWh is stored in the point's kWh.
  const reading = { point: point(d, spec.p), ts, quantity: 'active-energy-import', value: spec.mwh ? spec.value / 1_000 : spec.value, unit: spec.mwh ? 'MWh' : 'kWh' };
  return { reading, stored: { key: `${reading.point}@${Date.parse(ts)}`, kWh: spec.value } };
}

function faultyReading(d: number, fault: Fault, p: number): Record<string, unknown> {
  const base = { point: point(d, p), ts: nextTs(), quantity: 'active-energy-import', value: 10, unit: 'kWh' };
  switch (fault) {
    case 'foreignPoint':
      return { ...base, point: point((d + 1) % DEVICES, p) };
    case 'wrongQuantity':
      return { ...base, quantity: 'active-energy-export' };
    case 'wrongUnit':
      return { ...base, unit: 'Nm3' };
    case 'negative':
      return { ...base, value: -1 };
    case 'overflow':
      return { ...base, value: 1e306, unit: 'MWh' };
    case 'beyondRegister':
      return { ...base, value: REGISTER_MAX };
    case 'ancient':
      return { ...base, ts: '1970-01-01T00:00:00Z' };
    case 'future':
      return { ...base, ts: new Date(Date.now() + 86_400_000).toISOString() };
    case 'notADate':
      return { ...base, ts: '2026-02-30T08:00:00+08:00' };
  }
}

let seq = 0;
const envelope = (deviceId: string, readings: unknown[]) => ({ v: 1, deviceId, seq: ++seq, readings });

/** The generator: a kind of payload, then its parts. */
const plannedPayload: fc.Arbitrary<() => Planned> = fc.oneof(
  // Valid: every reading stored.
  { weight: 4, arbitrary: fc.tuple(fc.integer({ min: 0, max: DEVICES - 1 }), fc.array(goodReading, { minLength: 1, maxLength: 5 })).map(([d, specs]) => (): Planned => {
    const made = specs.map((s) => readingOf(d, s));
    return { deviceId: device(d), bytes: Buffer.from(JSON.stringify(envelope(device(d), made.map((m) => m.reading)))), expected: { kind: 'stored', readings: made.map((m) => m.stored) } };
  }) },
  // Refused readings among admitted ones, in any order.
  { weight: 3, arbitrary: fc.tuple(fc.integer({ min: 0, max: DEVICES - 1 }), fc.array(fc.oneof(goodReading.map((g) => ({ good: g })), badReading.map((b) => ({ bad: b }))), { minLength: 1, maxLength: 6 })).map(([d, parts]) => (): Planned => {
    const readings: unknown[] = [];
    const stored: { key: string; kWh: number }[] = [];
    const refused: { index: number; reason: string }[] = [];
    parts.forEach((part, index) => {
      if ('good' in part) {
        const made = readingOf(d, part.good);
        readings.push(made.reading);
        stored.push(made.stored);
      } else {
        readings.push(faultyReading(d, part.bad.fault, part.bad.p));
        refused.push({ index, reason: FAULTS[part.bad.fault] });
      }
    });
    const expected: Expected = refused.length === 0 ? { kind: 'stored', readings: stored } : { kind: 'partly', readings: stored, refused };
    return { deviceId: device(d), bytes: Buffer.from(JSON.stringify(envelope(device(d), readings))), expected };
  }) },
  // Refused as a whole, for a known reason (an oversized one is the hostile suite's: the broker may refuse it first).
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 0, max: DEVICES - 1 }), fc.constantFrom('duplicateKey', 'otherDevice', 'unknownField', 'noReadings', 'notJson')).map(([d, how]) => (): Planned => {
    const own = device(d);
    const ts = nextTs();
    const one = `{"point":"${point(d, 0)}","ts":"${ts}","quantity":"active-energy-import","value":1,"unit":"kWh"}`;
    const cases: Record<string, [string, string]> = {
      duplicateKey: [`{"v":1,"deviceId":"${device((d + 1) % DEVICES)}","seq":${++seq},"deviceId":"${own}","readings":[${one}]}`, 'DUPLICATE_KEY'],
      otherDevice: [JSON.stringify(envelope(device((d + 1) % DEVICES), [JSON.parse(one)])), 'DEVICE_MISMATCH'],
      unknownField: [JSON.stringify({ ...envelope(own, [JSON.parse(one)]), extra: true }), 'SCHEMA_INVALID'],
      noReadings: [JSON.stringify(envelope(own, [])), 'SCHEMA_INVALID'],
      notJson: [`{"v":1,"deviceId":"${own}",`, 'MALFORMED_JSON'],
    };
    const [text, reason] = cases[how]!;
    return { deviceId: own, bytes: Buffer.from(text), expected: { kind: 'refused', reason } };
  }) },
  // Arbitrary JSON, and arbitrary bytes: never a valid payload, so refused (for whichever reason).
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: DEVICES - 1 }), fc.oneof(fc.json({ maxDepth: 4 }).map((t) => Buffer.from(t)), fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a)))).map(([d, bytes]) => (): Planned => ({
    deviceId: device(d),
    bytes,
    expected: { kind: 'refused' },
  })) },
);

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('fuzzing the edge (issue 13)', () => {
  it(`accounts for each of ${PAYLOADS} generated payloads: stored, or dead-lettered once with a reason`, async () => {
    const planned = fc.sample(plannedPayload, { numRuns: PAYLOADS, seed: SEED }).map((make) => make());
    // One connection per device, authenticated as the device, as a fleet would be.
    const clients = await Promise.all(
      Array.from({ length: DEVICES }, (_, d) =>
        mqtt.connectAsync(inject('stack').mqtt.url, { protocolVersion: 5, clientId: device(d), username: device(d), password: devicePassword(device(d)), reconnectPeriod: 1_000 }),
      ),
    );
    const refusedByBroker: string[] = [];
    // connectAsync drops its 'error' listener once connected: keep one, or a connection error would end the test process.
    for (const client of clients) client.on('error', (error) => refusedByBroker.push(`connection: ${error.message}`));
    try {
      let next = 0;
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          while (next < planned.length) {
            const p = planned[next++]!;
            const client = clients[Number(p.deviceId.slice(-1))]!;
            await client.publishAsync(readingsTopic(p.deviceId), p.bytes, { qos: 1 }).catch((error: unknown) => refusedByBroker.push((error as Error).message));
          }
        }),
      );
    } finally {
      await Promise.all(clients.map((c) => c.endAsync()));
    }
    expect(refusedByBroker).toEqual([]);

    const expectedStored = new Map(planned.flatMap((p) => (p.expected.kind === 'refused' ? [] : p.expected.readings.map((r) => [r.key, r.kWh] as const))));
    // By device and digest: arbitrary inputs may repeat ("null" from two devices); a repeat is dead-lettered again.
    const letterKey = (deviceId: string | undefined, digest: string) => `${deviceId ?? '?'}/${digest}`;
    const expectedLetters = new Map(planned.filter((p) => p.expected.kind !== 'stored').map((p) => [letterKey(p.deviceId, sha256(p.bytes)), p]));
    await expect.poll(async () => (await storedReadings(pipeline)).size, { timeout: 240_000, interval: 2_000 }).toBe(expectedStored.size);
    await expect.poll(async () => new Set((await pipeline.deadLetters()).map((l) => letterKey(l.topicDeviceId, l.original.sha256))).size, { timeout: 120_000, interval: 2_000 }).toBe(expectedLetters.size);

    const stored = await storedReadings(pipeline);
    for (const [key, kWh] of expectedStored) expect(stored.get(key), key).toBeCloseTo(kWh, 6);

    const letters = new Map<string, DeadLetter>();
    for (const letter of await pipeline.deadLetters()) letters.set(letterKey(letter.topicDeviceId, letter.original.sha256), letter);
    expect([...letters.keys()].sort()).toEqual([...expectedLetters.keys()].sort());
    for (const [key, p] of expectedLetters) {
      const letter = letters.get(key)!;
      expect(KNOWN_REASONS.has(letter.reason), letter.reason).toBe(true);
      expect(letter).toMatchObject({ stage: 'ingest', topicDeviceId: p.deviceId, original: { bytes: p.bytes.length } });
      if (p.expected.kind === 'partly') {
        expect(letter.refusals?.map((r) => ({ index: r.index, reason: r.reason }))).toEqual(p.expected.refused);
        // The counts add up: each reading of the payload admitted or refused, none both.
        expect(letter.admittedReadings).toBe(p.expected.readings.length);
      } else if (p.expected.kind === 'refused') {
        expect(letter.refusals).toBeUndefined();
        if (p.expected.reason) expect(letter.reason).toBe(p.expected.reason);
      }
    }
    const publishedReadings = planned.reduce((n, p) => n + (p.expected.kind === 'refused' ? 0 : p.expected.readings.length + (p.expected.kind === 'partly' ? p.expected.refused.length : 0)), 0);
    const refusedReadings = [...expectedLetters.values()].reduce((n, p) => n + (p.expected.kind === 'partly' ? p.expected.refused.length : 0), 0);
    expect(stored.size + refusedReadings).toBe(publishedReadings);

    // Still healthy, still admitting.
    expect((await pipeline.ingest.health())?.status).toBe(200);
    const client = await mqtt.connectAsync(inject('stack').mqtt.url, { protocolVersion: 5, clientId: device(0), username: device(0), password: devicePassword(device(0)), reconnectPeriod: 0 });
    const ts = nextTs();
    await client.publishAsync(readingsTopic(device(0)), Buffer.from(JSON.stringify(envelope(device(0), [{ point: point(0, 0), ts, quantity: 'active-energy-import', value: 7, unit: 'kWh' }]))), { qos: 1 });
    await client.endAsync();
    await expect.poll(async () => (await storedReadings(pipeline)).get(`${point(0, 0)}@${Date.parse(ts)}`), { timeout: 60_000, interval: 1_000 }).toBe(7);
  });
});
