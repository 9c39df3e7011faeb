import { afterEach, describe, expect, it } from 'vitest';
import { fleetManifest } from '@meterline/simulator';
import { stackEnv } from '../harness/stack-env.ts';
import { createPipeline, type Pipeline } from '../harness/pipeline.ts';
import { expectEverythingAccountedFor, publishScenario } from '../harness/scenario.ts';

// 50 devices × 10 points × 20 quarter-hours = 10 000 valid readings, plus faulty payloads.
const FLEET = { enterprises: 2, devicesPerEnterprise: 25, pointsPerDevice: 10 };

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

describe('meters → MQTT → ingest → Kafka → writer → InfluxDB', () => {
  it('stores every valid reading exactly once and dead-letters every faulty payload with its reason', async () => {
    pipeline = await createPipeline(stackEnv(), fleetManifest({ ...FLEET, prefix: 'e2e-base' }));
    await pipeline.writer.start();
    await pipeline.ingest.start();
    const result = await publishScenario(pipeline, { ticks: 20, faultyEvery: 25, pauseMs: 0 });
    expect(result.expectedStored.size).toBe(10_000);
    expect(result.faulty.length / result.outcomes.length).toBeGreaterThanOrEqual(0.01);
    await expectEverythingAccountedFor(pipeline, result);
  });
});
