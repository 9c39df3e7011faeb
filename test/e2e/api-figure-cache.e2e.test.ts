// Issue 17, item 4, on the real stack: the API process keeps the figures of closed periods in
// its figure cache, and a figure the aggregator changes afterwards shows through it. The
// aggregator's own publisher and writer change them as a recomputation does (announce on Kafka,
// then write to InfluxDB): a restated day, and a closed day computed for the first time (a
// figure batch, no restatement). The API is asked until the new figure shows; how long that took
// is printed, not asserted (speed lives in the benchmarks).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busFigurePublisher, writeFigures } from '@meterline/aggregator';
import { KafkaBus } from '@meterline/bus-kafka';
import { FIGURE_KINDS, type FigureV1, type RestatementV1 } from '@meterline/contracts';
import { calendarPeriod } from '@meterline/domain';
import { fleetManifest } from '@meterline/simulator';
import { aggregationTopics, type AggregationTopics } from '../harness/aggregation.ts';
import { apiProcess } from '../harness/api-process.ts';
import { createPipeline, type Pipeline } from '../harness/pipeline.ts';
import type { ServiceProcess } from '../harness/service-process.ts';
import { stackEnv } from '../harness/stack-env.ts';

const TZ = 'Asia/Shanghai';
const SECRET = 'e2e-figure-cache-admin-secret';
const manifest = fleetManifest({ enterprises: 1, devicesPerEnterprise: 1, pointsPerDevice: 1, prefix: 'cache' });
const enterprise = manifest.enterprises[0]!;
/** Closed days of March 2026; the 4th has no figure until the "first computation" below. */
const DAYS = ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04'].map((key) => calendarPeriod(key, TZ));
/** Two kinds of figure: a change settles per kind, so each test has a kind of its own. */
const CARBON = { measurement: FIGURE_KINDS.carbon, subject: { region: enterprise.region, scope: 'total-location' }, unit: 'tCO2', filter: { scope: 'total-location' } };
const COAL = { measurement: FIGURE_KINDS.standardCoal, subject: { region: enterprise.region, level: 'enterprise', basis: 'equivalent' }, unit: 'tce', filter: {} };
type Kind = typeof CARBON | typeof COAL;

/** The API's path for a kind's day figures of the four days. */
function figuresPath(kind: Kind): string {
  const query = new URLSearchParams({ measurement: kind.measurement, period: 'day', ...kind.filter, from: new Date(DAYS[0]!.start).toISOString(), to: new Date(DAYS[3]!.end).toISOString() });
  return `/v1/enterprises/${enterprise.id}/figures?${query.toString()}`;
}

/** A day figure of the enterprise as the aggregator publishes it. */
function figureOfDay(kind: Kind, day: number, value: number, revision = 0): FigureV1 {
  const period = DAYS[day]!;
  return {
    measurement: kind.measurement,
    enterpriseId: enterprise.id,
    subject: kind.subject,
    periodKind: 'day',
    periodKey: period.key,
    startMs: period.start,
    endMs: period.end,
    value,
    unit: kind.unit,
    expandedUncertainty: value * 0.06,
    coveragePercent: 100,
    estimated: 0,
    flags: [],
    factorSet: 'cn-2023@1.0.0',
    registryVersion: 'e2e-cache-r1',
    revision,
    detail: {},
  };
}

/** The restatement the aggregator records when a recomputation moves a published figure. */
function restatementOf(before: FigureV1, after: FigureV1): RestatementV1 {
  const published = (f: FigureV1) => ({ value: f.value, expandedUncertainty: f.expandedUncertainty, coveragePercent: f.coveragePercent, flags: f.flags, factorSet: f.factorSet, registryVersion: f.registryVersion, revision: f.revision });
  return {
    v: 1,
    restatementId: `e2e-cache-${after.periodKey}-${after.revision}`,
    enterpriseId: after.enterpriseId,
    measurement: after.measurement,
    subject: after.subject,
    periodKind: after.periodKind,
    periodKey: after.periodKey,
    startMs: after.startMs,
    unit: after.unit,
    old: published(before),
    new: published(after),
    reason: 'READINGS_CHANGED',
    detail: `value ${before.value} → ${after.value} ${after.unit}`,
    restatedAt: new Date().toISOString(),
  };
}

let pipeline: Pipeline;
let topics: AggregationTopics;
let api: ServiceProcess;
let apiUrl: string;
let bus: KafkaBus;

interface Shown {
  periodKey: string;
  value: number;
  revision: number;
}

const figuresOf = async (kind: Kind): Promise<Shown[]> => {
  const response = await fetch(`${apiUrl}${figuresPath(kind)}`, { headers: { authorization: `Bearer ${SECRET}` } });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { items: { periodKey: string; value: number; revision: number }[] };
  return body.items.map(({ periodKey, value, revision }) => ({ periodKey, value, revision }));
};

const metric = async (name: string): Promise<number> => {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
};

/** As a recomputation does it (services/aggregator aggregate-enterprise.ts): announce on Kafka, then write to InfluxDB. */
async function recompute(figures: FigureV1[], restatements: RestatementV1[]): Promise<void> {
  const producer = await bus.producer();
  try {
    await busFigurePublisher({ producer, topics: { figures: topics.figures, restatements: topics.restatements }, maxFiguresPerMessage: 500 }).publish(enterprise.id, figures, restatements);
    await writeFigures(pipeline.store, figures, restatements, 5_000);
  } finally {
    await producer.close();
  }
}

/**
 * Asks the API until `seen` holds; returns how long that took after `since`, for the log. No
 * deadline of its own (how soon is the benchmarks' business): the runner's test timeout ends a
 * test that never sees it.
 */
async function askUntil(kind: Kind, seen: (shown: Shown[]) => boolean, since: number): Promise<number> {
  for (;;) {
    if (seen(await figuresOf(kind))) return performance.now() - since;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

beforeAll(async () => {
  const env = stackEnv();
  pipeline = await createPipeline(env, { version: 1, enterprises: [enterprise] });
  topics = await aggregationTopics(env.stack, pipeline);
  bus = new KafkaBus({ brokers: [...env.stack.kafka.brokers], clientId: `e2e-figure-cache-${pipeline.id}` });
  // Three closed days of each kind as first published, before the API starts.
  const first = [10.5, 11.25, 12.75].flatMap((value, day) => [figureOfDay(CARBON, day, value), figureOfDay(COAL, day, value / 10)]);
  await writeFigures(pipeline.store, first, [], 5_000);
  ({ process: api, url: apiUrl } = await apiProcess(env.stack, pipeline, [{ id: 'cache-admin', secret: SECRET, role: 'admin' }], { aggregation: topics }));
  await api.start();
  // The cache is used once the API has caught up with the announcements; until then it reads the store.
  for (;;) {
    const health = (await (await fetch(`${apiUrl}/health`)).json()) as { checks: { figureCache?: string } };
    if (health.checks.figureCache === 'ok') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});

afterAll(async () => {
  await api?.stop();
  await bus?.close();
  await pipeline?.close();
});

describe('the figure cache of the API process', () => {
  it('answers a closed period from its cache, and a restatement shows once announced and stored', async () => {
    const before = [
      { periodKey: '2026-03-01', value: 10.5, revision: 0 },
      { periodKey: '2026-03-02', value: 11.25, revision: 0 },
      { periodKey: '2026-03-03', value: 12.75, revision: 0 },
    ];
    expect(await figuresOf(CARBON)).toEqual(before);
    const hits = await metric('meterline_api_figure_cache_hits_total');
    expect(await figuresOf(CARBON)).toEqual(before);
    expect(await metric('meterline_api_figure_cache_hits_total')).toBe(hits + 1);

    const restated = figureOfDay(CARBON, 1, 13.5, 1);
    const since = performance.now();
    await recompute([restated], [restatementOf(figureOfDay(CARBON, 1, 11.25), restated)]);
    const delayMs = await askUntil(CARBON, (shown) => shown[1]?.value === 13.5, since);
    console.log(`figure cache e2e: a restated day answered by the API ${delayMs.toFixed(0)} ms after the aggregator's publisher began announcing it (announce, write, then asked every 10 ms)`);

    expect(await figuresOf(CARBON)).toEqual([before[0], { periodKey: '2026-03-02', value: 13.5, revision: 1 }, before[2]]);
    expect(await metric('meterline_api_figure_cache_invalidations_total')).toBeGreaterThanOrEqual(1);
  });

  it('shows a closed day computed for the first time (a figure batch, no restatement)', async () => {
    // The range's answer is cached without the 4th, which has no figure yet.
    expect((await figuresOf(COAL)).map((f) => f.periodKey)).toEqual(['2026-03-01', '2026-03-02', '2026-03-03']);
    const hits = await metric('meterline_api_figure_cache_hits_total');
    expect(await figuresOf(COAL)).toHaveLength(3);
    expect(await metric('meterline_api_figure_cache_hits_total')).toBe(hits + 1);

    const since = performance.now();
    await recompute([figureOfDay(COAL, 3, 0.975)], []);
    const delayMs = await askUntil(COAL, (shown) => shown.length === 4, since);
    console.log(`figure cache e2e: a closed day's first figure answered by the API ${delayMs.toFixed(0)} ms after the aggregator's publisher began announcing it`);
    expect((await figuresOf(COAL))[3]).toEqual({ periodKey: '2026-03-04', value: 0.975, revision: 0 });
  });
});
