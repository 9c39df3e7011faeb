/**
 * bench:alerter — what the alerter's manager costs for one enterprise of 10 000 metering
 * points, its state in a real InfluxDB and its outbox on a real Kafka, on a private native
 * stack: a tick with every point reading, the tick where all 10 000 fall silent at once
 * (10 000 alerts opened, grouped into notifications), ticks with those 10 000 alerts open,
 * and hour figures judged per second. In the same run, the baseline: reading the 10 000
 * points' last-seen rows from InfluxDB alone. A benchmark, not a test: it prints, it asserts
 * nothing.
 *
 *   BENCH_POINTS  metering points of the enterprise (default 10 000)
 *   BENCH_TICKS   ticks measured per steady state (default 20)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createAlerterMetrics, createAlertManager, parseAlertingConfig } from '@meterline/alerter';
import { KafkaBus } from '@meterline/bus-kafka';
import { FIGURE_KINDS, type AlertSignalV1, type FigureV1 } from '@meterline/contracts';
import { fileRegistrySource } from '@meterline/feeds';
import { createTopics, startStack } from '@meterline/local-stack';
import { POINT_LAST_SEEN, recordSeen } from '@meterline/series';
import { createLogger, createMetricsRegistry } from '@meterline/service-kit';
import { fleetManifest } from '@meterline/simulator';
import { InfluxStore } from '@meterline/store-influx';

const POINTS = Number(process.env['BENCH_POINTS'] ?? 10_000);
const TICKS = Number(process.env['BENCH_TICKS'] ?? 20);
const MIN = 60_000;
const HOUR = 60 * MIN;
const FIGURES_PER_SIGNAL = 400;

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const rssMb = () => process.memoryUsage().rss / 1024 / 1024;

async function timed(runs: number, run: (i: number) => Promise<void>): Promise<{ p50: number; p99: number; max: number }> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await run(i);
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99), max: ms.at(-1)! };
}

const baseDir = await mkdtemp(join(tmpdir(), 'meterline-bench-alerter-'));
const stack = await startStack({ baseDir });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void stack.stop().finally(() => rm(baseDir, { recursive: true, force: true }).finally(() => process.exit(130))));
}
try {
  const devices = Math.ceil(POINTS / 100);
  const manifest = fleetManifest({ enterprises: 1, devicesPerEnterprise: devices, pointsPerDevice: 100, prefix: 'bench' });
  const enterprise = manifest.enterprises[0]!;
  const site = enterprise.sites[0]!.id;
  const points = enterprise.sites[0]!.meteringPoints.map((p) => p.id);
  const registryFile = join(baseDir, 'registry.yaml');
  await writeFile(registryFile, stringify(manifest));
  const alerting = parseAlertingConfig(
    stringify({
      version: 1,
      defaults: { meterOffline: { afterMinutes: 15 } },
      subscriptions: [{ id: 'bench-sub', enterpriseId: enterprise.id, url: 'http://127.0.0.1:9/unused', secret: 'bench-secret-0123456789' }],
    }),
    'bench',
  );
  if (!alerting.ok) throw new Error(alerting.errors.join('\n'));

  const database = 'bench_alerter';
  const store = new InfluxStore({ url: stack.connection.influx.url, token: stack.connection.influx.token, database, timeoutMs: 60_000 });
  await store.influxQl(`CREATE DATABASE ${database}`);
  const outbox = 'bench.alert-notifications.v1';
  await createTopics(stack.connection.kafka.brokers, [{ topic: outbox, partitions: 6 }]);
  const bus = new KafkaBus({ brokers: [...stack.connection.kafka.brokers], clientId: 'bench-alerter', log: () => undefined });
  const producer = await bus.producer();
  let notifications = 0;
  const countingProducer = {
    send: async (topic: string, messages: Parameters<typeof producer.send>[1]) => {
      notifications += messages.length;
      await producer.send(topic, messages);
    },
    close: () => producer.close(),
  };
  const clock = { now: Date.parse('2026-11-27T02:00:00Z') };
  const manager = createAlertManager({
    store,
    producer: countingProducer,
    notificationsTopic: outbox,
    registry: await fileRegistrySource(registryFile, () => undefined),
    alerting: () => Promise.resolve(alerting.config),
    clock: () => new Date(clock.now),
    log: createLogger('bench-alerter', 'silent'),
    metrics: createAlerterMetrics(createMetricsRegistry('bench-alerter')),
  });
  let offset = 0;
  const handle = (signals: AlertSignalV1[]) =>
    manager({
      topic: 'signals',
      partition: 0,
      messages: signals.map((s) => ({ key: enterprise.id, value: Buffer.from(JSON.stringify(s)), offset: String(offset++), timestamp: clock.now })),
      heartbeat: () => Promise.resolve(),
      isActive: () => true,
    });
  const tick = (atMs: number) => {
    clock.now = atMs;
    return handle([{ v: 1, kind: 'tick', enterpriseId: enterprise.id, tickMs: atMs }]);
  };

  const t0 = clock.now;
  const seenAt = (ms: number) => new Map(points.map((p) => [p, { enterpriseId: enterprise.id, lastMs: ms }]));
  await recordSeen(store, seenAt(t0 - MIN));
  say(`bench:alerter — one enterprise of ${fmt(points.length)} points; state in InfluxDB 1.8, outbox on Kafka 4.1 (private native stack)`);

  const baseline = await timed(TICKS, async () => {
    await store.readSeries({ measurement: POINT_LAST_SEEN.measurement, tags: { [POINT_LAST_SEEN.tags.enterprise]: enterprise.id }, fromMs: 0, toMs: 1 });
  });
  row('baseline: read the last-seen rows alone', baseline);

  // The first tick starts watching; then ticks with every point reading.
  await tick(t0);
  const online = await timed(TICKS, async (i) => {
    await recordSeen(store, seenAt(t0 + i * 30_000));
    await tick(t0 + (i + 1) * 30_000);
  });
  row('tick, every point reading (incl. writing last-seen)', online);

  // Silence: the next tick past the limit finds all of them offline at once.
  const silentFrom = t0 + TICKS * 30_000;
  notifications = 0;
  const rssBefore = rssMb();
  const burst = await timed(1, () => tick(silentFrom + 16 * MIN));
  row(`tick, ${fmt(points.length)} points fall silent at once (${fmt(notifications)} notifications)`, burst);

  const open = await timed(TICKS, (i) => tick(silentFrom + (17 + i) * MIN));
  row(`tick, ${fmt(points.length)} alerts open`, open);
  say(`  RSS ${fmt(rssBefore)} MB before the burst, ${fmt(rssMb())} MB after`);

  // Figures: an hour of every point, judged for coverage and suspect counters.
  const hour = Math.floor(clock.now / HOUR) * HOUR - HOUR;
  const figures: FigureV1[] = points.map((point) => ({
    measurement: FIGURE_KINDS.consumption,
    enterpriseId: enterprise.id,
    subject: { site, point, carrier: 'electricity', quantity: 'active-energy-import', role: 'sub-meter' },
    periodKind: 'hour',
    periodKey: new Date(hour).toISOString(),
    startMs: hour,
    endMs: hour + HOUR,
    value: 42,
    unit: 'kWh',
    expandedUncertainty: 0.5,
    coveragePercent: 100,
    estimated: 0,
    flags: [],
    factorSet: 'cn-2023@1.0.0',
    registryVersion: 'bench',
    revision: 0,
    detail: {},
  }));
  const signals: AlertSignalV1[] = [];
  for (let i = 0; i < figures.length; i += FIGURES_PER_SIGNAL) signals.push({ v: 1, kind: 'figures', enterpriseId: enterprise.id, figures: figures.slice(i, i + FIGURES_PER_SIGNAL) });
  const started = performance.now();
  for (const signal of signals) await handle([signal]);
  const seconds = (performance.now() - started) / 1000;
  say(`figures: ${fmt(figures.length)} hour figures in ${signals.length} signals of ${FIGURES_PER_SIGNAL}: ${fmt(seconds, 1)} s, ${fmt(figures.length / seconds)} figures/s`);

  await producer.close();
  await bus.close();
  await store.close();
} finally {
  await stack.stop();
  await rm(baseDir, { recursive: true, force: true });
}

function say(line: string) {
  process.stdout.write(`${line}\n`);
}
function row(label: string, t: { p50: number; p99: number; max: number }) {
  say(`${label.padEnd(72)} p50 ${fmt(t.p50)} ms   p99 ${fmt(t.p99)} ms   max ${fmt(t.max)} ms`);
}
