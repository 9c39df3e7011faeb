import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { stringify } from 'yaml';
import { run, type AccountOutput } from '@meterline/cli';
import type { RestatementV1 } from '@meterline/contracts';
import type { EnterpriseFigures, Manifest } from '@meterline/domain';
import { createTopics, freePorts, type StackConnection } from '@meterline/local-stack';
import { completenessOf, FIGURE_MEASUREMENTS, FIGURE_TAGS, figureOf, READINGS_MEASUREMENT, readReadings, type UnreadableRow } from '@meterline/series';
import { formatWithOffset } from '@meterline/simulator';
import type { InfluxStore } from '@meterline/store-influx';
import type { Pipeline } from './pipeline.ts';
import { serviceProcess, type ServiceProcess } from './service-process.ts';

const ROOT = join(import.meta.dirname, '..', '..');

export interface AggregationTopics {
  figures: string;
  restatements: string;
  jobs: string;
}

/** The aggregator's topics for one pipeline: its own, like the pipeline's readings topic. */
export async function aggregationTopics(stack: StackConnection, pipeline: Pipeline, suffix = ''): Promise<AggregationTopics> {
  const topics = {
    figures: `e2e-${pipeline.id}${suffix}.figures.v1`,
    restatements: `e2e-${pipeline.id}${suffix}.restatements.v1`,
    jobs: `e2e-${pipeline.id}${suffix}.aggregation-jobs.v1`,
  };
  await createTopics(stack.kafka.brokers, [
    { topic: topics.figures, partitions: 6 },
    { topic: topics.restatements, partitions: 3 },
    { topic: topics.jobs, partitions: 12 },
  ]);
  return topics;
}

/** The settings the aggregator and the backfill share, for a pipeline's stores and topics. */
export function aggregatorEnv(stack: StackConnection, pipeline: Pipeline, topics: AggregationTopics, database = pipeline.database): Record<string, string> {
  return {
    MTL_KAFKA_BROKERS: stack.kafka.brokers.join(','),
    MTL_FIGURES_TOPIC: topics.figures,
    MTL_RESTATEMENTS_TOPIC: topics.restatements,
    MTL_INFLUX_URL: stack.influx.url,
    MTL_INFLUX_TOKEN: stack.influx.token,
    MTL_INFLUX_DATABASE: database,
    MTL_REGISTRY_FILE: join(pipeline.workDir, 'registry.yaml'),
  };
}

/** An aggregator service instance, as a process of its built bundle. */
export async function aggregatorProcess(env: Record<string, string>, topics: AggregationTopics, instance: string, logDir: string): Promise<ServiceProcess> {
  const [ops] = (await freePorts(1)) as [number];
  await mkdir(join(logDir, instance), { recursive: true });
  return serviceProcess(
    'aggregator',
    {
      ...env,
      MTL_JOBS_TOPIC: topics.jobs,
      MTL_GROUP_ID: `aggregators-${topics.jobs}`,
      MTL_INSTANCE_ID: instance,
      MTL_KAFKA_SESSION_TIMEOUT_MS: '10000',
      MTL_OPS_PORT: String(ops),
      MTL_LOG_LEVEL: 'info',
    },
    join(logDir, instance),
  );
}

export interface BackfillRun {
  /** Resolves with the exit code and everything printed. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** Resolves once stderr has shown this much progress (percent). */
  progressed(percent: number): Promise<void>;
  kill(): void;
}

/** `meterline aggregate` as its own process, as an operator runs it. */
export function backfillProcess(env: Record<string, string>, args: string[], logFile: string): BackfillRun {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'services', 'aggregator', 'src', 'backfill', 'main.ts'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  let stdout = '';
  let stderr = '';
  const waiters: { percent: number; resolve: () => void }[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    log.write(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    log.write(chunk);
    const shown = Math.max(0, ...[...stderr.matchAll(/\]\s+(\d+) %/g)].map((m) => Number(m[1])));
    for (const w of waiters.splice(0)) (shown >= w.percent ? w.resolve : () => waiters.push(w))();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return {
    exited,
    progressed: (percent) => new Promise((resolve) => waiters.push({ percent, resolve })),
    kill: () => void child.kill('SIGKILL'),
  };
}

/** Later than anything a test stores, and within InfluxDB's time range (it ends in 2262). */
const STORED_UNTIL_MS = Date.UTC(2200, 0, 1);

/** Only the pipeline writes what a test reads back: a row that does not read is the test's failure. */
const unexpected = (row: UnreadableRow): never => {
  throw new Error(`stored ${row.measurement} row unreadable: ${row.reason}`);
};

/** Every stored reading as the CSV `meterline account` reads (the point's unit, local time with offset). */
async function exportReadingsCsv(store: InfluxStore, units: Map<string, { quantity: string; unit: string }>, offsetMinutes: number): Promise<string> {
  const lines = ['point,timestamp,quantity,value,unit'];
  for (const r of await readReadings(store, { measurement: READINGS_MEASUREMENT, fromMs: 0, toMs: STORED_UNTIL_MS, fields: [] }, unexpected)) {
    const info = units.get(r.pointId);
    if (!info) throw new Error(`stored reading of unknown point ${r.pointId}`);
    lines.push(`${r.pointId},${formatWithOffset(r.tsMs, offsetMinutes)},${info.quantity},${String(r.value)},${info.unit}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `meterline account` (in-process, JSON, equal value as the aggregator gives it) on the
 * readings stored in InfluxDB, exported as its CSV: the figures an auditor would get.
 */
export async function accountStoredReadings(store: InfluxStore, manifest: Manifest, periodArgs: string[]): Promise<EnterpriseFigures[]> {
  const units = new Map(manifest.enterprises.flatMap((e) => e.sites.flatMap((s) => s.meteringPoints.map((p) => [p.id, { quantity: p.quantity, unit: p.unit }] as const))));
  const csv = await exportReadingsCsv(store, units, 480);
  const manifestText = stringify(manifest);
  let stdout = '';
  let stderr = '';
  const code = await run(['account', '--manifest', 'm.yaml', '--readings', 'r.csv', '--equal-value', '--format', 'json', ...periodArgs], {
    readFile: (path) => Promise.resolve(path === 'm.yaml' ? manifestText : csv),
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return (JSON.parse(stdout) as AccountOutput).enterprises;
}

/** One stored figure: its series and period as a key, and the numbers a reader compares. */
export interface StoredFigure {
  key: string;
  value: number;
  expandedU: number;
  coverage: number;
  /** Data completeness in %, from the figure's detail (issue 15). */
  completeness: number | undefined;
  flags: string;
  revision: number;
}

const T = FIGURE_TAGS;
const SUBJECT_TAG: Record<string, (tags: Record<string, string>) => string> = {
  [FIGURE_MEASUREMENTS.consumption]: (t) => t[T.point] ?? '',
  [FIGURE_MEASUREMENTS.standardCoal]: (t) => `${t[T.level]}:${t[T.site] ?? ''}:${t[T.basis]}`,
  [FIGURE_MEASUREMENTS.energyBalance]: (t) => t[T.node] ?? '',
  [FIGURE_MEASUREMENTS.carbon]: (t) => t[T.scope] ?? '',
  [FIGURE_MEASUREMENTS.intensity]: (t) => `${t[T.product]}:${t[T.metric]}:${t[T.site] ?? ''}`,
  [FIGURE_MEASUREMENTS.qualityRule]: (t) => t[T.rule] ?? '',
};

export const figureKeyOf = (measurement: string, enterprise: string, period: string, subject: string, startMs: number) =>
  `${measurement}|${enterprise}|${period}|${subject}|${startMs}`;

/** Every figure in a database, by key; fails on a key stored twice or a point that is no figure. */
export async function storedFigures(store: InfluxStore): Promise<Map<string, StoredFigure>> {
  const figures = new Map<string, StoredFigure>();
  for (const measurement of Object.values(FIGURE_MEASUREMENTS)) {
    for (const point of await store.readSeries({ measurement, tags: {}, fromMs: 0, toMs: STORED_UNTIL_MS })) {
      const read = figureOf(point);
      if (!read.ok) throw new Error(`stored figure unreadable: ${read.reason}`);
      const f = read.value;
      const key = figureKeyOf(measurement, f.enterpriseId, f.periodKind, SUBJECT_TAG[measurement]!(f.subject), f.startMs);
      if (figures.has(key)) throw new Error(`figure stored twice: ${key}`);
      figures.set(key, { key, value: f.value, expandedU: f.expandedUncertainty, coverage: f.coveragePercent, completeness: completenessOf(f), flags: f.flags.join(','), revision: f.revision });
    }
  }
  return figures;
}

/** The key of the figure a restatement restates, as `storedFigures` keys it. */
export const restatementKey = (r: RestatementV1): string => figureKeyOf(r.measurement, r.enterpriseId, r.periodKind, SUBJECT_TAG[r.measurement]!(r.subject), r.startMs);

/** Polls until `read` returns `expected`, for hooks where expect.poll is not available; fails with the last value. */
export async function waitUntilEqual<T>(what: string, read: () => Promise<T>, expected: T, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  do {
    last = await read();
    if (last === expected) return;
    await new Promise((r) => setTimeout(r, 1_000));
  } while (Date.now() < deadline);
  throw new Error(`${what}: expected ${String(expected)}, still ${String(last)} after ${timeoutMs} ms`);
}
