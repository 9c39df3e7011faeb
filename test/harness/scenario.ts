import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { Fleet, connectFleet, type PayloadFault, type PlannedPayload, type PublishOutcome } from '@meterline/simulator';
import type { DeadLetterReason } from '@meterline/contracts';
import { READING_FIELDS, READING_TAGS, READINGS_MEASUREMENT } from '@meterline/series';
import { devicePassword, type Pipeline } from './pipeline.ts';

export const QUARTER_HOUR = 900_000;
export const START_MS = Date.UTC(2026, 1, 28, 16, 0); // 2026-03-01 00:00 in Asia/Shanghai

export interface ScenarioOptions {
  ticks: number;
  /** Every n-th device in a tick sends one faulty payload as well (cycling through the faults). */
  faultyEvery: number;
  /** Pause between ticks, to stretch the stream over the fault being injected. */
  pauseMs: number;
  /** Called before each tick; awaited, so a fault can be injected at a chosen point of the stream. */
  beforeTick?: (tick: number) => Promise<void> | void;
}

export interface ScenarioResult {
  outcomes: PublishOutcome[];
  /** `${point}@${tsMs}` → value of every reading the pipeline must store. */
  expectedStored: Map<string, number>;
  /** The faulty payloads the pipeline must dead-letter. */
  faulty: PlannedPayload[];
  publishedReadings: number;
}

const FAULTS: PayloadFault[] = ['malformed-json', 'schema-invalid', 'unauthorised-point'];
const EXPECTED_REASON: Record<PayloadFault, DeadLetterReason> = {
  'malformed-json': 'MALFORMED_JSON',
  'schema-invalid': 'SCHEMA_INVALID',
  'unauthorised-point': 'POINT_NOT_AUTHORISED',
};

/** Drives the simulator's fleet through the pipeline's broker and records what was published. */
export async function publishScenario(pipeline: Pipeline, options: ScenarioOptions): Promise<ScenarioResult> {
  const fleet = new Fleet(pipeline.manifest, { seed: 42 });
  const deviceIds = fleet.devices.map((d) => d.id);
  const connection = await connectFleet({ url: pipeline.broker.url, deviceIds, password: devicePassword });
  const outcomes: PublishOutcome[] = [];
  const expectedStored = new Map<string, number>();
  const faulty: PlannedPayload[] = [];
  let publishedReadings = 0;
  let faultCount = 0;
  try {
    for (let tick = 0; tick < options.ticks; tick++) {
      await options.beforeTick?.(tick);
      const atMs = START_MS + tick * QUARTER_HOUR;
      const planned = fleet.tick(atMs, QUARTER_HOUR);
      fleet.devices.forEach((device, i) => {
        if ((i + tick) % options.faultyEvery !== 0) return;
        const fault = FAULTS[faultCount++ % FAULTS.length]!;
        const foreign = fleet.devices[(i + 1) % fleet.devices.length]!.points[0]!.id;
        planned.push(fleet.faulty(device.id, fault, atMs, foreign));
      });
      const results = await Promise.all(planned.map((p) => connection.publish(p)));
      for (const result of results) {
        outcomes.push(result);
        if (!result.accepted) continue;
        publishedReadings += result.payload.readings.length;
        if (result.payload.fault) faulty.push(result.payload);
        else for (const r of result.payload.readings) expectedStored.set(`${r.point}@${Date.parse(r.ts)}`, r.value);
      }
      if (options.pauseMs > 0) await new Promise((r) => setTimeout(r, options.pauseMs));
    }
  } finally {
    await connection.close();
  }
  return { outcomes, expectedStored, faulty, publishedReadings };
}

/** Everything the pipeline (or one of its InfluxDB replicas) stored, as `${point}@${tsMs}` → value; fails on a duplicate series point. */
export async function storedReadings(pipeline: Pick<Pipeline, 'store'>): Promise<Map<string, number>> {
  const series = await pipeline.store.influxQl(`SELECT "${READING_FIELDS.value}" FROM "${READINGS_MEASUREMENT}" GROUP BY "${READING_TAGS.point}"`);
  const stored = new Map<string, number>();
  for (const s of series) {
    for (const [time, value] of s.values) {
      const key = `${s.tags?.[READING_TAGS.point]}@${String(time)}`;
      if (stored.has(key)) throw new Error(`stored twice: ${key}`);
      stored.set(key, Number(value));
    }
  }
  return stored;
}

/**
 * The counting check: every valid reading stored exactly once with its value and
 * timestamp, every faulty payload dead-lettered with its reason, and the counts adding up.
 */
export async function expectEverythingAccountedFor(pipeline: Pipeline, result: ScenarioResult): Promise<void> {
  expect(result.outcomes.every((o) => o.accepted)).toBe(true);
  await expect.poll(async () => (await storedReadings(pipeline)).size, { timeout: 180_000, interval: 1_000 }).toBe(result.expectedStored.size);
  await expect.poll(async () => (await pipeline.deadLetters()).length, { timeout: 60_000, interval: 1_000 }).toBeGreaterThanOrEqual(result.faulty.length);
  const stored = await storedReadings(pipeline);
  expect(stored).toEqual(result.expectedStored);

  // At-least-once may dead-letter a redelivered payload twice: compare distinct payloads.
  const letters = await pipeline.deadLetters();
  const reasonByPayload = new Map(letters.map((l) => [l.original.sha256, l.reason]));
  const expectedReasons = new Map(result.faulty.map((p) => [createHash('sha256').update(p.bytes).digest('hex'), EXPECTED_REASON[p.fault!]]));
  expect(reasonByPayload).toEqual(expectedReasons);

  const faultyReadings = result.faulty.reduce((n, p) => n + p.readings.length, 0);
  expect(stored.size + faultyReadings).toBe(result.publishedReadings);
}
