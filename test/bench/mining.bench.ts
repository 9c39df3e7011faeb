/**
 * bench:mining — issue 20: the time to fit and evaluate energy baselines for 10 000 metering
 * points over a year of daily figures, next to the time to read those figures from InfluxDB
 * (the baseline, the slowest real component the work needs), printed as a ratio.
 *
 * The figures are day consumption figures stored with the aggregator's own `writeFigures` on a
 * private InfluxDB 1.8 and read back, point by point, with the reader the API's baseline
 * route uses (`readFigureMeasures`). Each point's energy depends on its enterprise's
 * production, working days and outdoor temperature (heating below 15 °C, cooling above
 * 22 °C) plus noise. Per point, the baseline is fitted on the first BENCH_BASELINE_DAYS days
 * with the production and working-day variables and the degree-day search the API runs, then
 * evaluated on the rest: savings with their uncertainty, days outside the prediction
 * interval and a CUSUM. Reading and fitting run in this one process, one after the other.
 * A benchmark, not a test: it prints, it asserts nothing.
 *
 *   BENCH_POINTS          metering points (default 10 000)
 *   BENCH_ENTERPRISES     enterprises they are spread over (default 10)
 *   BENCH_DAYS            days of figures from 2025-01-01, Asia/Shanghai (default 365)
 *   BENCH_BASELINE_DAYS   of which the baseline period (default 273: to the end of September)
 *   BENCH_READ_PARALLEL   point reads in flight (default 8)
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFigures } from '@meterline/aggregator';
import { FIGURE_KINDS, type FigureV1 } from '@meterline/contracts';
import { calendarPeriod, subPeriods, type Period } from '@meterline/domain';
import { DEV_INFLUX_ADMIN, freePorts, influx } from '@meterline/local-stack';
import { dailyBaseline, type DailyInput } from '@meterline/mining';
import { readFigureMeasures, type FigureMeasure } from '@meterline/series';
import { InfluxStore } from '@meterline/store-influx';
import { procMb } from '../harness/process-usage.ts';
import { mulberry32 } from '../harness/seeded-random.ts';

const POINTS = Number(process.env['BENCH_POINTS'] ?? 10_000);
const ENTERPRISES = Number(process.env['BENCH_ENTERPRISES'] ?? 10);
const DAYS = Number(process.env['BENCH_DAYS'] ?? 365);
const BASELINE_DAYS = Math.min(DAYS - 1, Number(process.env['BENCH_BASELINE_DAYS'] ?? 273));
const READ_PARALLEL = Number(process.env['BENCH_READ_PARALLEL'] ?? 8);
const TZ = 'Asia/Shanghai';
const DATABASE = 'meterline_bench';
/** Figures per InfluxDB write while seeding, and writes in flight. */
const SEED_CHUNK = 20_000;
const SEED_PARALLEL = 2;

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–');

/** An enterprise's days: its outdoor temperature (a year's wave), its working days and its production. */
function enterpriseDays(days: readonly Period[], e: number): { temperatureC: number; workingDay: 0 | 1; production: number }[] {
  const random = mulberry32(1_000 + e);
  return days.map((day, i) => {
    const weekday = new Date(day.start + 8 * 3_600_000).getUTCDay();
    const workingDay = weekday === 0 || weekday === 6 ? 0 : 1;
    const temperatureC = 16 - 12 * Math.cos((2 * Math.PI * (i - 15)) / 365) + 3 * (random() - 0.5);
    const production = workingDay ? 800 + 400 * random() : 100 * random();
    return { temperatureC, workingDay, production };
  });
}

const pointId = (e: number, p: number) => `bench-e${e}-p${p}`;
const enterpriseId = (e: number) => `bench-e${e}`;

function pointFigures(e: number, p: number, days: readonly Period[], weather: ReturnType<typeof enterpriseDays>): FigureV1[] {
  const random = mulberry32(e * 100_003 + p);
  const base = 200 + 800 * random();
  const perUnit = 0.5 + random();
  const heating = 20 * random();
  const cooling = 30 * random();
  return days.map((day, i) => {
    const w = weather[i]!;
    const kwh = base + perUnit * w.production + 150 * w.workingDay + heating * Math.max(0, 15 - w.temperatureC) + cooling * Math.max(0, w.temperatureC - 22) + 40 * (random() - 0.5);
    return {
      measurement: FIGURE_KINDS.consumption,
      enterpriseId: enterpriseId(e),
      subject: { site: `${enterpriseId(e)}-s1`, point: pointId(e, p), carrier: 'electricity', quantity: 'active-energy-import', role: 'sub-meter' },
      periodKind: 'day',
      periodKey: day.key,
      startMs: day.start,
      endMs: day.end,
      value: kwh,
      unit: 'kWh',
      expandedUncertainty: kwh * 0.01,
      coveragePercent: 100,
      estimated: 0,
      flags: [],
      factorSet: 'cn-2023@1.0.0',
      registryVersion: 'bench-r1',
      revision: 0,
      detail: {},
    };
  });
}

async function seed(store: InfluxStore, days: readonly Period[], weather: ReturnType<typeof enterpriseDays>[], pointsPerEnterprise: number) {
  const started = performance.now();
  let written = 0;
  const inFlight = new Set<Promise<void>>();
  let batch: FigureV1[] = [];
  const flush = async () => {
    const figures = batch;
    batch = [];
    const p = writeFigures(store, figures, [], SEED_CHUNK).then(() => void (written += figures.length));
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => undefined);
    while (inFlight.size >= SEED_PARALLEL) await Promise.race(inFlight);
  };
  for (let e = 0; e < ENTERPRISES; e++) {
    for (let p = 0; p < pointsPerEnterprise; p++) {
      batch.push(...pointFigures(e, p, days, weather[e]!));
      if (batch.length >= SEED_CHUNK) await flush();
    }
  }
  if (batch.length > 0) await flush();
  await Promise.all(inFlight);
  return { figures: written, seconds: (performance.now() - started) / 1000 };
}

/** Every point's day figures, read as the API's baseline route reads one subject's. */
async function readAll(store: InfluxStore, days: readonly Period[], pointsPerEnterprise: number): Promise<{ seconds: number; rows: number; byPoint: Map<string, FigureMeasure[]> }> {
  const byPoint = new Map<string, FigureMeasure[]>();
  const queue: [number, number][] = [];
  for (let e = 0; e < ENTERPRISES; e++) for (let p = 0; p < pointsPerEnterprise; p++) queue.push([e, p]);
  const fail = (row: unknown) => {
    throw new Error(`unreadable figure row: ${JSON.stringify(row)}`);
  };
  let rows = 0;
  const started = performance.now();
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const [e, p] = next;
      const query = { kind: FIGURE_KINDS.consumption, enterpriseId: enterpriseId(e), periodKind: 'day', subject: { point: pointId(e, p) }, fromMs: days[0]!.start, toMs: days.at(-1)!.end } as const;
      const figures = await readFigureMeasures(store, query, fail);
      rows += figures.length;
      byPoint.set(pointId(e, p), figures);
    }
  };
  await Promise.all(Array.from({ length: READ_PARALLEL }, worker));
  return { seconds: (performance.now() - started) / 1000, rows, byPoint };
}

/** Fit and evaluate every point's baseline; the time is the mining's own (no I/O). */
function fitAll(byPoint: Map<string, FigureMeasure[]>, days: readonly Period[], weather: ReturnType<typeof enterpriseDays>[]) {
  const started = performance.now();
  const perPointMs: number[] = [];
  let passing = 0;
  let anomalies = 0;
  for (const [id, figures] of byPoint) {
    const e = Number(/^bench-e(\d+)-/.exec(id)![1]);
    const t = performance.now();
    const inputs: DailyInput[] = figures.map((f, i) => ({ date: days[i]!.key, startMs: f.startMs, energy: f.value, energyU: f.expandedU, production: weather[e]![i]!.production, workingDay: weather[e]![i]!.workingDay, temperatureC: weather[e]![i]!.temperatureC }));
    const result = dailyBaseline(inputs, { baseline: { from: days[0]!.key, to: days[BASELINE_DAYS - 1]!.key }, reporting: { from: days[BASELINE_DAYS]!.key, to: days.at(-1)!.key } });
    if (!result.ok) throw new Error(`${id}: ${result.error.message}`);
    if (result.value.model.verdict.passed) passing++;
    anomalies += result.value.anomalies.outsidePredictionInterval.length;
    perPointMs.push(performance.now() - t);
  }
  perPointMs.sort((a, b) => a - b);
  const q = (f: number) => perPointMs[Math.min(perPointMs.length - 1, Math.floor(f * perPointMs.length))]!;
  return { seconds: (performance.now() - started) / 1000, p50: q(0.5), p99: q(0.99), passing, anomalies };
}

async function main() {
  const pointsPerEnterprise = Math.round(POINTS / ENTERPRISES);
  const year = calendarPeriod('2025', TZ);
  const days = subPeriods(year, 'day').slice(0, DAYS);
  const weather = Array.from({ length: ENTERPRISES }, (_, e) => enterpriseDays(days, e));
  const baseDir = await mkdtemp(join(tmpdir(), 'meterline-bench-mining-'));
  const [httpPort, rpcPort] = await freePorts(2);
  const db = influx({ dir: join(baseDir, 'influxdb'), httpPort: httpPort!, rpcPort: rpcPort!, admin: DEV_INFLUX_ADMIN });
  await mkdir(db.dir, { recursive: true });
  await db.start();
  try {
    await db.createDatabase(DATABASE);
    const store = new InfluxStore({ url: db.url, token: db.token, database: DATABASE, gzipWrites: false, timeoutMs: 120_000 });
    console.log(`bench:mining — ${fmt(ENTERPRISES * pointsPerEnterprise)} points × ${DAYS} days (baseline ${BASELINE_DAYS}, reporting ${DAYS - BASELINE_DAYS}), InfluxDB 1.8 on this machine`);
    const seeded = await seed(store, days, weather, pointsPerEnterprise);
    console.log(`seeded ${fmt(seeded.figures)} day figures in ${fmt(seeded.seconds, 1)} s (${fmt(seeded.figures / seeded.seconds)}/s)`);

    const read = await readAll(store, days, pointsPerEnterprise);
    const fit = fitAll(read.byPoint, days, weather);
    const rss = await procMb(process.pid, 'VmHWM');
    const influxRss = await procMb(await db.runningPid(), 'VmHWM');

    console.log('');
    console.log('| step | seconds | per point | rate |');
    console.log('|---|---|---|---|');
    console.log(`| read from InfluxDB (baseline; ${READ_PARALLEL} in flight) | ${fmt(read.seconds, 1)} | ${fmt((read.seconds * 1000) / read.byPoint.size, 2)} ms | ${fmt(read.rows / read.seconds)} figures/s |`);
    console.log(`| fit and evaluate (this process, one core) | ${fmt(fit.seconds, 1)} | p50 ${fmt(fit.p50, 2)} ms, p99 ${fmt(fit.p99, 2)} ms | ${fmt(read.byPoint.size / fit.seconds)} points/s |`);
    console.log('');
    console.log(`fit ÷ read: ${fmt(fit.seconds / read.seconds, 2)}× the time to read the figures`);
    console.log(`baselines passing ASHRAE Guideline 14's criteria: ${fmt(fit.passing)} of ${fmt(read.byPoint.size)}; reporting days outside the 95 % prediction interval: ${fmt(fit.anomalies)}`);
    console.log(`peak memory: this process ${fmt(rss)} MB, InfluxDB ${fmt(influxRss)} MB`);
  } finally {
    await db.stop();
    await rm(baseDir, { recursive: true, force: true });
  }
}

await main();
