/**
 * bench:api — requests/s and p50/p99 latency of the API's figure endpoints under concurrent
 * load, with the figures of 10 000 metering points stored (issue 6); and, in the same run,
 * the baselines: `/health` on the same API (the HTTP floor) and the very InfluxQL the API
 * issues for each request sent straight to InfluxDB's `/query` (the store floor), so what
 * the API adds is the difference.
 *
 * The figures are written with the aggregator's own `writeFigures`, so they are stored
 * exactly as the aggregator stores them; the API runs as its built bundle on a private
 * native stack. The load generator (undici, closed loop: each connection sends its next
 * request when the previous answer has been read) runs in this process, and everything
 * shares this machine's cores. A benchmark, not a test: it prints, it asserts nothing.
 *
 *   BENCH_POINTS         metering points in all (default 10 000)
 *   BENCH_ENTERPRISES    enterprises they are spread over (default 10)
 *   BENCH_DAYS           days of figures from 2026-03-01, Asia/Shanghai (default 31)
 *   BENCH_QUARTER_DAYS   of which with quarter-hour consumption too (default 1)
 *   BENCH_SECONDS        measured seconds per endpoint and concurrency (default 10)
 *   BENCH_CONCURRENCY    connections, comma separated (default 1,8,32)
 *   BENCH_FIGURE_CACHE   `both` (default): two API processes side by side, one with its figure cache and
 *                        one without (MTL_FIGURE_CACHE_MAX_ENTRIES=0), each endpoint loaded on both in
 *                        turn, so the cache's effect is measured in one run on one machine state; `on`
 *                        or `off`: only that one. The figures are of March 2026, closed periods: the
 *                        cache keeps them (no announcement comes during the benchmark)
 */
import { createHash, randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { stringify } from 'yaml';
import { writeFigures } from '@meterline/aggregator';
import { FIGURE_KINDS, type FigureV1, type RestatementV1 } from '@meterline/contracts';
import { RESTATEMENT_MEASUREMENT, restatementTags } from '@meterline/series';
import { CARBON_SCOPE_NAMES, calendarPeriod, subPeriods, type CarbonScope, type Enterprise, type Period } from '@meterline/domain';
import { createTopics, freePorts, MTL_TOPIC_SPECS, MTL_TOPICS, startStack } from '@meterline/local-stack';
import { fleetManifest } from '@meterline/simulator';
import { InfluxStore, quoteIdentifier, quoteString } from '@meterline/store-influx';
import { cpuSeconds, procMb } from '../harness/process-usage.ts';
import { mulberry32 } from '../harness/seeded-random.ts';
import { serviceProcess } from '../harness/service-process.ts';

const POINTS = Number(process.env['BENCH_POINTS'] ?? 10_000);
const ENTERPRISES = Number(process.env['BENCH_ENTERPRISES'] ?? 10);
const DAYS = Number(process.env['BENCH_DAYS'] ?? 31);
const QUARTER_DAYS = Math.min(DAYS, Number(process.env['BENCH_QUARTER_DAYS'] ?? 1));
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const CONCURRENCY = (process.env['BENCH_CONCURRENCY'] ?? '1,8,32').split(',').map(Number);
const FIGURE_CACHE = process.env['BENCH_FIGURE_CACHE'] ?? 'both';
if (!['both', 'on', 'off'].includes(FIGURE_CACHE)) throw new Error(`BENCH_FIGURE_CACHE must be both, on or off, not ${FIGURE_CACHE}`);
type ApiVariant = 'cache' | 'no cache';
const API_VARIANTS: readonly ApiVariant[] = FIGURE_CACHE === 'both' ? ['cache', 'no cache'] : FIGURE_CACHE === 'on' ? ['cache'] : ['no cache'];
/** Unmeasured load before each measured step, so connections are open and caches warm. */
const WARMUP_SECONDS = 1;
/** The API's own limit is 600 requests per key per minute; a benchmark sends far more. */
const RATE_LIMIT_MAX = 1_000_000_000;

const TZ = 'Asia/Shanghai';
const DAY = 86_400_000;
const FIRST_DAY = '2026-03-01';
/** Figures per InfluxDB write while seeding (writeFigures cuts at period boundaries), and writes in flight. */
const SEED_CHUNK = 20_000;
const SEED_PARALLEL = 2;
const RESTATEMENTS_PER_ENTERPRISE_DAY = 5;

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–');
const sha256 = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');

/** Points per device: the largest up to 100 that divides an enterprise's points, so the fleet has exactly that many. */
function fleetShape(points: number, enterprises: number) {
  const perEnterprise = Math.max(2, Math.round(points / enterprises));
  let pointsPerDevice = Math.min(100, perEnterprise);
  while (perEnterprise % pointsPerDevice !== 0) pointsPerDevice--;
  return { enterprises, devicesPerEnterprise: perEnterprise / pointsPerDevice, pointsPerDevice, prefix: 'bench' };
}

// ---------------------------------------------------------------------------------------
// Seeding: plausible figures in the FigureV1 shape, stored by the aggregator's writeFigures.

const baseFigure = (enterprise: Enterprise, period: Period) => ({
  enterpriseId: enterprise.id,
  periodKind: period.kind,
  periodKey: period.key,
  startMs: period.start,
  endMs: period.end,
  factorSet: 'cn-2023@1.0.0',
  registryVersion: 'bench-r1',
  revision: 0,
});

/** Roughly 0.5–1 kWh a quarter-hour per sub-meter, the main meter the sum plus 2 % losses. */
function enterpriseFigures(enterprise: Enterprise, period: Period, dayIndex: number): FigureV1[] {
  const site = enterprise.sites[0]!;
  const hours = (period.end - period.start) / 3_600_000;
  const subs = site.meteringPoints.length - 1;
  const figures: FigureV1[] = [];
  let subSum = 0;
  site.meteringPoints.forEach((p, i) => {
    if (i === 0) return;
    const kwh = hours * (2 + ((i * 7 + dayIndex + (period.start / 3_600_000) % 24) % 5) * 0.5);
    subSum += kwh;
    const gap = (i + dayIndex) % 97 === 0;
    figures.push({
      ...baseFigure(enterprise, period),
      measurement: FIGURE_KINDS.consumption,
      subject: { site: site.id, point: p.id, carrier: p.carrier, quantity: p.quantity, role: 'sub-meter' },
      value: kwh,
      unit: 'kWh',
      expandedUncertainty: kwh * 0.02,
      coveragePercent: gap ? 95.8 : 100,
      estimated: gap ? kwh * 0.042 : 0,
      flags: gap ? ['GAP_FILLED'] : [],
      detail: { suspect_intervals: 0, outside_calibration: 0, tce: kwh * 0.1229e-3, tce_u: kwh * 0.1229e-3 * 0.02 },
    });
  });
  const main = site.meteringPoints[0]!;
  const mainKwh = subSum * 1.02;
  const tce = mainKwh * 0.1229e-3;
  figures.push({
    ...baseFigure(enterprise, period),
    measurement: FIGURE_KINDS.consumption,
    subject: { site: site.id, point: main.id, carrier: main.carrier, quantity: main.quantity, role: 'boundary-input' },
    value: mainKwh,
    unit: 'kWh',
    expandedUncertainty: mainKwh * 0.01,
    coveragePercent: 100,
    estimated: 0,
    flags: [],
    detail: { suspect_intervals: 0, outside_calibration: 0, tce, tce_u: tce * 0.01 },
  });
  // Enterprise-wide figures: day and hour only, as the brief of the issue's figures asks.
  if (period.kind === 'quarter-hour') return figures;
  const values = (value: number, unit: string, u: number) => ({ value, unit, expandedUncertainty: value * u, coveragePercent: 100, estimated: 0, flags: [] as string[] });
  const region = enterprise.region;
  figures.push(
    { ...baseFigure(enterprise, period), measurement: FIGURE_KINDS.standardCoal, subject: { region, level: 'enterprise', basis: 'equivalent' }, ...values(tce, 'tce', 0.01), detail: {} },
    { ...baseFigure(enterprise, period), measurement: FIGURE_KINDS.standardCoal, subject: { region, level: 'enterprise', basis: 'equal-value' }, ...values(mainKwh * 0.2829e-3, 'tce', 0.05), detail: {} },
    { ...baseFigure(enterprise, period), measurement: FIGURE_KINDS.standardCoal, subject: { region, level: 'site', site: site.id, basis: 'equivalent' }, ...values(tce, 'tce', 0.01), detail: {} },
    {
      ...baseFigure(enterprise, period),
      measurement: FIGURE_KINDS.energyBalance,
      subject: { site: site.id, node: main.id, carrier: 'electricity' },
      ...values(mainKwh - subSum, 'kWh', 0),
      expandedUncertainty: mainKwh * 0.012,
      detail: { input: mainKwh, children_sum: subSum, significant: false, children: site.meteringPoints.slice(1, subs + 1).map((p) => p.id).join(',') },
    },
  );
  const grid = (mainKwh * 0.5257) / 1000;
  const byScope: Record<CarbonScope, number> = {
    scope1: 0,
    'scope2-location': grid,
    'scope2-market': grid * 1.08,
    'purchased-heat': 0,
    'exported-electricity': 0,
    'total-location': grid,
    'total-market': grid * 1.08,
    'total-location-net': grid,
  };
  for (const scope of CARBON_SCOPE_NAMES) {
    figures.push({ ...baseFigure(enterprise, period), measurement: FIGURE_KINDS.carbon, subject: { region, scope }, ...values(byScope[scope], 'tCO2', 0.06), detail: {} });
  }
  return figures;
}

/** A few day figures of the enterprise restated (late readings), their new revision stored with them. */
function restate(figures: FigureV1[], dayIndex: number): RestatementV1[] {
  const restatements: RestatementV1[] = [];
  const candidates = figures.filter((f) => f.measurement === FIGURE_KINDS.consumption);
  for (let k = 0; k < RESTATEMENTS_PER_ENTERPRISE_DAY && k < candidates.length; k++) {
    const f = candidates[(k * 131 + dayIndex * 17) % candidates.length]!;
    const old = { value: f.value * 0.96, expandedUncertainty: f.expandedUncertainty * 1.3, coveragePercent: 96, flags: ['GAP_FILLED'], factorSet: f.factorSet, registryVersion: f.registryVersion, revision: 0 };
    f.revision = 1;
    restatements.push({
      v: 1,
      restatementId: `bench-${f.enterpriseId}-${f.periodKey}-${f.subject['point']}`,
      enterpriseId: f.enterpriseId,
      measurement: f.measurement,
      subject: f.subject,
      periodKind: f.periodKind,
      periodKey: f.periodKey,
      startMs: f.startMs,
      unit: f.unit,
      old,
      new: { value: f.value, expandedUncertainty: f.expandedUncertainty, coveragePercent: f.coveragePercent, flags: f.flags, factorSet: f.factorSet, registryVersion: f.registryVersion, revision: 1 },
      reason: 'READINGS_CHANGED',
      detail: 'late readings',
      restatedAt: new Date(f.endMs + 2 * DAY).toISOString(),
    });
  }
  return restatements;
}

async function seed(store: InfluxStore, enterprises: readonly Enterprise[], days: readonly Period[]) {
  const started = performance.now();
  let written = 0;
  let lastPrint = started;
  const inFlight = new Set<Promise<void>>();
  const submit = async (figures: FigureV1[], restatements: RestatementV1[]) => {
    const p = writeFigures(store, figures, restatements, SEED_CHUNK).then(() => {
      written += figures.length + restatements.length;
      if (performance.now() - lastPrint > 15_000) {
        lastPrint = performance.now();
        console.log(`  … ${fmt(written)} figures written, ${fmt(written / ((lastPrint - started) / 1000))}/s`);
      }
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => undefined);
    while (inFlight.size >= SEED_PARALLEL) await Promise.race(inFlight);
  };
  for (const [dayIndex, day] of days.entries()) {
    for (const enterprise of enterprises) {
      const dayFigures = enterpriseFigures(enterprise, day, dayIndex);
      await submit(dayFigures, restate(dayFigures, dayIndex));
      await submit(subPeriods(day, 'hour').flatMap((hour) => enterpriseFigures(enterprise, hour, dayIndex)), []);
      if (dayIndex < QUARTER_DAYS) await submit(subPeriods(day, 'quarter-hour').flatMap((q) => enterpriseFigures(enterprise, q, dayIndex)), []);
    }
  }
  await Promise.all(inFlight);
  return { figures: written, seconds: (performance.now() - started) / 1000 };
}

// ---------------------------------------------------------------------------------------
// The requests: each names the API call and the InfluxQL the API issues for it.

interface Ask {
  /** path and query on the API */
  path: string;
  secret: string;
  /** what the API's series page reader asks InfluxDB (services/api/src/series/influx-series-page-reader.ts) */
  measurement: string;
  tags: Record<string, string>;
  fromMs: number;
  toMs: number;
  limit: number;
  offset: number;
}

interface Endpoint {
  name: string;
  next: () => Ask;
}

interface Fixture {
  enterprises: readonly Enterprise[];
  days: readonly Period[];
  secrets: { admin: string; regulator: string; enterprise: Map<string, string> };
}

const iso = (ms: number) => new Date(ms).toISOString();
/** The API's opaque cursor (services/api/src/http/pagination.ts): today an offset. */
const cursorOf = (offset: number) => Buffer.from(`o${offset}`, 'utf8').toString('base64url');

function figuresAsk(secret: string, enterprise: Enterprise, q: { measurement: string; period: string; filters: Record<string, string>; fromMs: number; toMs: number; limit?: number; offset?: number }): Ask {
  const limit = q.limit ?? 100;
  const offset = q.offset ?? 0;
  const query = new URLSearchParams({ measurement: q.measurement, period: q.period, ...q.filters, from: iso(q.fromMs), to: iso(q.toMs) });
  if (q.limit !== undefined) query.set('limit', String(limit));
  if (offset > 0) query.set('cursor', cursorOf(offset));
  return {
    path: `/v1/enterprises/${enterprise.id}/figures?${query.toString()}`,
    secret,
    measurement: q.measurement,
    tags: { enterprise: enterprise.id, period: q.period, ...q.filters },
    fromMs: q.fromMs,
    toMs: q.toMs,
    limit: limit + 1,
    offset,
  };
}

function endpoints(fixture: Fixture, seed: number): Endpoint[] {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const { enterprises, days, secrets } = fixture;
  const monthFrom = days[0]!.start;
  const monthTo = days.at(-1)!.end;
  const own = (e: Enterprise) => secrets.enterprise.get(e.id)!;
  const sitePages = Math.ceil((enterprises[0]!.sites[0]!.meteringPoints.length * 24) / 1000);
  const list: Endpoint[] = [
    {
      name: "a point's hourly consumption, one day (24 figures, admin)",
      next: () => {
        const e = pick(enterprises);
        const day = pick(days);
        const point = pick(e.sites[0]!.meteringPoints);
        return figuresAsk(secrets.admin, e, { measurement: FIGURE_KINDS.consumption, period: 'hour', filters: { point: point.id }, fromMs: day.start, toMs: day.end });
      },
    },
    {
      name: `an enterprise's daily carbon of one scope, the month (${days.length} figures, its own key)`,
      next: () => {
        const e = pick(enterprises);
        return figuresAsk(own(e), e, { measurement: FIGURE_KINDS.carbon, period: 'day', filters: { scope: pick(CARBON_SCOPE_NAMES) }, fromMs: monthFrom, toMs: monthTo });
      },
    },
    {
      name: `daily standard coal, the month (${3 * days.length} figures, regulator key)`,
      next: () => {
        const e = pick(enterprises);
        return figuresAsk(secrets.regulator, e, { measurement: FIGURE_KINDS.standardCoal, period: 'day', filters: {}, fromMs: monthFrom, toMs: monthTo, limit: 1000 });
      },
    },
    {
      name: `a site's hourly consumption, a page of 1 000 figures of one day (pages 1–${sitePages}, its own key)`,
      next: () => {
        const e = pick(enterprises);
        const day = pick(days);
        const pages = Math.ceil((e.sites[0]!.meteringPoints.length * 24) / 1000);
        const offset = 1000 * Math.floor(random() * pages);
        return figuresAsk(own(e), e, { measurement: FIGURE_KINDS.consumption, period: 'hour', filters: { site: e.sites[0]!.id }, fromMs: day.start, toMs: day.end, limit: 1000, offset });
      },
    },
    {
      name: `an enterprise's restatements, the month (${RESTATEMENTS_PER_ENTERPRISE_DAY * days.length}, admin, limit 1000)`,
      next: () => {
        const e = pick(enterprises);
        const query = new URLSearchParams({ from: iso(monthFrom), to: iso(monthTo), limit: '1000' });
        return { path: `/v1/enterprises/${e.id}/restatements?${query.toString()}`, secret: secrets.admin, measurement: RESTATEMENT_MEASUREMENT, tags: restatementTags(e.id), fromMs: monthFrom, toMs: monthTo, limit: 1001, offset: 0 };
      },
    },
  ];
  return [...list, { name: 'the five above, mixed at random', next: () => pick(list).next() }];
}

// ---------------------------------------------------------------------------------------
// The load: a closed loop per connection over an undici pool, every body read to its end.

interface Call {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

interface StepResult {
  requests: number;
  non2xx: number;
  errors: number;
  seconds: number;
  latenciesMs: Float64Array;
}

async function runLoad(origin: string, concurrency: number, seconds: number, nextCalls: () => Call[]): Promise<StepResult> {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1, keepAliveTimeout: 60_000 });
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      // One logical request may be several HTTP calls.
      const calls = nextCalls();
      const t0 = performance.now();
      let ok = true;
      try {
        for (const call of calls) {
          const response = await pool.request({ origin, method: call.method, path: call.path, headers: call.headers, body: call.body ?? null });
          const text = await response.body.text();
          if (response.statusCode < 200 || response.statusCode >= 300) ok = false;
          // InfluxDB answers a failed statement with 200 and an error in the body.
          else if (text.startsWith('{"results":[{"statement_id":0,"error"')) ok = false;
        }
      } catch {
        errors++;
        continue;
      }
      latencies.push(performance.now() - t0);
      if (!ok) non2xx++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  return { requests: latencies.length, non2xx, errors, seconds: elapsed, latenciesMs: Float64Array.from(latencies).sort() };
}

/** The API's rate over InfluxDB's alone for the same endpoint and concurrency, e.g. "2.41×"; "–" without a store floor. */
function ratioToStore(rows: readonly Row[], api: Row): string {
  const store = rows.find((r) => r.target === INFLUXDB && r.endpoint === api.endpoint && r.concurrency === api.concurrency);
  return store ? `${fmt(api.rps / store.rps, 2)}×` : '–';
}

const percentile = (sorted: Float64Array, p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN);

const INFLUXDB = 'influxdb';

interface Row {
  endpoint: string;
  /** An API process (with or without its figure cache), or InfluxDB alone. */
  target: ApiVariant | typeof INFLUXDB;
  concurrency: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  apiCpu: number;
  influxCpu: number;
  selfCpu: number;
  apiHwm: number;
}

/** The API's own word on its figure cache (/health checks.figureCache), once it says `want`; the last word after 60 s. */
async function waitForFigureCache(port: number, want: string): Promise<string> {
  let said = 'no answer';
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 200))) {
    const health = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.json() as Promise<{ checks?: { figureCache?: string } }>);
    said = health.checks?.figureCache ?? 'not reported';
    if (said === want) break;
  }
  return said;
}

async function main() {
  const shape = fleetShape(POINTS, ENTERPRISES);
  const manifest = fleetManifest(shape);
  const enterprises = manifest.enterprises as readonly Enterprise[];
  const pointCount = enterprises.reduce((n, e) => n + e.sites[0]!.meteringPoints.length, 0);
  const firstDay = calendarPeriod(FIRST_DAY, TZ);
  const days = Array.from({ length: DAYS }, (_, i) => calendarPeriod(new Date(firstDay.start + 8 * 3_600_000 + i * DAY).toISOString().slice(0, 10), TZ));

  // What `pnpm --silent build` runs: the API is benchmarked as its built bundle.
  execFileSync(process.execPath, [join(import.meta.dirname, '..', '..', 'scripts', 'build.mjs')], { stdio: 'inherit' });

  const baseDir = await mkdtemp(join(tmpdir(), 'meterline-bench-api-'));
  const [mqttPort, kafka, kafkaController, influxHttp, influxRpc, ...apiPorts] = await freePorts(5 + API_VARIANTS.length);
  const stack = await startStack({ baseDir, ports: { mqtt: mqttPort!, kafka: kafka!, kafkaController: kafkaController!, influxHttp: influxHttp!, influxRpc: influxRpc! } });
  const apis: ReturnType<typeof serviceProcess>[] = [];
  // Interrupted: stop what it started rather than leave servers behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void Promise.all(apis.map((a) => a.stop()))
        .then(() => stack.stop())
        .finally(() => rm(baseDir, { recursive: true, force: true }).finally(() => process.exit(130)));
    });
  }
  try {
    // The topics the API reads with Kafka: the alerting and factor-set topics, and the figure announcements its cache follows.
    const apiTopics = new Set<string>([MTL_TOPICS.alerting, MTL_TOPICS.factorSets, MTL_TOPICS.restatements, MTL_TOPICS.figures]);
    await createTopics(stack.connection.kafka.brokers, MTL_TOPIC_SPECS.filter((spec) => apiTopics.has(spec.topic)));
    const influxPid = await stack.services.influx.runningPid();
    const database = 'bench_api';
    await stack.services.influx.createDatabase(database);
    const store = new InfluxStore({ url: stack.connection.influx.url, token: stack.connection.influx.token, database, timeoutMs: 600_000 });
    const figuresPerDay = pointCount * (1 + 24) + enterprises.length * ((3 + 1 + 8) * 25 + RESTATEMENTS_PER_ENTERPRISE_DAY);
    console.log(
      `bench:api — ${fmt(pointCount)} metering points in ${enterprises.length} enterprises, ${DAYS} day${DAYS === 1 ? '' : 's'} from ${FIRST_DAY} (${TZ}): ` +
        `consumption per point per day and hour (quarter-hour for ${QUARTER_DAYS} day${QUARTER_DAYS === 1 ? '' : 's'}), standard coal, carbon (8 scopes), energy balance per enterprise per day and hour, ` +
        `${RESTATEMENTS_PER_ENTERPRISE_DAY} restatements per enterprise and day; ${cpus().length} cores shared by InfluxDB, the API and this load generator`,
    );
    console.log(`\n1. seed: about ${fmt(figuresPerDay * DAYS + pointCount * 96 * QUARTER_DAYS)} figures through the aggregator's writeFigures`);
    const seeded = await seed(store, enterprises, days);
    console.log(`seed: ${fmt(seeded.figures)} figures and restatements in ${fmt(seeded.seconds, 1)} s = ${fmt(seeded.figures / seeded.seconds)}/s`);
    await store.close();

    const secrets = { admin: randomUUID(), regulator: randomUUID(), enterprise: new Map(enterprises.map((e) => [e.id, randomUUID()])) };
    const registryFile = join(baseDir, 'registry.yaml');
    const keysFile = join(baseDir, 'api-keys.yaml');
    await writeFile(registryFile, stringify(manifest));
    await writeFile(
      keysFile,
      stringify({
        version: 1,
        keys: [
          { id: 'bench-admin', sha256: sha256(secrets.admin), role: 'admin' },
          { id: 'bench-regulator', sha256: sha256(secrets.regulator), role: 'regulator', jurisdiction: ['CN-CQ'] },
          ...enterprises.map((e) => ({ id: `${e.id}-energy`, sha256: sha256(secrets.enterprise.get(e.id)!), role: 'enterprise', enterpriseId: e.id })),
        ],
      }),
    );
    /** An API process of the built bundle: `cache` with its figure cache (following the announcement topics), `no cache` without. */
    const startApi = async (variant: ApiVariant, port: number) => {
      const dir = join(baseDir, variant.replace(' ', '-'));
      await mkdir(dir);
      const api = serviceProcess(
        'api',
        {
          MTL_INFLUX_URL: stack.connection.influx.url,
          MTL_INFLUX_TOKEN: stack.connection.influx.token,
          MTL_INFLUX_DATABASE: database,
          MTL_REGISTRY_FILE: registryFile,
          MTL_API_KEYS_FILE: keysFile,
          MTL_KAFKA_BROKERS: stack.connection.kafka.brokers.join(','),
          ...(variant === 'cache' ? {} : { MTL_FIGURE_CACHE_MAX_ENTRIES: '0' }),
          MTL_PORT: String(port),
          MTL_RATE_LIMIT_MAX: String(RATE_LIMIT_MAX),
          MTL_LOG_LEVEL: 'warn',
        },
        dir,
      );
      apis.push(api);
      await api.start();
      // Until its follower has caught up with the announcements, the cache is not used: measure after.
      const health = await waitForFigureCache(port, variant === 'cache' ? 'ok' : 'off');
      return { variant, pid: api.pid(), origin: `http://127.0.0.1:${port}`, health };
    };
    const started: Awaited<ReturnType<typeof startApi>>[] = [];
    for (const [i, variant] of API_VARIANTS.entries()) started.push(await startApi(variant, apiPorts[i]!));
    const first = started[0]!;
    const influxOrigin = stack.connection.influx.url.replace(/\/$/, '');
    const influxAuth = `Token ${stack.connection.influx.token}`;
    console.log(
      `\n2. the API (built bundle): ${started.map((a) => `${a.variant === 'cache' ? 'with its figure cache' : 'without a figure cache'} (pid ${a.pid}, ${a.origin}, /health figureCache: ${a.health})`).join('; ')}; ` +
        `rate limit raised to MTL_RATE_LIMIT_MAX=${fmt(RATE_LIMIT_MAX)} per key per minute for the benchmark (default 600); ` +
        `${SECONDS} s measured per step after ${WARMUP_SECONDS} s of warm-up; concurrency ${CONCURRENCY.join(', ')}`,
    );

    const apiCall = (a: Ask): Call[] => [{ method: 'GET', path: a.path, headers: { authorization: `Bearer ${a.secret}` } }];
    const storeQuery = (q: string): Call => ({
      method: 'POST',
      path: '/query',
      headers: { authorization: influxAuth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ db: database, q, epoch: 'ms' }).toString(),
    });
    /**
     * The statement the API's series page reader sends for one page. It asks a measurement's
     * tag and field keys once and keeps them, so a page is one SELECT; the floor sends no more.
     */
    const storeCalls = (a: Ask): Call[] => {
      const measurement = quoteIdentifier(a.measurement);
      const conditions = [...Object.entries(a.tags).map(([k, v]) => `${quoteIdentifier(k)} = ${quoteString(v)}`), `time >= ${a.fromMs}ms`, `time < ${a.toMs}ms`];
      return [storeQuery(`SELECT * FROM ${measurement} WHERE ${conditions.join(' AND ')} ORDER BY time ASC LIMIT ${a.limit} OFFSET ${a.offset}`)];
    };

    // A sanity look at each endpoint before loading it: status and figures per answer.
    const fixture: Fixture = { enterprises, days, secrets };
    for (const endpoint of endpoints(fixture, 1).slice(0, 5)) {
      const ask = endpoint.next();
      const response = await fetch(`${first.origin}${ask.path}`, { headers: { authorization: `Bearer ${ask.secret}` } });
      const body = (await response.json()) as { items?: unknown[]; next?: string | null; code?: string };
      console.log(`  ${endpoint.name}: ${response.status}, ${body.items?.length ?? body.code} items${body.next ? ', has a next page' : ''}`);
    }

    const rows: Row[] = [];
    const step = async (endpoint: string, target: Row['target'], origin: string, concurrency: number, nextCalls: () => Call[]) => {
      // The API process under load; for InfluxDB alone, the first (idle) one.
      const apiPid = (started.find((a) => a.variant === target) ?? first).pid;
      await runLoad(origin, concurrency, WARMUP_SECONDS, nextCalls);
      const before = { api: await cpuSeconds(apiPid), influx: await cpuSeconds(influxPid), self: process.cpuUsage() };
      const r = await runLoad(origin, concurrency, SECONDS, nextCalls);
      const selfUsage = process.cpuUsage(before.self);
      const row: Row = {
        endpoint,
        target,
        concurrency,
        rps: r.requests / r.seconds,
        p50: percentile(r.latenciesMs, 50),
        p99: percentile(r.latenciesMs, 99),
        max: r.latenciesMs.at(-1) ?? NaN,
        non2xx: r.non2xx,
        errors: r.errors,
        apiCpu: (100 * ((await cpuSeconds(apiPid)) - before.api)) / r.seconds,
        influxCpu: (100 * ((await cpuSeconds(influxPid)) - before.influx)) / r.seconds,
        selfCpu: (100 * (selfUsage.user + selfUsage.system)) / 1e6 / r.seconds,
        apiHwm: await procMb(apiPid, 'VmHWM'),
      };
      rows.push(row);
      console.log(
        `  ${target.padEnd(8)} c=${String(concurrency).padStart(2)}: ${fmt(row.rps, 1).padStart(8)} req/s, p50 ${fmt(row.p50, 1)} ms, p99 ${fmt(row.p99, 1)} ms, max ${fmt(row.max, 1)} ms, ` +
          `non-2xx ${row.non2xx}${row.errors ? `, ${row.errors} transport errors` : ''}; CPU api ${fmt(row.apiCpu)} %, influxd ${fmt(row.influxCpu)} %, load generator ${fmt(row.selfCpu)} %`,
      );
    };

    console.log(`\n3. HTTP floor: GET /health on the API (${first.variant})`);
    for (const c of CONCURRENCY) await step('GET /health (HTTP floor)', first.variant, first.origin, c, () => [{ method: 'GET', path: '/health', headers: {} }]);
    for (const [i, endpoint] of endpoints(fixture, 0).entries()) {
      console.log(`\n${i + 4}. ${endpoint.name}`);
      const storeSide = endpoints(fixture, 0)[i]!;
      for (const c of CONCURRENCY) {
        // Each target asks the same questions in the same order (the same seed).
        for (const api of started) {
          const asks = endpoints(fixture, 0)[i]!;
          await step(endpoint.name, api.variant, api.origin, c, () => apiCall(asks.next()));
        }
        await step(endpoint.name, INFLUXDB, influxOrigin, c, () => storeCalls(storeSide.next()));
      }
    }

    const apiHwm = await Promise.all(started.map(async (a) => `${a.variant} ${fmt(await procMb(a.pid, 'VmHWM'))} MB`));
    const influxHwm = await procMb(influxPid, 'VmHWM');
    const head = ['endpoint', 'target', 'conc', 'req/s', 'API ÷ InfluxDB', 'p50 ms', 'p99 ms', 'max ms', 'non-2xx', 'API CPU %', 'influxd CPU %', 'loadgen CPU %'];
    const cells = rows.map((r) => [
      r.endpoint,
      r.target === INFLUXDB ? 'InfluxDB /query' : `API, ${r.target}`,
      String(r.concurrency),
      fmt(r.rps, 1),
      r.target === INFLUXDB ? '' : ratioToStore(rows, r),
      fmt(r.p50, 1),
      fmt(r.p99, 1),
      fmt(r.max, 1),
      `${r.non2xx}${r.errors ? ` (+${r.errors} err)` : ''}`,
      fmt(r.apiCpu),
      fmt(r.influxCpu),
      fmt(r.selfCpu),
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
    const line = (c: string[]) => c.map((v, i) => (i <= 1 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join(' | ');
    console.log(
      `\nbench:api — ${fmt(pointCount)} points, ${enterprises.length} enterprises, ${DAYS} days of figures (${fmt(seeded.figures)} stored in ${fmt(seeded.seconds)} s), ` +
        `${SECONDS} s per step, rate limit raised to ${fmt(RATE_LIMIT_MAX)}/min; ${cpus().length} cores shared by InfluxDB, the API and the load generator`,
    );
    console.log(`${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}\n${cells.map(line).join('\n')}`);
    console.log(
      'InfluxDB /query rows: the same InfluxQL the API issues for the same requests (the SELECT of the page), sent straight to InfluxDB: the store floor. ' +
        'API ÷ InfluxDB: the API\'s requests/s over the store floor\'s for the same endpoint and concurrency. CPU % is of one core over the measured seconds.',
    );
    console.log(`peak RSS (VmHWM): API ${apiHwm.join(', ')}, influxd ${fmt(influxHwm)} MB, this process ${fmt(await procMb(process.pid, 'VmHWM'))} MB`);
  } finally {
    await Promise.all(apis.map((a) => a.stop()));
    await stack.stop();
    await rm(baseDir, { recursive: true, force: true });
  }
}

await main();
