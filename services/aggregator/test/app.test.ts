import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { InMemoryBus } from '@meterline/bus';
import { aggregationJobCodec, figureBatchCodec, restatementCodec, type AggregationJobV1, type RecordCodec } from '@meterline/contracts';
import { calendarPeriod, createFactorCatalog, type Manifest } from '@meterline/domain';
import { fileRegistrySource } from '@meterline/feeds';
import { ManualScheduler } from '@meterline/scheduler';
import { READING_FIELDS, READINGS_MEASUREMENT, readingTags } from '@meterline/series';
import { createLogger, createMetricsRegistry } from '@meterline/service-kit';
import { fleetManifest } from '@meterline/simulator';
import { InMemoryStore } from '@meterline/store';
import { createAggregatorApp, type AggregatorApp } from '../src/app.ts';
import { busFigurePublisher } from '../src/bus-figure-publisher.ts';

const TZ = 'Asia/Shanghai';
const day = calendarPeriod('2026-03-02', TZ);
const QUARTER = 900_000;
const TOPICS = { jobs: 'jobs', figures: 'figures', restatements: 'restatements' };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(manifest: Manifest, now: Date) {
  const dir = await mkdtemp(join(tmpdir(), 'aggregator-app-'));
  const registryFile = join(dir, 'registry.yaml');
  await writeFile(registryFile, stringify(manifest));
  const bus = new InMemoryBus();
  const store = new InMemoryStore();
  const scheduler = new ManualScheduler();
  const producer = bus.producer();
  const metrics = createMetricsRegistry('aggregator-test');
  const app: AggregatorApp = createAggregatorApp({
    jobs: bus.consumer({ groupId: 'aggregators', topics: [TOPICS.jobs] }),
    producer,
    jobsTopic: TOPICS.jobs,
    publisher: busFigurePublisher({ producer, topics: { figures: TOPICS.figures, restatements: TOPICS.restatements }, maxFiguresPerMessage: 100 }),
    store,
    registry: await fileRegistrySource(registryFile, () => undefined),
    catalog: createFactorCatalog(),
    scheduler,
    lookback: { recentMs: 6 * 3_600_000, dailyMs: 3 * 86_400_000 },
    engine: { readingsMeasurement: READINGS_MEASUREMENT, boundSearchMs: 35 * 86_400_000, writeChunkPoints: 1000, accounting: { equalValue: true } },
    retry: { baseMs: 10, maxMs: 50 },
    clock: () => now,
    log: createLogger('aggregator-test', 'silent'),
    metrics,
  });
  await app.start();
  cleanups.push(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });
  const jobsDone = async () => {
    for (let i = 0; i < 500 && (await bus.consumer({ groupId: 'aggregators', topics: [TOPICS.jobs] }).lag()) > 0; i++) await new Promise((r) => setTimeout(r, 20));
  };
  /** The topic's records through their codec; each must carry the codec's schema header. */
  const decode = <T>(topic: string, codec: RecordCodec<T>): T[] =>
    bus.messagesOf(topic).map((m) => {
      expect(m.headers?.['schema'], topic).toBe(codec.schema);
      const decoded = codec.decode(m.value);
      if (!decoded.ok) throw new Error(`${topic}: ${decoded.detail}`);
      return decoded.value;
    });
  return { app, bus, store, scheduler, registryFile, jobsDone, decode, metrics };
}

const manifest = fleetManifest({ enterprises: 2, devicesPerEnterprise: 1, pointsPerDevice: 2, prefix: 'app' });

async function seedReadings(store: InMemoryStore, from: number, to: number) {
  const points = manifest.enterprises.flatMap((e) => e.sites.flatMap((s) => s.meteringPoints.map((p) => ({ enterprise: e.id, point: p.id }))));
  await store.write(
    points.flatMap(({ enterprise, point }, i) =>
      Array.from({ length: (to - from) / QUARTER + 1 }, (_, k) => ({
        measurement: READINGS_MEASUREMENT,
        tags: readingTags(enterprise, point),
        fields: { [READING_FIELDS.value]: 1_000 + k * (10 + i) },
        timestampMs: from + k * QUARTER,
      })),
    ),
  );
}

it('schedules a recent run and a daily run per time zone, and each firing becomes one job per enterprise', async () => {
  const now = new Date(day.end + 60_000);
  const { scheduler, decode } = await setup(manifest, now);
  expect(scheduler.scheduled().map((s) => [s.name, s.expression, s.timeZone])).toEqual([
    ['recent', '1,16,31,46 * * * *', 'UTC'],
    [`daily:${TZ}`, '20 0 * * *', TZ],
  ]);
  await scheduler.fire('recent', now);
  const jobs = decode(TOPICS.jobs, aggregationJobCodec);
  expect(jobs.map((j) => j.enterpriseId).sort()).toEqual(manifest.enterprises.map((e) => e.id).sort());
  expect(jobs.every((j) => j.toMs - j.fromMs === 6 * 3_600_000 && j.kinds.join() === 'quarter-hour,hour')).toBe(true);
});

it('reports its store and its link to Kafka in health (issue 18)', async () => {
  const { app, store } = await setup(manifest, new Date(day.end));
  expect(await app.health()).toEqual({ healthy: true, checks: { influxdb: 'ok', kafka: 'ok' } });
  store.available = false;
  expect(await app.health()).toEqual({ healthy: false, checks: { influxdb: 'down', kafka: 'ok' } });
});

it('computes each enterprise once however many instances scheduled the same job', async () => {
  const now = new Date(day.end + 60_000);
  const { store, scheduler, jobsDone, decode, metrics } = await setup(manifest, now);
  await seedReadings(store, day.start - 3_600_000, day.end + 3_600_000);
  // Two instances firing the same schedule at the same minute publish the same job ids.
  await scheduler.fire(`daily:${TZ}`, now);
  await scheduler.fire(`daily:${TZ}`, new Date(now.getTime() + 5_000)).catch(() => undefined);
  await jobsDone();
  const batches = decode(TOPICS.figures, figureBatchCodec);
  const days = batches.flatMap((b) => b.figures).filter((f) => f.periodKind === 'day' && f.measurement === 'carbon' && f.subject['scope'] === 'total-location');
  // Lookback 3 days ending at the firing: the three closed days, one figure each per enterprise.
  expect(days.map((f) => `${f.enterpriseId} ${f.periodKey}`).sort()).toEqual(
    manifest.enterprises.flatMap((e) => ['2026-02-28', '2026-03-01', '2026-03-02'].map((d) => `${e.id} ${d}`)).sort(),
  );
  const text = await metrics.metrics();
  expect(text).toMatch(/meterline_aggregator_jobs_total\{[^}]*outcome="completed"[^}]*\} 2/);
  expect(text).toMatch(/meterline_aggregator_jobs_total\{[^}]*outcome="skipped"[^}]*\} 2/);
});

it('picks up a registry change at the next job and restates with the registry as the reason', async () => {
  const now = new Date(day.end + 60_000);
  const { store, bus, registryFile, jobsDone, decode } = await setup(manifest, now);
  await seedReadings(store, day.start - 3_600_000, day.end + 3_600_000);
  const job = (id: string): AggregationJobV1 => ({
    v: 1,
    jobId: id,
    enterpriseId: manifest.enterprises[0]!.id,
    kinds: ['day'],
    fromMs: day.start,
    toMs: day.end,
    origin: 'on-demand',
    requestedAt: now.toISOString(),
  });
  await bus.producer().send(TOPICS.jobs, [aggregationJobCodec.encode(job('first'), 'x')]);
  await jobsDone();
  // The meter's transformer ratio was recorded wrong: every figure of the point changes.
  const fixed = structuredClone(manifest);
  const point = fixed.enterprises[0]!.sites[0]!.meteringPoints[1]!;
  point.multiplier = 2;
  await new Promise((r) => setTimeout(r, 20)); // a distinct modification time
  await writeFile(registryFile, stringify(fixed));
  await bus.producer().send(TOPICS.jobs, [
    { key: 'x', value: Buffer.from('{"not": "a job"}') },
    { key: 'x', value: Buffer.from(JSON.stringify(job('second'))) },
  ]);
  await jobsDone();
  const restated = decode(TOPICS.restatements, restatementCodec);
  const ofPoint = restated.filter((r) => r.subject['point'] === point.id);
  expect(ofPoint).toHaveLength(1);
  expect(ofPoint[0]!.reason).toBe('REGISTRY_CHANGED');
  expect(ofPoint[0]!.new.value).toBeCloseTo(ofPoint[0]!.old.value * 2, 9);
  expect(ofPoint[0]!.new.revision).toBe(1);
});
