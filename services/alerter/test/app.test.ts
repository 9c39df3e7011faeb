import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { InMemoryBus } from '@meterline/bus';
import type { AlertNotificationV1, DeviceSequenceV1, DeviceStatusV1, FigureBatchV1, FigureV1, ReadingMessageV1 } from '@meterline/contracts';
import type { Manifest } from '@meterline/domain';
import { fileRegistrySource } from '@meterline/feeds';
import { ManualScheduler } from '@meterline/scheduler';
import { FIGURE_FIELDS, FIGURE_MEASUREMENTS, FIGURE_TAGS, figureTags, STANDARD_COAL_BASES, STANDARD_COAL_LEVELS } from '@meterline/series';
import { createLogger, createMetricsRegistry } from '@meterline/service-kit';
import { fleetManifest } from '@meterline/simulator';
import { InMemoryStore } from '@meterline/store';
import { parseAlertingConfig, type AlertingFile } from '../src/alerting-config.ts';
import { createAlerterApp } from '../src/app.ts';
import { createAlerterMetrics } from '../src/metrics.ts';
import { hourFigure as figureOf } from './hour-figure.ts';

const TOPICS = { readings: 'readings', deviceStatus: 'status', deviceSequence: 'device-sequence', figures: 'figures', signals: 'signals', notifications: 'notifications' };
const MIN = 60_000;
const HOUR = 60 * MIN;
// 2026-11-27 10:00 in Shanghai.
const T = Date.parse('2026-11-27T02:00:00Z');

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const manifest: Manifest = fleetManifest({ enterprises: 1, devicesPerEnterprise: 2, pointsPerDevice: 2, prefix: 'al' });
const E = 'al-e0';
const SITE = 'al-e0-s0';
const POINTS = ['al-e0-d0-p0', 'al-e0-d0-p1', 'al-e0-d1-p0', 'al-e0-d1-p1'];
// One meter's certificate runs out in 10 days.
manifest.enterprises[0]!.sites[0]!.meteringPoints[3]!.calibration.validUntil = '2026-12-06';
// The enterprise's declared energy baseline: its standard coal of 2025.
manifest.enterprises[0]!.energyBaselines = [{ id: 'enb-2025', period: '2025-01-01..2025-12-31' }];

const alertingFile: AlertingFile = {
  version: 1,
  defaults: { meterOffline: { afterMinutes: 15 } },
  enterprises: {
    [E]: {
      thresholds: [{ points: ['al-e0-d0-p1'], period: 'hour', measure: 'energy', max: 300 }],
      budgets: { tceMonthly: 100 },
    },
  },
  subscriptions: [{ id: 'energy-manager', enterpriseId: E, url: 'http://127.0.0.1:9/hook', secret: 'a-secret-of-16-chars' }],
};

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'alerter-app-'));
  const registryFile = join(dir, 'registry.yaml');
  await writeFile(registryFile, stringify(manifest));
  const parse = (file: AlertingFile) => {
    const parsed = parseAlertingConfig(stringify(file), 'alerting.yaml');
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    return parsed.config;
  };
  let alerting = parse(alertingFile);
  const bus = new InMemoryBus();
  const store = new InMemoryStore();
  const scheduler = new ManualScheduler();
  const clock = { now: T };
  const inputs = bus.consumer({ groupId: 'observer', topics: [TOPICS.readings, TOPICS.deviceStatus, TOPICS.deviceSequence, TOPICS.figures] });
  const signals = bus.consumer({ groupId: 'manager', topics: [TOPICS.signals] });
  const app = createAlerterApp({
    inputs,
    signals,
    dispatcher: { start: () => Promise.resolve(), close: () => Promise.resolve()},
    producer: bus.producer(),
    topics: TOPICS,
    store,
    registry: await fileRegistrySource(registryFile, () => undefined),
    alerting: () => Promise.resolve(alerting),
    scheduler,
    tickSeconds: 30,
    figureMaxAgeMs: 48 * HOUR,
    maxFiguresPerSignal: 100,
    clock: () => new Date(clock.now),
    log: createLogger('alerter-test', 'silent'),
    metrics: createAlerterMetrics(createMetricsRegistry('alerter-test')),
  });
  await app.start();
  cleanups.push(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });
  const settled = async () => {
    for (let i = 0; i < 500; i++) {
      if ((await inputs.lag()) === 0 && (await signals.lag()) === 0) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`the alerter did not take in its inputs: lag ${await inputs.lag()} / ${await signals.lag()}`);
  };
  const send = async (topic: string, values: object[], key = E) => {
    await bus.producer().send(topic, values.map((v) => ({ key, value: Buffer.from(JSON.stringify(v)) })));
    await settled();
  };
  const tick = async (at: number) => {
    clock.now = at;
    await scheduler.fire('alert-tick', new Date(at));
    await settled();
  };
  const notifications = () => bus.messagesOf(TOPICS.notifications).map((m) => JSON.parse(m.value.toString()) as AlertNotificationV1);
  const setAlerting = (file: AlertingFile) => {
    alerting = parse(file);
  };
  return { app, store, send, tick, notifications, registryFile, setAlerting };
}

const reading = (point: string, tsMs: number): ReadingMessageV1 => ({
  v: 1,
  readingId: `${point}:${tsMs}:0`,
  deviceId: point.slice(0, -3),
  seq: tsMs,
  index: 0,
  enterpriseId: E,
  siteId: SITE,
  pointId: point,
  carrier: 'electricity',
  quantity: 'active-energy-import',
  value: tsMs / 1e6,
  unit: 'kWh',
  sourceValue: tsMs / 1e6,
  sourceUnit: 'kWh',
  ts: new Date(tsMs).toISOString(),
  tsMs,
  quality: 'good',
  receivedAt: new Date(tsMs).toISOString(),
});

const hourFigure = (point: string, startMs: number, over: Partial<FigureV1> = {}) => figureOf({ enterpriseId: E, site: SITE, point, startMs }, over);
const balance = (startMs: number, gap: number): FigureV1 =>
  hourFigure('x', startMs, { measurement: 'energy_balance', subject: { site: SITE, node: 'al-e0-d0-p0', carrier: 'electricity' }, value: gap, expandedUncertainty: 5 });
const batch = (figures: FigureV1[]): FigureBatchV1 => ({ v: 1, enterpriseId: E, computedAt: new Date(T).toISOString(), figures });
const status = (deviceId: string, state: 'online' | 'offline', atMs: number): DeviceStatusV1 => ({
  v: 1,
  deviceId,
  enterpriseId: E,
  state,
  text: state,
  retained: false,
  receivedAt: new Date(atMs).toISOString(),
  receivedMs: atMs,
});

/** Ingest's record of a payload of `deviceId` with this seq and bytes. */
const sequence = (deviceId: string, seq: number, bytes: string, atMs: number): DeviceSequenceV1 => ({
  v: 1,
  deviceId,
  enterpriseId: E,
  seq,
  sha256: createHash('sha256').update(bytes).digest('hex'),
  outcome: 'admitted',
  receivedAt: new Date(atMs).toISOString(),
  receivedMs: atMs,
});

/** Per rule and subject, the statuses announced, in order. */
function announced(notifications: AlertNotificationV1[]) {
  const out: Record<string, string[]> = {};
  for (const n of notifications) for (const a of n.alerts) (out[`${a.rule} ${Object.values(a.subject).join('/')}`] ??= []).push(`${a.status}${n.repeat ? ' (repeat)' : ''}`);
  return out;
}

it('reports its store and the link of its consumers to Kafka in health (issue 18)', async () => {
  const { app, store } = await setup();
  expect(await app.health()).toEqual({ healthy: true, checks: { influxdb: 'ok', kafka: 'ok' } });
  store.available = false;
  expect(await app.health()).toEqual({ healthy: false, checks: { influxdb: 'down', kafka: 'ok' } });
});

it('fires each rule once for its subject and resolves it once, through the observer, the manager and the outbox', async () => {
  const { store, send, tick, notifications, registryFile } = await setup();
  const dayStart = Date.parse('2026-11-25T16:00:00Z'); // 2026-11-26 00:00 in Shanghai
  // The month so far: 26 closed days of 4.5 tce project 135 tce for 30 days, above the budget of 100.
  const monthSoFar = (tcePerDay: number) =>
    store.write(
      Array.from({ length: 26 }, (_, d) => ({
        measurement: FIGURE_MEASUREMENTS.standardCoal,
        tags: { ...figureTags(E, 'day'), [FIGURE_TAGS.region]: 'CN-CQ', [FIGURE_TAGS.level]: STANDARD_COAL_LEVELS.enterprise, [FIGURE_TAGS.basis]: STANDARD_COAL_BASES.equivalent },
        fields: { [FIGURE_FIELDS.value]: tcePerDay },
        timestampMs: dayStart - (25 - d) * 24 * HOUR,
      })),
    );
  await monthSoFar(4.5);
  await send(TOPICS.readings, POINTS.map((p) => reading(p, T - MIN)));
  await tick(T);
  // The hour 09:00-10:00 local: p0 covered 50 %, p1 above its threshold, d1-p0 ran backwards; the main node does not balance.
  const hour = T - HOUR;
  await send(TOPICS.figures, [
    batch([
      hourFigure(POINTS[0]!, hour, { coveragePercent: 50, flags: ['gap'] }),
      hourFigure(POINTS[1]!, hour, { value: 320 }),
      hourFigure(POINTS[2]!, hour, { flags: ['suspect-drop'] }),
      balance(hour, 40),
    ]),
  ]);
  // Device d1 drops: its last will. Its points read nothing after it.
  await send(TOPICS.deviceStatus, [status('al-e0-d1', 'offline', T + MIN)], 'al-e0-d1');
  await send(TOPICS.readings, POINTS.slice(0, 2).map((p) => reading(p, T + 2 * MIN)));
  // Device d0 sends seq 7 twice with other bytes: a replay.
  await send(TOPICS.deviceSequence, [sequence('al-e0-d0', 7, 'first', T), sequence('al-e0-d0', 7, 'second', T + MIN)], 'al-e0-d0');
  await tick(T + 5 * MIN);

  const firing = announced(notifications());
  expect(firing).toEqual({
    [`budget-overrun tce`]: ['firing'],
    [`calibration-expiring ${SITE}/al-e0-d1-p1`]: ['firing'],
    [`low-coverage ${SITE}/${POINTS[0]}`]: ['firing'],
    [`consumption-threshold ${SITE}/${POINTS[1]}/hour/energy`]: ['firing'],
    [`suspect-counter ${SITE}/${POINTS[2]}`]: ['firing'],
    [`balance-gap ${SITE}/al-e0-d0-p0/electricity`]: ['firing'],
    [`meter-offline ${SITE}/${POINTS[2]}`]: ['firing'],
    [`meter-offline ${SITE}/${POINTS[3]}`]: ['firing'],
    // Resolved once the replay is older than the rule's 60-minute window.
    [`device-sequence al-e0-d0`]: ['firing'],
  });
  const offline = notifications().find((n) => n.rule === 'meter-offline')!;
  expect(offline.alerts).toHaveLength(2);

  // The next hour is clean, d1 is back, the month restated lower (3 tce a day: 90 projected), the certificate renewed.
  await send(TOPICS.figures, [batch([...POINTS.slice(0, 3).map((p) => hourFigure(p, T)), balance(T, 2)])]);
  await send(TOPICS.deviceStatus, [status('al-e0-d1', 'online', T + 61 * MIN)], 'al-e0-d1');
  await send(TOPICS.readings, POINTS.map((p) => reading(p, T + 62 * MIN)));
  await monthSoFar(3);
  const renewed = structuredClone(manifest);
  renewed.enterprises[0]!.sites[0]!.meteringPoints[3]!.calibration.validUntil = '2027-12-31';
  await writeFile(registryFile, stringify(renewed));
  await tick(T + 65 * MIN);

  const all = announced(notifications());
  expect(all).toEqual(Object.fromEntries(Object.keys(firing).map((key) => [key, ['firing', 'resolved']])));
});

it('closes an open figure alert at the next tick once its rule no longer judges it (rule turned off, threshold removed)', async () => {
  const { send, tick, notifications, setAlerting } = await setup();
  await send(TOPICS.readings, POINTS.map((p) => reading(p, T - MIN)));
  await tick(T);
  await send(TOPICS.figures, [batch([hourFigure(POINTS[0]!, T - HOUR, { coveragePercent: 50 }), hourFigure(POINTS[1]!, T - HOUR, { value: 320 })])]);
  setAlerting({ ...alertingFile, defaults: { ...alertingFile.defaults, lowCoverage: { enabled: false } }, enterprises: { [E]: { budgets: { tceMonthly: 100 } } } });
  await tick(T + MIN);
  const closed = notifications().filter((n) => n.status === 'resolved' && (n.rule === 'low-coverage' || n.rule === 'consumption-threshold'));
  expect(closed.map((n) => [n.rule, n.alerts[0]!.subject.point, n.alerts[0]!.summary.endsWith('(closed: its rule no longer judges this subject)')]).sort()).toEqual([
    ['consumption-threshold', POINTS[1], true],
    ['low-coverage', POINTS[0], true],
  ]);
});

it('judges the month figures of issue 16: a target at risk, escalated when exceeded, closed on track; a product clearly above its limit year to date, closed when undecidable', async () => {
  const { send, notifications } = await setup();
  // November 2026 in Shanghai, and December: the months whose progress and compliance the aggregator publishes.
  const november = { periodKey: '2026-11', startMs: Date.parse('2026-11-01T00:00:00+08:00'), endMs: Date.parse('2026-12-01T00:00:00+08:00') };
  const december = { periodKey: '2026-12', startMs: Date.parse('2026-12-01T00:00:00+08:00'), endMs: Date.parse('2027-01-01T00:00:00+08:00') };
  const target = (m: typeof november, status: string, projection: number): FigureV1 =>
    hourFigure('x', 0, { measurement: 'target_progress', subject: { region: 'CN-CQ', metric: 'energy-total', basis: 'equivalent' }, periodKind: 'month', ...m, value: projection, unit: 'tce', expandedUncertainty: 20, detail: { verdict: status, ceiling: 1_000 } });
  const limit = (m: typeof november, span: string, value: number, verdict: string): FigureV1 =>
    hourFigure('x', 0, {
      measurement: 'limit_compliance',
      subject: { region: 'CN-CQ', product: 'clinker', standard: 'cement-clinker', span },
      periodKind: 'month',
      ...m,
      value,
      unit: 'kgce/t',
      expandedUncertainty: 3,
      detail: { verdict, binding_grade: 'limit', limit_value: 117 },
    });
  // November at risk (1 010 ± 20 tce against 1 000); the clinker's year to date 121 ± 3 kgce/t, clearly above 117; its month alone too (not alerted).
  await send(TOPICS.figures, [batch([target(november, 'at-risk', 1_010), limit(november, 'year-to-date', 121, 'clearly-above'), limit(november, 'month', 125, 'clearly-above')])]);
  // A restatement of November finds the target exceeded (1 050 ± 20): the same alert, now critical, announced again.
  await send(TOPICS.figures, [batch([{ ...target(november, 'exceeded', 1_050), revision: 1 }])]);
  const ofIssue16 = () => notifications().filter((n) => n.rule === 'target-at-risk' || n.rule === 'limit-exceeded');
  expect(ofIssue16().map((n) => [n.rule, n.status, n.repeat, n.alerts.map((a) => [a.severity, a.value, a.threshold, a.unit])])).toEqual([
    ['target-at-risk', 'firing', false, [['warning', 1_010, 1_000, 'tce']]],
    ['limit-exceeded', 'firing', false, [['critical', 121, 117, 'kgce/t']]],
    ['target-at-risk', 'firing', true, [['critical', 1_050, 1_000, 'tce']]],
  ]);
  // December: on track (980 ± 20), and the clinker's year to date 118 ± 3 (115 to 121, the limit inside) undecidable.
  await send(TOPICS.figures, [batch([target(december, 'on-track', 980), limit(december, 'year-to-date', 118, 'undecidable')])]);
  expect(announced(ofIssue16())).toEqual({
    'target-at-risk energy-total/equivalent': ['firing', 'firing (repeat)', 'resolved'],
    'limit-exceeded clinker/cement-clinker': ['firing', 'resolved'],
  });
});

it('judges a day against a declared energy baseline and a fabrication finding on a point’s month, and closes the baseline’s alert once the baseline leaves the registry', async () => {
  const { send, tick, notifications, registryFile } = await setup();
  const day = (key: string) => ({ periodKey: key, startMs: Date.parse(`${key}T00:00:00+08:00`), endMs: Date.parse(`${key}T00:00:00+08:00`) + 24 * HOUR });
  const november = { periodKey: '2026-11', startMs: Date.parse('2026-11-01T00:00:00+08:00'), endMs: Date.parse('2026-12-01T00:00:00+08:00') };
  const december = { periodKey: '2026-12', startMs: Date.parse('2026-12-01T00:00:00+08:00'), endMs: Date.parse('2027-01-01T00:00:00+08:00') };
  // 2026-11-26: 12.4 tce against 10.1 expected, above the interval 9.2–11.
  const deviation = (over: Partial<FigureV1> = {}): FigureV1 =>
    hourFigure('x', 0, {
      measurement: 'baseline_deviation',
      subject: { [FIGURE_TAGS.baseline]: 'enb-2025' },
      periodKind: 'day',
      ...day('2026-11-26'),
      value: 2.3,
      unit: 'tce',
      expandedUncertainty: 0,
      detail: { expected: 10.1, prediction_low: 9.2, prediction_high: 11, outside: 'above', cumulative_deviation: 2.3, cusum_upper: 1.2, cusum_lower: 0, change_signal: '', change_since: '', fit_passed: true, cv_rmse: 8.5 },
      ...over,
    });
  const finding = (m: typeof november, found: number): FigureV1 =>
    hourFigure('x', 0, {
      measurement: 'fabrication_finding',
      subject: { point: POINTS[0]!, detector: 'copied-day' },
      periodKind: 'month',
      ...m,
      value: found,
      unit: 'finding',
      expandedUncertainty: 0,
      detail: { finding_summary: found === 1 ? `${POINTS[0]} has 2 days whose profile repeats an earlier day interval for interval.` : '', evidence: '{}' },
    });
  // A baseline_deviation figure of a month is no day's judgement: not judged.
  await send(TOPICS.figures, [batch([deviation(), deviation({ periodKind: 'month', ...november, periodKey: '2026-11' }), finding(november, 1)])]);
  const ofMining = () => notifications().filter((n) => n.rule === 'baseline-deviation' || n.rule === 'fabrication-suspected');
  expect(ofMining().map((n) => [n.rule, n.status, n.alerts.map((a) => [a.severity, a.value, a.threshold, a.unit])])).toEqual([
    ['baseline-deviation', 'firing', [['warning', 12.4, 11, 'tce']]],
    ['fabrication-suspected', 'firing', [['warning', 1, undefined, 'finding']]],
  ]);
  // The baseline withdrawn from the registry: nothing judges its alert any more, the next tick closes it.
  const withdrawn = structuredClone(manifest);
  delete withdrawn.enterprises[0]!.energyBaselines;
  await writeFile(registryFile, stringify(withdrawn));
  await tick(T);
  // December found clean.
  await send(TOPICS.figures, [batch([finding(december, 0)])]);
  expect(announced(ofMining())).toEqual({
    'baseline-deviation enb-2025': ['firing', 'resolved'],
    [`fabrication-suspected ${POINTS[0]}/copied-day`]: ['firing', 'resolved'],
  });
  const closed = ofMining().find((n) => n.rule === 'baseline-deviation' && n.status === 'resolved')!;
  expect(closed.alerts[0]!.summary.endsWith('(closed: its rule no longer judges this subject)')).toBe(true);
});
