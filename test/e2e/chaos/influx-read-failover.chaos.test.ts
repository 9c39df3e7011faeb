// Issue 18, ADR 0010: an InfluxDB replica fed from Kafka serves the API's reads of readings and
// figures while the primary is down, and catches the readings published meanwhile.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetManifest } from '@meterline/simulator';
import { aggregationTopics, aggregatorEnv, backfillProcess, storedFigures } from '../../harness/aggregation.ts';
import { apiProcess, type ApiUnderTest } from '../../harness/api-process.ts';
import { CHAOS_FLEET, startChaosStack, type ChaosStack } from '../../harness/chaos-stack.ts';
import { createPipeline, type Pipeline } from '../../harness/pipeline.ts';
import { QUARTER_HOUR, START_MS, expectEverythingAccountedFor, publishScenario, storedReadings } from '../../harness/scenario.ts';

const READINGS_PER_TICK = CHAOS_FLEET.enterprises * CHAOS_FLEET.devicesPerEnterprise * CHAOS_FLEET.pointsPerDevice;
const TICKS_BEFORE = 8;
const TICKS = 16;
const ADMIN = { id: 'chaos-admin', secret: 'chaos-failover-admin-secret', role: 'admin' } as const;

let chaos: ChaosStack;
let pipeline: Pipeline | undefined;
let api: ApiUnderTest | undefined;

beforeAll(async () => {
  chaos = await startChaosStack();
}, 300_000);

afterAll(async () => {
  await api?.process.stop();
  await pipeline?.close();
  await chaos?.stop();
}, 120_000);

async function getJson(path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${api!.url}${path}`, { headers: { authorization: `Bearer ${ADMIN.secret}` } });
  return { status: response.status, body: await response.json() };
}

describe('InfluxDB read failover (issue 18, ADR 0010)', () => {
  it('the primary InfluxDB SIGKILLed: the API answers readings and figures from the replica as the primary did, readings published meanwhile included; the primary catches up', async () => {
    const replica = chaos.influxReplica;
    pipeline = await createPipeline(chaos.env, fleetManifest({ ...CHAOS_FLEET, prefix: 'chaos-failover' }), {
      instances: 2,
      influxReplicas: [{ url: replica.url, token: replica.token }],
      replicasCopyFigures: true,
    });
    const p = pipeline;
    const topics = await aggregationTopics(chaos.env.stack, p);
    await Promise.all([...p.writers, ...p.replicas.flatMap((r) => r.writers)].map((w) => w.start()));
    await Promise.all(p.ingests.map((i) => i.start()));
    api = await apiProcess(chaos.env.stack, p, [ADMIN], { env: { MTL_INFLUX_REPLICA_URLS: replica.url, MTL_LOG_LEVEL: 'info' } });
    await api.process.start();

    const enterprise = p.manifest.enterprises[0]!;
    const point = enterprise.devices[0]!.meteringPoints[0]!;
    const range = `from=${new Date(START_MS).toISOString()}&to=${new Date(START_MS + TICKS * QUARTER_HOUR).toISOString()}`;
    const readingsPath = `/v1/enterprises/${enterprise.id}/points/${point}/readings?${range}&limit=100`;
    const figuresPath = `/v1/enterprises/${enterprise.id}/figures?measurement=consumption&period=hour&${range}&limit=1000`;
    let before: { readings: unknown; figures: unknown } | undefined;
    let during: { readings: unknown; figures: unknown; unreplicated: unknown; ready: unknown } | undefined;

    const result = await publishScenario(p, {
      ticks: TICKS,
      faultyEvery: 10,
      pauseMs: 500,
      beforeTick: async (tick) => {
        if (tick !== TICKS_BEFORE) return;
        // Both stores hold the first ticks; the figures of their day are computed and copied.
        for (const store of [p, p.replicas[0]!]) {
          await expect.poll(async () => (await storedReadings(store)).size, { timeout: 120_000, interval: 1_000 }).toBe(TICKS_BEFORE * READINGS_PER_TICK);
        }
        const backfill = await backfillProcess(aggregatorEnv(chaos.env.stack, p, topics), ['--from', '2026-03-01', '--to', '2026-03-01'], join(p.workDir, 'backfill.log')).exited;
        expect(backfill.code, backfill.stderr).toBe(0);
        const primaryFigures = await storedFigures(p.store);
        expect(primaryFigures.size).toBeGreaterThan(0);
        const copying = Date.now();
        await expect.poll(() => storedFigures(p.replicas[0]!.store), { timeout: 60_000, interval: 1_000 }).toEqual(primaryFigures);
        console.log(`${primaryFigures.size} figures on the primary, the same on the replica within ${Date.now() - copying} ms of the backfill's end`);

        before = { readings: await getJson(readingsPath), figures: await getJson(figuresPath) };
        await chaos.influx.kill();
        during = {
          readings: await getJson(readingsPath),
          figures: await getJson(figuresPath),
          // The device sequence counts are on the primary alone: no replica may answer them.
          unreplicated: await getJson(`/v1/enterprises/${enterprise.id}/device-sequences`),
          ready: await getJson('/ready'),
        };
      },
    });

    // Read from the primary before, from the replica during: the same answers.
    expect((before!.readings as { status: number }).status).toBe(200);
    expect(((before!.figures as { body: { items: unknown[] } }).body.items).length).toBeGreaterThan(0);
    expect(during!.readings).toEqual(before!.readings);
    expect(during!.figures).toEqual(before!.figures);
    expect(during!.unreplicated).toMatchObject({ status: 503, body: { status: 503 } });
    expect(during!.ready).toMatchObject({ status: 200, body: { checks: { influxdb: `primary ${chaos.env.stack.influx.url} down: readings and figures from ${replica.url}, everything else unavailable` } } });
    const apiLog = await readFile(api.process.logFile, 'utf8');
    expect(apiLog).toContain(`did not answer: reading from ${replica.url}`);

    // The readings published while the primary was down are on the replica, and the API serves them.
    await expect
      .poll(async () => ((await getJson(readingsPath)).body as { items: unknown[] }).items.length, { timeout: 120_000, interval: 1_000 })
      .toBe(TICKS);

    const restarted = Date.now();
    await chaos.influx.start();
    await expectEverythingAccountedFor(p, result);
    console.log(`primary InfluxDB back: every reading stored there ${Date.now() - restarted} ms after its restart`);
    expect(await storedReadings(p.replicas[0]!)).toEqual(result.expectedStored);
  });
});
