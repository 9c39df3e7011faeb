/**
 * bench:aggregate — how long computing, then recomputing, a month of 15-minute figures
 * for 10 000 metering points takes, and where the time goes (read, compute, compare,
 * publish, write), with the memory of this process and of InfluxDB; and, in the same run,
 * the baselines: the raw InfluxDB write rate (seeding the readings), the raw InfluxQL
 * read rate of one enterprise's month, day by day, and the raw write rate of figure points:
 * the figures written again, as they are, to fresh databases by the Go load generator
 * (test/bench/loadgen), once one enterprise's and once every enterprise's first day. The
 * second is the headline baseline: the same points, series and volume as a day of the first
 * computation, so InfluxDB's series creation and cache snapshots weigh on both alike.
 *
 * Recomputation is measured both ways: full (every period computed and compared with the
 * published figures, as a job someone asks for does, and as every run did before issue 17)
 * and incremental (what the schedules do: only periods whose readings landed since). Then a
 * late reading: one reading held back from the seed lands (with its landing mark, as the
 * writer stores it) and one enterprise's incremental run publishes its restatements; the
 * time from the reading stored to the restatements published is printed. In the service a
 * late landing is looked for every MTL_LANDED_POLL_SECONDS (5 s), which comes on top.
 *
 * The engine is the aggregator's own (`aggregateEnterprise`) over the real InfluxStore and
 * a real Kafka producer, on a private native stack. Everything shares this machine's
 * cores. A benchmark, not a test: it prints, it asserts nothing. On 2 cores, 10 000 points
 * for BENCH_DAYS=7 run for about 12 minutes; the whole month about four times as long.
 *
 *   BENCH_POINTS       metering points in all (default 10 000)
 *   BENCH_ENTERPRISES  enterprises they are spread over (default 10)
 *   BENCH_MONTH        the month, YYYY-MM (default 2026-03)
 *   BENCH_DAYS         only the first n days of the month, for quick runs (default: all)
 *   BENCH_BUS          the Kafka client the figures are announced through: platformatic (default, as the aggregator's) or kafkajs
 *   BENCH_INFLUX_GZIP  1: write bodies sent to InfluxDB gzipped, by the aggregator and by the raw baseline alike (default 0, uncompressed, as the aggregator's MTL_INFLUX_GZIP_WRITES)
 *   BENCH_FULL_RECOMPUTE  0: leave out the full recomputation (a quarter of an hour for the whole month)
 *   BENCH_CPU_PROFILE  a file to write a V8 CPU profile of this process during the first computation to (.cpuprofile, for Chrome DevTools)
 */
import { execFileSync } from 'node:child_process';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { aggregateEnterprise, busFigurePublisher, registryVersion, type AggregationDeps, type UnitReport } from '@meterline/aggregator';
import { KafkaBus } from '@meterline/bus-kafka';
import { PlatformaticKafkaBus } from '@meterline/bus-platformatic';
import type { FigureV1 } from '@meterline/contracts';
import { figurePoint, landedMarks, READING_FIELDS, READING_TAGS, READINGS_MEASUREMENT, readFigures } from '@meterline/series';
import { calendarPeriod, createFactorCatalog, type Enterprise, type FactorSet, type PeriodKind, type TimeRange } from '@meterline/domain';
import { createTopics, startStack } from '@meterline/local-stack';
import { fleetManifest } from '@meterline/simulator';
import { InfluxStore, seriesLineProtocol } from '@meterline/store-influx';
import { buildLoadgen, runInfluxWrite } from '../harness/loadgen.ts';
import { cpuDuring, procMb, untilQuiet } from '../harness/process-usage.ts';

const POINTS = Number(process.env['BENCH_POINTS'] ?? 10_000);
const ENTERPRISES = Number(process.env['BENCH_ENTERPRISES'] ?? 10);
const MONTH = process.env['BENCH_MONTH'] ?? '2026-03';
const DAYS = process.env['BENCH_DAYS'] ? Number(process.env['BENCH_DAYS']) : undefined;
const CPU_PROFILE = process.env['BENCH_CPU_PROFILE'];
const GZIP_WRITES = process.env['BENCH_INFLUX_GZIP'] === '1';
const FULL_RECOMPUTE = process.env['BENCH_FULL_RECOMPUTE'] !== '0';

const TZ = 'Asia/Shanghai';
const QUARTER = 900_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const KINDS: readonly PeriodKind[] = ['quarter-hour'];
/** Readings per InfluxDB write while seeding, and how many writes are in flight at once. */
const SEED_CHUNK = 50_000;
const SEED_PARALLEL = 3;
const PHASES = ['read', 'compute', 'compare', 'publish', 'write'] as const;
/** The reading held back from the seed and landed late: enterprise 0, its second point, day 1 at 13:00 local. */
const LATE = { enterprise: 0, point: 1, afterStartMs: 13 * HOUR };
type Phase = (typeof PHASES)[number];
type SeriesPoint = Parameters<InfluxStore['write']>[0][number];

const mb = (bytes: number) => bytes / 1024 / 1024;
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–');


/** Peak RSS of this process and of influxd while a stage runs, sampled every 250 ms. */
function memorySampler(influxPid: number | undefined) {
  let self = mb(process.memoryUsage().rss);
  let influx = 0;
  const timer = setInterval(() => {
    self = Math.max(self, mb(process.memoryUsage().rss));
    void procMb(influxPid, 'VmRSS').then((v) => (influx = Math.max(influx, v || 0)));
  }, 250);
  return {
    stop: async () => {
      clearInterval(timer);
      self = Math.max(self, mb(process.memoryUsage().rss));
      influx = Math.max(influx, (await procMb(influxPid, 'VmRSS')) || 0);
      return { selfMb: self, influxMb: influx };
    },
  };
}

/** Runs `body` under V8's sampling profiler and writes the profile to `file`; without a file, just runs it. */
async function profiled<T>(file: string | undefined, body: () => Promise<T>): Promise<T> {
  if (!file) return body();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await body();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
  }
}

const diskMb = (dir: string) => Number(execFileSync('du', ['-sm', dir], { encoding: 'utf8' }).split('\t')[0]);

/**
 * 15-minute register readings of every point, in time order, `SEED_CHUNK` at a time: each
 * sub-meter draws 0.5–1 kWh a quarter-hour, the enterprise's main meter the sum of its
 * sub-meters plus 2 % losses, so every interval is plausible and the balance closes.
 */
function* readingChunks(enterprises: readonly Enterprise[], range: TimeRange, held: { pointId: string; at: number; point?: SeriesPoint }): Generator<SeriesPoint[]> {
  const meters = enterprises.map((e) => ({
    enterprise: e,
    site: e.sites[0]!,
    main: e.sites[0]!.meteringPoints[0]!,
    subs: e.sites[0]!.meteringPoints.slice(1),
    // Registers in Wh, integers, so readings carry no floating-point drift.
    registers: new Float64Array(e.sites[0]!.meteringPoints.length).map((_, i) => 1_000_000 * (i + 1)),
  }));
  let chunk: SeriesPoint[] = [];
  const push = (e: Enterprise, siteId: string, pointId: string, deviceId: string, wh: number, at: number) =>
    chunk.push({
      measurement: READINGS_MEASUREMENT,
      // As the writer stores a reading (readingPoint), without building each reading message.
      tags: { [READING_TAGS.enterprise]: e.id, [READING_TAGS.site]: siteId, [READING_TAGS.point]: pointId, [READING_TAGS.carrier]: 'electricity', [READING_TAGS.quantity]: 'active-energy-import', [READING_TAGS.device]: deviceId },
      fields: { [READING_FIELDS.value]: wh / 1000, [READING_FIELDS.quality]: 'good' },
      timestampMs: at,
    });
  for (let at = range.start - HOUR, slot = 0; at <= range.end + HOUR; at += QUARTER, slot++) {
    for (const m of meters) {
      let sum = 0;
      m.subs.forEach((p, i) => {
        const wh = 500 + 125 * ((i * 7 + slot) % 5);
        sum += wh;
        m.registers[i + 1]! += wh;
        push(m.enterprise, m.site.id, p.id, deviceOf(p.id), m.registers[i + 1]!, at);
        if (p.id === held.pointId && at === held.at) held.point = chunk.pop();
      });
      m.registers[0]! += Math.round(sum * 1.02);
      push(m.enterprise, m.site.id, m.main.id, deviceOf(m.main.id), m.registers[0]!, at);
      if (chunk.length >= SEED_CHUNK) {
        yield chunk;
        chunk = [];
      }
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** What the writer stores with a batch of readings: the readings and their landing marks (packages/series readings-landed.ts). */
const withMarks = (chunk: SeriesPoint[], landedAtMs: number): SeriesPoint[] => [
  ...chunk,
  ...landedMarks(READINGS_MEASUREMENT, chunk.map((p) => ({ enterpriseId: p.tags[READING_TAGS.enterprise]!, tsMs: p.timestampMs })), landedAtMs),
];

/** fleetManifest names a point `<device>-p<n>`. */
const deviceOf = (pointId: string) => pointId.slice(0, pointId.lastIndexOf('-p'));

async function seed(store: InfluxStore, enterprises: readonly Enterprise[], range: TimeRange, held: { pointId: string; at: number; point?: SeriesPoint }) {
  const started = performance.now();
  let written = 0;
  let lastPrint = started;
  const inFlight = new Set<Promise<void>>();
  for (const chunk of readingChunks(enterprises, range, held)) {
    const p = store.write(withMarks(chunk, Date.now())).then(() => {
      written += chunk.length;
      if (performance.now() - lastPrint > 15_000) {
        lastPrint = performance.now();
        console.log(`  … ${fmt(written)} readings written, ${fmt(written / ((lastPrint - started) / 1000))}/s`);
      }
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => undefined);
    while (inFlight.size >= SEED_PARALLEL) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return { points: written, seconds: (performance.now() - started) / 1000 };
}

/** Figures as the aggregator writes them, in line protocol, one a line. */
const figureLines = (figures: readonly FigureV1[]) => figures.map((f) => `${seriesLineProtocol(figurePoint(f))}\n`).join('');

/** One enterprise's readings, day by day, with plain InfluxQL: what InfluxDB itself gives. */
async function baselineRead(store: InfluxStore, enterprise: Enterprise, range: TimeRange) {
  const started = performance.now();
  let rows = 0;
  for (let day = range.start; day < range.end; day += DAY) {
    const q = `SELECT "${READING_FIELDS.value}" FROM "${READINGS_MEASUREMENT}" WHERE "${READING_TAGS.enterprise}" = '${enterprise.id}' AND time >= ${day}ms AND time < ${Math.min(day + DAY, range.end)}ms GROUP BY "${READING_TAGS.point}"`;
    for (const s of await store.influxQl(q)) rows += s.values.length;
  }
  return { rows, seconds: (performance.now() - started) / 1000 };
}

interface Totals {
  seconds: number;
  units: number;
  figures: number;
  added: number;
  changed: number;
  unchanged: number;
  restatements: number;
  readings: number;
  phases: Record<Phase, number>;
}

async function computeAll(deps: AggregationDeps, enterprises: readonly Enterprise[], factorSet: FactorSet, range: TimeRange, label: string, incremental: boolean): Promise<Totals> {
  const totals: Totals = { seconds: 0, units: 0, figures: 0, added: 0, changed: 0, unchanged: 0, restatements: 0, readings: 0, phases: { read: 0, compute: 0, compare: 0, publish: 0, write: 0 } };
  const started = performance.now();
  let lastPrint = started;
  const onUnit = (r: UnitReport) => {
    totals.units++;
    totals.figures += r.figures;
    totals.added += r.added;
    totals.changed += r.changed;
    totals.unchanged += r.unchanged;
    totals.restatements += r.restatements.length;
    totals.readings += r.readingsRead;
    for (const phase of PHASES) totals.phases[phase] += r.timings[phase] / 1000;
    if (performance.now() - lastPrint > 30_000) {
      lastPrint = performance.now();
      console.log(`  … ${label}: ${r.enterpriseId} ${r.unit}, ${totals.units} units, ${fmt(totals.figures)} figures, ${fmt((lastPrint - started) / 1000)} s`);
    }
  };
  for (const enterprise of enterprises) {
    const result = await aggregateEnterprise(deps, { enterprise, factorSet, registryVersion: registryVersion(enterprise), kinds: KINDS, range, now: range.end, onUnit, incremental });
    if (!result.completed) throw new Error(`${label}: ${enterprise.id} did not complete`);
  }
  totals.seconds = (performance.now() - started) / 1000;
  return totals;
}

async function kafkaRecords(admin: ReturnType<Kafka['admin']>, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((n, o) => n + Number(o.high), 0);
}

/** Points per device: the largest up to 100 that divides an enterprise's points, so the fleet has exactly that many. */
function fleetShape(points: number, enterprises: number) {
  const perEnterprise = Math.max(2, Math.round(points / enterprises));
  let pointsPerDevice = Math.min(100, perEnterprise);
  while (perEnterprise % pointsPerDevice !== 0) pointsPerDevice--;
  return { enterprises, devicesPerEnterprise: perEnterprise / pointsPerDevice, pointsPerDevice, prefix: 'bench' };
}

async function main() {
  const shape = fleetShape(POINTS, ENTERPRISES);
  const manifest = fleetManifest(shape);
  const enterprises = manifest.enterprises.map((e) => ({ ...e, timeZone: TZ }));
  const pointCount = enterprises.reduce((n, e) => n + e.sites[0]!.meteringPoints.length, 0);
  const month = calendarPeriod(MONTH, TZ);
  const range = { start: month.start, end: DAYS ? Math.min(month.end, month.start + DAYS * DAY) : month.end };
  const days = Math.round((range.end - range.start) / DAY);
  const resolved = createFactorCatalog().resolve('cn-2023', '1.0.0');
  if (!resolved.ok) throw resolved.error;
  const factorSet = resolved.factor;

  const baseDir = await mkdtemp(join(tmpdir(), 'meterline-bench-aggregate-'));
  const stack = await startStack({ baseDir });
  // Interrupted: stop the stack it started rather than leave three servers behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void stack.stop().finally(() => rm(baseDir, { recursive: true, force: true }).finally(() => process.exit(130)));
    });
  }
  const influxPid = await stack.services.influx.runningPid();
  const kafkaPid = await stack.services.kafka.runningPid();
  const database = 'bench_aggregate';
  const topics = { figures: 'bench.figures.v1', restatements: 'bench.restatements.v1' };
  const kafka = new Kafka({ clientId: 'bench-aggregate-admin', brokers: [...stack.connection.kafka.brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const busOptions = { brokers: [...stack.connection.kafka.brokers], clientId: 'bench-aggregate' };
  const bus = process.env['BENCH_BUS'] === 'kafkajs' ? new KafkaBus(busOptions) : new PlatformaticKafkaBus(busOptions);
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    console.log(line);
  };
  try {
    await stack.services.influx.createDatabase(database);
    await createTopics(stack.connection.kafka.brokers, [
      { topic: topics.figures, partitions: 6 },
      { topic: topics.restatements, partitions: 3 },
    ]);
    await admin.connect();
    const store = new InfluxStore({ url: stack.connection.influx.url, token: stack.connection.influx.token, database, timeoutMs: 600_000, gzipWrites: GZIP_WRITES });
    const producer = await bus.producer();
    const deps: AggregationDeps = {
      store,
      publisher: busFigurePublisher({ producer, topics, maxFiguresPerMessage: 400 }),
      readingsMeasurement: READINGS_MEASUREMENT,
      boundSearchMs: 35 * DAY,
      writeChunkPoints: 5_000,
      accounting: { equalValue: true },
      onUnreadable: (row) => console.warn(`a stored ${row.measurement} row is unreadable, left out: ${row.reason}`),
    };
    console.log(
      `bench:aggregate — ${fmt(pointCount)} metering points in ${enterprises.length} enterprises (${shape.devicesPerEnterprise} devices × ${shape.pointsPerDevice} points each), ` +
        `${MONTH}${days < 31 && range.end < month.end ? ` days 1–${days}` : ''} in ${TZ}, kinds ${KINDS.join(',')}; ${cpus().length} cores shared by InfluxDB, Kafka and this process`,
    );

    console.log('\n1. seed: 15-minute readings of every point, an hour either side, through InfluxStore.write');
    let mem = memorySampler(influxPid);
    const lateEnterprise = enterprises[LATE.enterprise]!;
    const held: { pointId: string; at: number; point?: SeriesPoint } = { pointId: lateEnterprise.sites[0]!.meteringPoints[LATE.point]!.id, at: range.start + LATE.afterStartMs };
    say(`figures announced through ${process.env['BENCH_BUS'] === 'kafkajs' ? 'kafkajs' : '@platformatic/kafka'}; InfluxDB writes ${GZIP_WRITES ? 'gzipped' : 'uncompressed'}`);
    const seeded = await seed(store, enterprises, range, held);
    const seedMem = await mem.stop();
    say(`seed: ${fmt(seeded.points)} readings in ${fmt(seeded.seconds, 1)} s = ${fmt(seeded.points / seeded.seconds)} readings/s (${SEED_CHUNK} per write, ${SEED_PARALLEL} in flight)`);

    console.log(`\n2. baseline read: ${enterprises[0]!.id}'s readings day by day, SELECT ${READING_FIELDS.value} … GROUP BY ${READING_TAGS.point}`);
    mem = memorySampler(influxPid);
    const read = await baselineRead(store, enterprises[0]!, range);
    const readMem = await mem.stop();
    say(`baseline read: ${fmt(read.rows)} rows in ${fmt(read.seconds, 1)} s = ${fmt(read.rows / read.seconds)} rows/s`);

    const runs: { label: string; totals: Totals; mem: { selfMb: number; influxMb: number }; records: number; cpu: Record<string, number> }[] = [];
    const pids = { 'this process': process.pid, influxd: influxPid, kafka: kafkaPid };
    const cpuLine = (cpu: Record<string, number>) => Object.entries(cpu).map(([name, s]) => `${name} ${fmt(s, 1)}`).join(', ');
    const FULL = 'recompute, nothing changed: full (before)';
    const INCREMENTAL = 'recompute, nothing changed: incremental';
    const stages: [string, boolean][] = [
      ['first computation', false],
      ...(FULL_RECOMPUTE ? [[FULL, false] as [string, boolean]] : []),
      [INCREMENTAL, true],
    ];
    for (const [label, incremental] of stages) {
      console.log(`\n${runs.length + 3}. ${label}: aggregateEnterprise for every enterprise, one after the other`);
      // Each stage starts on a quiet InfluxDB: the seed's (or the previous stage's) compactions are not its cost.
      const quietMs = await untilQuiet(influxPid);
      console.log(`  (waited ${fmt(quietMs / 1000, 1)} s for InfluxDB to be quiet)`);
      const recordsBefore = await kafkaRecords(admin, topics.figures);
      mem = memorySampler(influxPid);
      const { result: totals, cpu } = await cpuDuring(pids, () => profiled(runs.length === 0 ? CPU_PROFILE : undefined, () => computeAll(deps, enterprises, factorSet, range, label, incremental)));
      const m = await mem.stop();
      const records = (await kafkaRecords(admin, topics.figures)) - recordsBefore;
      runs.push({ label, totals, mem: m, records, cpu });
      const t = totals;
      say(`${label}: ${fmt(t.seconds, 2)} s wall, ${t.units} units, ${fmt(t.figures)} figures = ${fmt(t.figures / t.seconds)} figures/s`);
      say(`  added ${fmt(t.added)}, changed ${fmt(t.changed)}, unchanged ${fmt(t.unchanged)}, restatements ${fmt(t.restatements)}; ${fmt(t.readings)} readings read = ${fmt(t.readings / t.phases.read)} rows/s while reading`);
      say(`  ${PHASES.map((p) => `${p} ${fmt(t.phases[p], 1)} s (${fmt((100 * t.phases[p]) / t.seconds, 1)} %)`).join(', ')}`);
      say(`  Kafka records on the figures topic: +${fmt(records)}; peak RSS: this process ${fmt(m.selfMb)} MB, influxd ${fmt(m.influxMb)} MB; CPU s: ${cpuLine(cpu)}`);
    }

    console.log(`\n${runs.length + 3}. baseline writes: the figures written again, as they are, to fresh databases, by the Go generator`);
    const loadgen = await buildLoadgen(baseDir);
    const oneFile = join(baseDir, 'figures-one-enterprise.lp');
    const dayFile = join(baseDir, 'figures-first-day.lp');
    // Day by day: a month of one enterprise's figures is more than a string can hold.
    await writeFile(oneFile, '');
    for (let day = range.start; day < range.end; day += DAY) {
      await appendFile(oneFile, figureLines(await readFigures(store, lateEnterprise.id, { start: day, end: Math.min(range.end, day + DAY) }, KINDS)));
    }
    await writeFile(dayFile, '');
    const firstDay = { start: range.start, end: Math.min(range.end, range.start + DAY) };
    for (const e of enterprises) await appendFile(dayFile, figureLines(await readFigures(store, e.id, firstDay, KINDS)));
    const rawWrite = async (file: string, rawDatabase: string) => {
      await stack.services.influx.createDatabase(rawDatabase);
      await untilQuiet(influxPid);
      const { url, token } = stack.connection.influx;
      return cpuDuring(pids, () => runInfluxWrite(loadgen, { url, token, database: rawDatabase, file, batch: deps.writeChunkPoints, workers: SEED_PARALLEL, gzip: GZIP_WRITES }));
    };
    const raws = [
      { label: `${lateEnterprise.id}'s figures (1 of ${enterprises.length} enterprises)`, ...(await rawWrite(oneFile, `${database}_raw_one`)) },
      { label: `every enterprise's first day (all the series a day of the computation writes)`, ...(await rawWrite(dayFile, `${database}_raw_day`)) },
    ];
    const first = runs[0]!.totals;
    const stageSeconds = (label: string) => runs.find((r) => r.label === label)!.totals.seconds;
    const firstRate = first.figures / first.seconds;
    for (const { label, result, cpu } of raws) {
      say(`baseline figure write, ${label}: ${fmt(result.points)} points in ${fmt(result.seconds, 1)} s = ${fmt(result.pointsPerSecond)} points/s (${deps.writeChunkPoints} per write, ${SEED_PARALLEL} in flight); CPU s: ${cpuLine(cpu)}`);
      say(`  first computation wrote ${fmt(firstRate)} figures/s = ${fmt(firstRate / result.pointsPerSecond, 2)} × this rate`);
    }
    // The headline baseline: every enterprise's first day, what a day of the computation writes.
    const dayRaw = raws[1]!.result;
    say(`  compute ${fmt((100 * first.phases.compute) / first.seconds, 1)} % of the first computation's time`);

    console.log(`\n${runs.length + 4}. late reading: ${held.pointId} at ${new Date(held.at).toISOString()} lands (with its mark); ${lateEnterprise.id}'s incremental run`);
    let restatedAt: number | undefined;
    let restatements = 0;
    const timed: AggregationDeps = {
      ...deps,
      publisher: {
        async publish(enterpriseId, figures, restated) {
          await deps.publisher.publish(enterpriseId, figures, restated);
          if (restated.length > 0) restatedAt ??= performance.now();
          restatements += restated.length;
        },
      },
    };
    await store.write(withMarks([held.point!], Date.now()));
    const storedAt = performance.now();
    const lateRun = await aggregateEnterprise(timed, { enterprise: lateEnterprise, factorSet, registryVersion: registryVersion(lateEnterprise), kinds: KINDS, range, now: range.end, incremental: true });
    const lateDone = performance.now();
    const lateSeconds = restatedAt === undefined ? NaN : (restatedAt - storedAt) / 1000;
    say(
      `late reading: ${restatements} restatements published ${fmt(lateSeconds, 2)} s after the reading was stored (run ${fmt((lateDone - storedAt) / 1000, 2)} s; ` +
        `units computed ${lateRun.units.map((u) => `${u.unit} (${u.periods} periods, ${fmt(u.figures)} figures)`).join(', ')}; days left alone ${lateRun.skipped.days})`,
    );
    await producer.close();

    const selfHwm = await procMb(process.pid, 'VmHWM');
    const influxHwm = await procMb(influxPid, 'VmHWM');
    const influxNow = await procMb(influxPid, 'VmRSS');
    const kafkaHwm = await procMb(kafkaPid, 'VmHWM');
    const influxDisk = diskMb(join(baseDir, 'influxdb'));
    const kafkaDisk = diskMb(join(baseDir, 'kafka'));

    const pct = (t: Totals, p: Phase) => `${fmt(t.phases[p], 1)} (${fmt((100 * t.phases[p]) / t.seconds, 0)} %)`;
    const head = ['stage', 'wall s', 'items', 'rate /s', ...PHASES.map((p) => `${p} s`), 'peak RSS MB', 'influxd MB'];
    const rows: string[][] = [
      ['seed readings (InfluxStore.write)', fmt(seeded.seconds, 1), fmt(seeded.points), fmt(seeded.points / seeded.seconds), '', '', '', '', '', fmt(seedMem.selfMb), fmt(seedMem.influxMb)],
      [`baseline read (InfluxQL, 1 of ${enterprises.length} enterprises)`, fmt(read.seconds, 1), fmt(read.rows), fmt(read.rows / read.seconds), '', '', '', '', '', fmt(readMem.selfMb), fmt(readMem.influxMb)],
      ...raws.map(({ label, result }) => [`baseline figure write, ${label}`, fmt(result.seconds, 1), fmt(result.points), fmt(result.pointsPerSecond), '', '', '', '', '', '', '']),
      ...runs.map(({ label, totals: t, mem: m }) => [label, fmt(t.seconds, 1), fmt(t.figures), fmt(t.figures / t.seconds), ...PHASES.map((p) => pct(t, p)), fmt(m.selfMb), fmt(m.influxMb)]),
    ];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ');
    console.log(`\nbench:aggregate — ${fmt(pointCount)} points, ${enterprises.length} enterprises, ${MONTH}${range.end < month.end ? ` (${days} days)` : ''}, 15-minute figures; ${cpus().length} cores`);
    console.log(lines.join('\n'));
    console.log(`\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}\n${rows.map(line).join('\n')}`);
    console.log('items: readings written, rows read, figures computed. Phase times are sums over units; the % is of the stage\'s wall time.');
    console.log(
      `The figures asked for: recomputing ${days} day${days === 1 ? '' : 's'} of 15-minute figures for ${fmt(pointCount)} points with nothing changed took ${fmt(stageSeconds(INCREMENTAL), 1)} s ` +
        `(a full recomputation ${FULL_RECOMPUTE ? `${fmt(stageSeconds(FULL), 1)} s` : 'not run'}); a late reading's restatements were published ${fmt(lateSeconds, 2)} s after it was stored; ` +
        `the first computation wrote figures at ${fmt(firstRate / dayRaw.pointsPerSecond, 2)} × the raw write rate of a day's figures, compute ${fmt((100 * first.phases.compute) / first.seconds, 1)} % of its time.`,
    );
    console.log(
      `peak RSS over the whole run (VmHWM): this process ${fmt(selfHwm)} MB, influxd ${fmt(influxHwm)} MB (${fmt(influxNow)} MB at the end), Kafka ${fmt(kafkaHwm)} MB; ` +
        `on disk: InfluxDB ${fmt(influxDisk)} MB, Kafka ${fmt(kafkaDisk)} MB`,
    );
  } finally {
    await admin.disconnect();
    await bus.close();
    await stack.stop();
    await rm(baseDir, { recursive: true, force: true });
  }
}

await main();
