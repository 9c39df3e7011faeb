// Issue 20 on the real stack: a main meter and its sub-meter read every quarter-hour through MQTT,
// ingest, Kafka and the writer into InfluxDB for February and March 2026. The main meter's
// consumption has a declared energy baseline (February, on working days); from 16 March its own
// load rises by 56 % (≈ 40 % of the meter's total). From 3 to 6 March the sub-meter's register
// stands still while the load it meters keeps running through its parent. The aggregator's
// backfill judges both months; an alerter delivers to a real webhook receiver; the API serves the
// findings; every query of the "Baselines and integrity" dashboard runs on that InfluxDB. Every
// expectation is computed here from the consumption this file publishes, not from the services.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readingsTopic, verifyWebhook, WEBHOOK_HEADERS, FIGURE_KINDS, type MqttReading, type WebhookBodyV1, type FigureV1 } from '@meterline/contracts';
import { calendarPeriod, type Manifest } from '@meterline/domain';
import { dailyBaseline, type DailyInput } from '@meterline/mining';
import { FIGURE_DETAIL_FIELDS as D, FIGURE_FIELDS as F, FIGURE_TAGS as T, readFigures } from '@meterline/series';
import { fleetManifest, formatWithOffset, type PlannedPayload } from '@meterline/simulator';
import { aggregationTopics, aggregatorEnv, backfillProcess, waitUntilEqual, type AggregationTopics } from '../harness/aggregation.ts';
import { alerterProcess, alertingTopics, writeAlertingFile } from '../harness/alerting.ts';
import { apiProcess } from '../harness/api-process.ts';
import { builtDashboards, interpolate, panelQueries, panelRange, resolveVariables, type BuiltDashboard, type PanelQuery, type ResolvedVariable } from '../harness/dashboard-queries.ts';
import { publishAccepted } from '../harness/publish-fleet.ts';
import { createPipeline, type Pipeline } from '../harness/pipeline.ts';
import { storedReadings } from '../harness/scenario.ts';
import { mulberry32 } from '../harness/seeded-random.ts';
import type { ServiceProcess } from '../harness/service-process.ts';
import { stackEnv } from '../harness/stack-env.ts';
import { webhookReceiver, type ReceivedWebhook, type WebhookReceiver } from '../harness/webhook-receiver.ts';

const TZ = 'Asia/Shanghai';
const OFFSET_MS = 8 * 3_600_000;
const QH = 900_000;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const SECRET = 'e2e-baselines-webhook-secret-0123';
const API_SECRET = 'e2e-baselines-admin-secret';
const BASELINE_ID = 'enb-2026-02';
const MARCH = '2026-03';
const STEP_DAY = '2026-03-16';
const FLAT_DAYS = ['2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06'];

// One enterprise, one gateway reading two points: p0 the main meter (boundary input), p1 a sub-meter under it.
const manifest: Manifest = fleetManifest({ enterprises: 1, devicesPerEnterprise: 1, pointsPerDevice: 2, prefix: 'e2e-enb' });
const enterprise = manifest.enterprises[0]!;
const device = enterprise.devices[0]!;
const [mainPoint, subPoint] = enterprise.sites[0]!.meteringPoints as [Manifest['enterprises'][number]['sites'][number]['meteringPoints'][number], Manifest['enterprises'][number]['sites'][number]['meteringPoints'][number]];
for (const p of [mainPoint, subPoint]) p.expectedInterval = 'PT15M';
if (subPoint.topology.parent !== mainPoint.id) throw new Error('the fleet manifest no longer puts p1 under p0');
enterprise.energyBaselines = [{ id: BASELINE_ID, point: mainPoint.id, period: '2026-02-01..2026-02-28', variables: ['workingDay'] }];

const dateOf = (ms: number) => new Date(ms + OFFSET_MS).toISOString().slice(0, 10);
/** Monday to Friday in Shanghai: the enterprise declares no calendar. */
const isWorking = (ms: number) => ![0, 6].includes(new Date(ms + OFFSET_MS).getUTCDay());

interface Registers {
  at: number;
  main: number;
  sub: number;
}

/**
 * The two registers every quarter-hour from 1 February 00:00 to 1 April 00:00 (local). The
 * sub-meter's machine draws 40 kWh a quarter-hour on working days and 25 on days off, the main
 * meter's own load 100 and 60, each ±10 % (seeded); the main register meters both. From 16 March
 * the main meter's own load is × 1.56 (+56 kWh of 140 on a working day: +40 %). From 3 to 6 March
 * the sub-meter's register does not move, but its machine runs on and its parent meters it.
 * Seed 20 chosen so that no day of March before the step lies outside the 95 % interval (of 15
 * honest days about one in three seeds would have one: the alert would then rightly start early).
 */
function quarterHours(): Registers[] {
  const random = mulberry32(20);
  const start = calendarPeriod('2026-02', TZ).start;
  const end = calendarPeriod(MARCH, TZ).end;
  const stepFrom = calendarPeriod(STEP_DAY, TZ).start;
  const flatFrom = calendarPeriod(FLAT_DAYS[0]!, TZ).start;
  const flatTo = calendarPeriod(FLAT_DAYS.at(-1)!, TZ).end;
  let main = 50_000;
  let sub = 20_000;
  const registers: Registers[] = [{ at: start, main, sub }];
  for (let at = start; at < end; at += QH) {
    const working = isWorking(at);
    const subLoad = (working ? 40 : 25) * (0.9 + 0.2 * random());
    const ownLoad = (working ? 100 : 60) * (0.9 + 0.2 * random()) * (at >= stepFrom ? 1.56 : 1);
    main = Math.round((main + ownLoad + subLoad) * 1000) / 1000;
    if (at < flatFrom || at >= flatTo) sub = Math.round((sub + subLoad) * 1000) / 1000;
    registers.push({ at: at + QH, main, sub });
  }
  return registers;
}

const registers = quarterHours();
const payloads: PlannedPayload[] = registers.map((r, seq) => {
  const ts = formatWithOffset(r.at, 480);
  const readings: MqttReading[] = [
    { point: mainPoint.id, ts, quantity: 'active-energy-import', value: r.main, unit: 'kWh' },
    { point: subPoint.id, ts, quantity: 'active-energy-import', value: r.sub, unit: 'kWh' },
  ];
  return { deviceId: device.id, topic: readingsTopic(device.id), seq, readings, bytes: Buffer.from(JSON.stringify({ v: 1, deviceId: device.id, seq, readings })) };
});

/** Each local day's consumption of both points: the registers' difference from midnight to midnight. */
const registerAt = new Map(registers.map((r) => [r.at, r]));
const days = (() => {
  const out: { date: string; startMs: number; working: boolean; main: number; sub: number }[] = [];
  for (let d = registers[0]!.at; d < registers.at(-1)!.at; d += DAY) {
    const a = registerAt.get(d)!;
    const b = registerAt.get(d + DAY)!;
    out.push({ date: dateOf(d), startMs: d, working: isWorking(d), main: b.main - a.main, sub: b.sub - a.sub });
  }
  return out;
})();
const february = days.filter((d) => d.date < '2026-03-01');
const march = days.filter((d) => d.date >= '2026-03-01');
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
/**
 * By hand: a least-squares fit of energy on an intercept and a working-day flag predicts each
 * kind of day by the mean of February's days of that kind.
 */
const expectedOf = (working: boolean) => mean(february.filter((d) => d.working === working).map((d) => d.main));
/** The same days, fitted by @meterline/mining's dailyBaseline, for the interval and the CUSUM: the function the aggregator runs, on days computed here. */
const fit = (() => {
  const inputs: DailyInput[] = days.map((d) => ({ date: d.date, startMs: d.startMs, energy: d.main, energyU: 0, workingDay: d.working ? 1 : 0 }));
  const result = dailyBaseline(inputs, { baseline: { from: '2026-02-01', to: '2026-02-28' }, reporting: { from: '2026-03-01', to: '2026-03-31' }, variables: ['workingDay'] });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
})();

let pipeline: Pipeline;
let topics: AggregationTopics;
let receiver: WebhookReceiver;
let alerter: ServiceProcess;
let api: ServiceProcess;
let apiUrl: string;
let dashboard: BuiltDashboard;
/** The stored figures of the months, read once the backfill is done. */
let deviations: FigureV1[];
let findings: FigureV1[];
/** 2 April 2026, 09:00 in Shanghai: when the dashboard is looked at. */
const now = calendarPeriod('2026-04-02', TZ).start + 9 * HOUR;

type Row = Record<string, string | number | boolean | null>;
async function influx(query: string): Promise<Row[]> {
  const series = await pipeline.store.influxQl(query);
  return series.flatMap((s) => s.values.map((values) => ({ ...(s.tags ?? {}), ...Object.fromEntries(s.columns.map((c, i) => [c, values[i] as Row[string]])) })));
}
const variables = (choose: Record<string, string[]> = {}): Promise<Map<string, ResolvedVariable>> => resolveVariables(dashboard, async (q) => (await influx(q)).map((r) => String(r['value'])), choose);
function panel(title: string): PanelQuery {
  const found = panelQueries(dashboard).filter((p) => p.panel.startsWith(title) && p.refId === 'A');
  if (found.length !== 1) throw new Error(`${found.length} panels titled "${title}…"`);
  return found[0]!;
}
const run = async (title: string, vars: Map<string, ResolvedVariable>) => {
  const q = panel(title);
  return influx(interpolate(q.text, vars, panelRange(dashboard, now, q.timeShift, q.timeFrom)));
};
/** Equal within float rounding of sums of a day's 96 quarter-hours. */
function expectClose(actual: unknown, expected: number, what: string) {
  expect(typeof actual, what).toBe('number');
  expect(Math.abs((actual as number) - expected), `${what}: ${String(actual)} vs ${expected}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(expected)));
}
const bodyOf = (w: ReceivedWebhook) => JSON.parse(w.body) as WebhookBodyV1;
async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 240_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('energy baselines and fabrication findings on the real pipeline (issue 20)', () => {
  beforeAll(async () => {
    const env = stackEnv();
    pipeline = await createPipeline(env, manifest);
    // The alerter reads the figures the backfill publishes: both name the pipeline's figures topic.
    const alerting = await alertingTopics(env.stack, pipeline);
    topics = await aggregationTopics(env.stack, pipeline);
    expect(alerting.figures).toBe(topics.figures);
    dashboard = builtDashboards().find((d) => d.uid === 'meterline-baselines-and-integrity')!;
    receiver = await webhookReceiver(SECRET);
    const alertingFile = await writeAlertingFile(pipeline, {
      version: 1,
      enterprises: { [enterprise.id]: { rules: { baselineDeviation: { enabled: true }, fabricationSuspected: { enabled: true }, meterOffline: { enabled: false }, calibration: { enabled: false }, lowCoverage: { enabled: false } } } },
      subscriptions: [{ id: 'sub-enb', enterpriseId: enterprise.id, url: receiver.url, secret: SECRET, rules: ['baseline-deviation', 'fabrication-suspected'] }],
    });
    // The months judged are months old: the alerter must not drop their figures as stale.
    alerter = await alerterProcess(env.stack, pipeline, alerting, { instance: 'alerter-enb', alertingFile, env: { MTL_FIGURE_MAX_AGE_HOURS: '100000', MTL_TICK_SECONDS: '5' } });
    ({ process: api, url: apiUrl } = await apiProcess(env.stack, pipeline, [{ id: 'enb-admin', secret: API_SECRET, role: 'admin' }]));
    await Promise.all([pipeline.writer.start(), pipeline.ingest.start(), alerter.start(), api.start()]);

    await publishAccepted(inject('stack').mqtt.url, [device.id], payloads);
    await waitUntilEqual('stored readings', async () => (await storedReadings(pipeline)).size, payloads.length * 2, 180_000);
    const backfill = await backfillProcess(aggregatorEnv(env.stack, pipeline, topics), ['--from', '2026-02-01', '--to', '2026-03-31'], join(pipeline.workDir, 'backfill.log')).exited;
    expect(backfill.stderr).not.toMatch(/failed|cannot be fitted/);
    expect(backfill.code).toBe(0);
    const both = { start: calendarPeriod('2026-02', TZ).start, end: calendarPeriod(MARCH, TZ).end };
    deviations = (await readFigures(pipeline.store, enterprise.id, both, ['day'], [FIGURE_KINDS.baselineDeviation])).sort((a, b) => a.startMs - b.startMs);
    findings = await readFigures(pipeline.store, enterprise.id, both, ['month'], [FIGURE_KINDS.fabricationFinding]);
    console.info(`${payloads.length} payloads, ${payloads.length * 2} readings; ${deviations.length} baseline_deviation days, ${deviations.filter((f) => f.detail[D.outside] === 'above').length} above; ${findings.length} fabrication_finding figures, ${findings.filter((f) => f.value === 1).length} found`);
  });

  afterAll(async () => {
    await api?.stop();
    await alerter?.stop();
    await receiver?.close();
    await pipeline?.close();
  });

  it("stores one baseline_deviation per March day: the day's actual, the February means as expected, dailyBaseline's interval, above from the step on", () => {
    // Every day after the baseline period, none of it: 31 March days.
    expect(deviations.map((f) => f.periodKey.slice(0, 10))).toEqual(march.map((d) => d.date));
    const band = new Map(fit.band.map((b) => [b.date, b]));
    for (const [i, d] of march.entries()) {
      const f = deviations[i]!;
      const expected = expectedOf(d.working);
      expect(f.subject[T.baseline], d.date).toBe(BASELINE_ID);
      expect(f.subject[T.point], d.date).toBe(mainPoint.id);
      expect(f.unit).toBe('kWh');
      expectClose(f.detail[D.expected], expected, `${d.date} expected`);
      expectClose(f.value, d.main - expected, `${d.date} actual − expected`);
      expectClose(f.detail[D.predictionLow], band.get(d.date)!.low, `${d.date} interval low`);
      expectClose(f.detail[D.predictionHigh], band.get(d.date)!.high, `${d.date} interval high`);
      // By the step alone: every day from the 16th on is ≈ 40 % above its mean, far beyond the ≈ ±1 % interval.
      expect(f.detail[D.outside], d.date).toBe(d.date >= STEP_DAY ? 'above' : 'inside');
      expect(f.detail[D.fitPassed], d.date).toBe(true);
    }
    // The cumulative deviation since the baseline period: Σ (actual − expected mean) of March so far.
    let cumulative = 0;
    for (const [i, d] of march.entries()) {
      cumulative += d.main - expectedOf(d.working);
      expectClose(deviations[i]!.detail[D.cumulativeDeviation], cumulative, `${d.date} cumulative`);
    }
    // The CUSUM of the same days (dailyBaseline on the days computed here) dates its first change at the step, a rise.
    const changes = fit.anomalies.cusum.changePoints;
    expect(changes[0]).toMatchObject({ direction: 'up', startDate: STEP_DAY, signalDate: STEP_DAY });
    // No lasting change before the step; from it on a rise, held to the month's end, that began on the step's day.
    // The step is a share of a load that differs between working days and days off, so the CUSUM refines its level
    // weekly (docs/energy-baselines.md); those refinements do not move the day the rise began.
    for (const [i, d] of march.entries()) {
      const f = deviations[i]!;
      expect([f.detail[D.changeSignal], f.detail[D.changeSince]], d.date).toEqual(d.date < STEP_DAY ? ['', ''] : ['up', STEP_DAY]);
    }
  });

  it('stores a flat-register finding for the sub-meter, with the evidence computed here, and finds the clean main meter clean', () => {
    const flat = findings.filter((f) => f.subject[T.detector] === 'flat-register');
    // February is judged too (its month unit), against no history: nothing found.
    expect(flat.map((f) => [f.subject[T.point], f.periodKey, f.value]).sort()).toEqual([
      [mainPoint.id, '2026-02', 0],
      [mainPoint.id, MARCH, 0],
      [subPoint.id, '2026-02', 0],
      [subPoint.id, MARCH, 1],
    ]);
    const evidence = JSON.parse(flat.find((f) => f.subject[T.point] === subPoint.id && f.periodKey === MARCH)!.detail[D.evidence] as string) as Record<string, unknown>;
    // By hand: the four days the register stood still; what the parent recorded over them; the
    // remainder (parent − sub-meter) over them less its usual working day (February's median), summed.
    const flatDays = march.filter((d) => FLAT_DAYS.includes(d.date));
    expect(flatDays.map((d) => d.sub)).toEqual([0, 0, 0, 0]);
    const febWorking = february.filter((d) => d.working);
    const usualSub = median(febWorking.map((d) => d.sub));
    const usualRemainder = median(febWorking.map((d) => d.main - d.sub));
    expect(evidence['parentId']).toBe(mainPoint.id);
    expect(evidence['flatDays']).toEqual(FLAT_DAYS);
    expect(Math.abs((evidence['usualDaily'] as number) - usualSub)).toBeLessThan(0.001);
    expect(Math.abs((evidence['parentMoved'] as number) - flatDays.reduce((s, d) => s + d.main, 0))).toBeLessThan(0.001);
    expect(Math.abs((evidence['unmeteredRise'] as number) - flatDays.reduce((s, d) => s + d.main - d.sub - usualRemainder, 0))).toBeLessThan(0.001);
    // Nothing else was done to either meter: every other detector finds both clean.
    expect(findings.filter((f) => f.value === 1).map((f) => [f.subject[T.point], f.subject[T.detector], f.periodKey])).toEqual([[subPoint.id, 'flat-register', MARCH]]);
  });

  it("delivers signed webhooks: the baseline's rise from the step day, and the sub-meter's flat register", async () => {
    const deviation = await until('baseline-deviation firing', () => receiver.received.find((w) => bodyOf(w).rule === 'baseline-deviation' && bodyOf(w).status === 'firing'));
    const fabrication = await until('fabrication-suspected firing', () => receiver.received.find((w) => bodyOf(w).rule === 'fabrication-suspected' && bodyOf(w).status === 'firing'));
    for (const w of [deviation, fabrication]) {
      // Checked again here, as a receiver following docs/alert-webhooks.md does, with the subscription's secret.
      const header = (name: string) => w.headers[name.toLowerCase()] as string | undefined;
      const check = verifyWebhook({ secret: SECRET, body: w.body, timestampHeader: header(WEBHOOK_HEADERS.timestamp), signatureHeader: header(WEBHOOK_HEADERS.signature), nowMs: w.receivedAtMs });
      expect(check.ok, JSON.stringify(check)).toBe(true);
      expect(verifyWebhook({ secret: 'another-secret-0123456789', body: w.body, timestampHeader: header(WEBHOOK_HEADERS.timestamp), signatureHeader: header(WEBHOOK_HEADERS.signature), nowMs: w.receivedAtMs }).ok).toBe(false);
    }
    expect(receiver.received.filter((w) => !w.verification.ok)).toEqual([]);

    const [alert] = bodyOf(deviation).alerts;
    expect(bodyOf(deviation).alerts).toHaveLength(1);
    expect(alert!.subject['baseline']).toBe(BASELINE_ID);
    expect(alert!.summary).toContain(BASELINE_ID);
    expect(alert!.summary).toContain(mainPoint.id);
    // It opens at the first day above: the step day, its actual the step day's consumption computed here.
    const step = march.find((d) => d.date === STEP_DAY)!;
    expect(alert!.summary).toContain(STEP_DAY);
    expect(Date.parse(alert!.startsAt)).toBe(calendarPeriod(STEP_DAY, TZ).start);
    expect(Math.abs(alert!.value! - step.main)).toBeLessThan(1e-6 * step.main);
    expect(Math.abs(alert!.threshold! - fit.band.find((b) => b.date === STEP_DAY)!.high)).toBeLessThan(1e-6 * step.main);

    const flat = bodyOf(fabrication).alerts;
    expect(flat.map((a) => [a.subject['point'], a.subject['detector']])).toEqual([[subPoint.id, 'flat-register']]);
    expect(flat[0]!.summary).toContain(`${FLAT_DAYS[0]} to ${FLAT_DAYS.at(-1)}`);
    // Nothing about the main meter's integrity, and nothing resolved: the rise lasts to the month's end.
    expect(receiver.received.filter((w) => bodyOf(w).rule === 'fabrication-suspected').flatMap((w) => bodyOf(w).alerts.map((a) => a.subject['point']))).not.toContain(mainPoint.id);
    expect(receiver.received.filter((w) => bodyOf(w).status === 'resolved')).toEqual([]);
    console.info(`${receiver.received.length} webhooks: ${receiver.received.map((w) => `${bodyOf(w).rule} ${bodyOf(w).status}${bodyOf(w).repeat ? ' (repeat)' : ''}`).join(', ')}\n${alert!.summary}\n${flat[0]!.summary}`);
  });

  it("lists the sub-meter's flat register in the API's findings of March 2026, and nothing for the main meter", async () => {
    const response = await fetch(`${apiUrl}/v1/enterprises/${enterprise.id}/findings?month=${MARCH}`, { headers: { authorization: `Bearer ${API_SECRET}` } });
    const body = (await response.json()) as { judged: boolean; pointsJudged: { pointId: string }[]; findings: { detector: string; pointId: string; month: string; summary: string; evidence: Record<string, unknown> }[] };
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(body.judged).toBe(true);
    expect(body.pointsJudged.map((p) => p.pointId)).toEqual([mainPoint.id, subPoint.id].sort());
    expect(body.findings.map((f) => [f.pointId, f.detector, f.month])).toEqual([[subPoint.id, 'flat-register', MARCH]]);
    expect(body.findings[0]!.evidence['flatDays']).toEqual(FLAT_DAYS);
    expect(body.findings.filter((f) => f.pointId === mainPoint.id)).toEqual([]);
  });

  describe('the Baselines and integrity dashboard', () => {
    it('resolves its variables to the enterprise and its baseline, and has three InfluxQL queries', async () => {
      const vars = await variables();
      expect(vars.get('region')?.options).toEqual([enterprise.region]);
      expect(vars.get('enterprise')?.options).toEqual([enterprise.id]);
      expect(vars.get('baseline')?.options).toEqual([BASELINE_ID]);
      expect(panelQueries(dashboard).filter((q) => q.kind === 'influxql')).toHaveLength(3);
    });

    it("charts each March day's actual, expected and band as computed here", async () => {
      const rows = await run('Actual against expected', await variables());
      expect(rows.map((r) => r['time'])).toEqual(march.map((d) => d.startMs));
      const band = new Map(fit.band.map((b) => [b.date, b]));
      for (const [i, d] of march.entries()) {
        expectClose(rows[i]!['actual'], d.main, `${d.date} actual`);
        expectClose(rows[i]!['expected'], expectedOf(d.working), `${d.date} expected`);
        expectClose(rows[i]!['low'], band.get(d.date)!.low, `${d.date} low`);
        expectClose(rows[i]!['high'], band.get(d.date)!.high, `${d.date} high`);
      }
    });

    it('charts the cumulative deviation since the baseline period', async () => {
      const rows = await run('Cumulative deviation', await variables());
      expect(rows.map((r) => r['time'])).toEqual(march.map((d) => d.startMs));
      let cumulative = 0;
      for (const [i, d] of march.entries()) {
        cumulative += d.main - expectedOf(d.working);
        expectClose(rows[i]!['cumulative deviation'], cumulative, `${d.date} cumulative`);
      }
    });

    it("tables the sub-meter's flat register, the one finding of the months", async () => {
      const rows = await run('Signs of fabricated', await variables());
      expect(rows.map((r) => [r[T.point], r[T.detector], r[F.periodKey]])).toEqual([[subPoint.id, 'flat-register', MARCH]]);
      expect(String(rows[0]![D.findingSummary])).toContain(`${subPoint.id} did not move for 4 days`);
    });
  });
});
