// Issue 7: the provisioned dashboards (dashboards/build, the JSON Grafana loads) on the real
// pipeline. Every variable query and every InfluxQL panel query runs against the InfluxDB the
// aggregator wrote; spot values equal `meterline account` on the same readings; every metric a
// PromQL panel reads is in the running services' /metrics, and the dead letters by reason are
// the seeded faults. Issue 12: every PromQL query, as Grafana sends it, runs on a real Prometheus
// scraping this file's services and returns series.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CARBON_SCOPES, calendarPeriod, monthScorecard, type CarbonScope, type EnterpriseFigures } from '@meterline/domain';
import { readingsTopic, type AggregationJobV1, type AlertV1 } from '@meterline/contracts';
import { DEV_INFLUX_ADMIN, freePorts, influx as influxServer, prometheus, type PrometheusHandle, type PromSeries } from '@meterline/local-stack';
import { ALERT_HISTORY, DEVICE_SEQUENCE_EVENTS, FIGURE_DETAIL_FIELDS, FIGURE_FIELDS, FIGURE_TAGS, saveAlerts, sequenceEventPoint } from '@meterline/series';
import { connectFleet, formatWithOffset, type PlannedPayload } from '@meterline/simulator';
import { Kafka, logLevel } from 'kafkajs';
import {
  accountStoredReadings,
  aggregationTopics,
  aggregatorEnv,
  aggregatorProcess,
  backfillProcess,
  waitUntilEqual,
  type AggregationTopics,
} from '../harness/aggregation.ts';
import {
  builtDashboards,
  dateMath,
  interpolate,
  interpolatePromql,
  panelQueries,
  panelRange,
  parseExposition,
  promIntervals,
  promqlNames,
  resolveVariables,
  seriesNames,
  type BuiltDashboard,
  type MetricSample,
  type PanelQuery,
  type ResolvedVariable,
} from '../harness/dashboard-queries.ts';
import { daysDataset, type DaysDataset } from '../harness/days-dataset.ts';
import { groupLag } from '../harness/kafka-topics.ts';
import { publishAccepted } from '../harness/publish-fleet.ts';
import { createPipeline, devicePassword, type Pipeline } from '../harness/pipeline.ts';
import { storedReadings } from '../harness/scenario.ts';
import { serviceMetrics } from '../harness/service-metrics.ts';
import type { ServiceProcess } from '../harness/service-process.ts';
import { stackEnv } from '../harness/stack-env.ts';

const TZ = 'Asia/Shanghai';
const HOUR = 3_600_000;
/** The test's Prometheus scrapes every second, and Grafana's data source is told so (its scrape interval). */
const SCRAPE_SECONDS = 1;
/** Grafana asks for about one point per pixel: a panel about 1 000 pixels wide. */
const MAX_DATA_POINTS = 1000;

let data: DaysDataset;
let pipeline: Pipeline;
let topics: AggregationTopics;
let aggregator: ServiceProcess;
let prom: PrometheusHandle;
let dashboards: BuiltDashboard[];
/** `meterline account` per local day (and per hour of the second day), by `${enterprise}|${period key}`. */
const accounted = new Map<string, EnterpriseFigures>();
/** A morning after the seeded days, and the same a year later (for the panels shifted back a year). */
let now: number;
let nextYear: number;

type Row = Record<string, string | number | boolean | null>;

async function influx(query: string): Promise<Row[]> {
  const series = await pipeline.store.influxQl(query);
  return series.flatMap((s) => s.values.map((values) => ({ ...(s.tags ?? {}), ...Object.fromEntries(s.columns.map((c, i) => [c, values[i] as Row[string]])) })));
}

const tagValues = async (query: string): Promise<string[]> => (await influx(query)).map((r) => String(r['value']));

const dashboard = (uid: string): BuiltDashboard => {
  const d = dashboards.find((x) => x.uid === uid);
  if (!d) throw new Error(`no dashboard ${uid} in dashboards/build`);
  return d;
};

function target(d: BuiltDashboard, panel: string, refId = 'A'): PanelQuery {
  const found = panelQueries(d).filter((p) => p.panel === panel && p.refId === refId);
  if (found.length !== 1) throw new Error(`${d.uid}: ${found.length} panels titled "${panel}" with a query ${refId}`);
  return found[0]!;
}

const variables = (d: BuiltDashboard, choose: Record<string, string[]> = {}): Promise<Map<string, ResolvedVariable>> => resolveVariables(d, tagValues, choose);

/** A panel query as Grafana sends it at `at`: variables, the dashboard's range in its zone (or the panel's relative time), the panel's time shift. */
async function runPanel(d: BuiltDashboard, q: PanelQuery, vars: Map<string, ResolvedVariable>, at = now): Promise<Row[]> {
  return influx(interpolate(q.text, vars, panelRange(d, at, q.timeShift, q.timeFrom)));
}

const figures = (enterprise: string, periodKey: string): EnterpriseFigures => {
  const f = accounted.get(`${enterprise}|${periodKey}`);
  if (!f) throw new Error(`meterline account has no ${enterprise} for ${periodKey}`);
  return f;
};
const eachDay = <T>(enterprise: string, pick: (f: EnterpriseFigures) => T): T[] => data.days.map((day) => pick(figures(enterprise, day)));
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const enterprises = () => data.manifest.enterprises.map((e) => e.id);
const dayStart = (day: string) => calendarPeriod(day, TZ).start;

/** Equal to the last few bits of a float: InfluxDB sums in its own order. */
function expectClose(actual: unknown, expected: number, what: string) {
  expect(typeof actual, what).toBe('number');
  expect(Math.abs((actual as number) - expected), `${what}: ${String(actual)} vs ${expected}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
}

const account = (period: string, by?: string) => accountStoredReadings(pipeline.store, data.manifest, ['--period', period, ...(by ? ['--by', by] : [])]);

const carbonOf = (f: EnterpriseFigures, scope: string) => f.carbon[CARBON_SCOPES[scope as CarbonScope]];

const scrapeTargets = (services: ServiceProcess[]) => services.map((s) => ({ address: `127.0.0.1:${s.opsPort}` }));

/** An on-demand aggregation job of day figures, sent as the API sends one, and waited for. */
async function runAggregationJob(jobId: string, enterpriseId: string, fromDay: string, toDay: string): Promise<void> {
  const job: AggregationJobV1 = {
    v: 1,
    jobId,
    enterpriseId,
    kinds: ['day'],
    fromMs: calendarPeriod(fromDay, TZ).start,
    toMs: calendarPeriod(toDay, TZ).end,
    origin: 'on-demand',
    requestedAt: new Date().toISOString(),
  };
  const producer = new Kafka({ clientId: 'e2e-dashboards-jobs', brokers: [...inject('stack').kafka.brokers], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  await producer.send({ topic: topics.jobs, messages: [{ key: job.enterpriseId, value: JSON.stringify(job) }] });
  await producer.disconnect();
  await waitUntilEqual('aggregation jobs left', () => groupLag(inject('stack'), `aggregators-${topics.jobs}`, topics.jobs), 0, 120_000);
}

/**
 * A reading the seeded days lack, sent late: the gap's meter read at the instant halfway through
 * its gap, at a value off the straight line between its neighbours (so the figures around it move).
 */
function lateGapReading(): PlannedPayload {
  const ofGap = data.payloads.filter((p) => !p.fault && p.readings.some((r) => r.point === data.faults.gap));
  const readings = ofGap.flatMap((p) => p.readings.filter((r) => r.point === data.faults.gap)).sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
  const gaps = readings.slice(1).map((after, i) => ({ before: readings[i]!, after }));
  const { before, after } = gaps.reduce((a, b) => (Date.parse(b.after.ts) - Date.parse(b.before.ts) > Date.parse(a.after.ts) - Date.parse(a.before.ts) ? b : a));
  const at = (Date.parse(before.ts) + Date.parse(after.ts)) / 2;
  const deviceId = ofGap[0]!.deviceId;
  const seq = Math.max(...data.payloads.filter((p) => p.deviceId === deviceId).map((p) => p.seq)) + 1;
  const reading = { ...before, ts: formatWithOffset(at, 480), value: Math.round((before.value + 0.8 * (after.value - before.value)) * 1000) / 1000 };
  return { deviceId, topic: readingsTopic(deviceId), seq, readings: [reading], bytes: Buffer.from(JSON.stringify({ v: 1, deviceId, seq, readings: [reading] })) };
}

describe('dashboards: every query of every provisioned dashboard on the real pipeline (issue 7)', () => {
  beforeAll(async () => {
    data = daysDataset('e2e-dash');
    // Targets and limits reads what these seeded days cannot give (targets, complete months of a mapped
    // product): test/e2e/targets-and-limits.e2e.test.ts runs its every query on a pipeline of its own.
    // Baselines and integrity needs a declared baseline's period and the months after it:
    // test/e2e/baselines.e2e.test.ts runs its every query on a pipeline of its own.
    const ownPipeline = new Set(['meterline-targets-and-limits', 'meterline-baselines-and-integrity']);
    dashboards = builtDashboards().filter((d) => !ownPipeline.has(d.uid));
    pipeline = await createPipeline(stackEnv(), data.manifest);
    topics = await aggregationTopics(inject('stack'), pipeline);
    const env = aggregatorEnv(inject('stack'), pipeline, topics);
    // Scraping before the services start: their counters are seen at 0, so rates see the readings arrive.
    const [promPort] = (await freePorts(1)) as [number];
    prom = prometheus({ dir: join(pipeline.workDir, 'prometheus'), port: promPort, scrapeIntervalSeconds: SCRAPE_SECONDS, targets: scrapeTargets([pipeline.ingest, pipeline.writer]) });
    await prom.start();
    await pipeline.writer.start();
    await pipeline.ingest.start();
    const started = performance.now();
    const devices = data.manifest.enterprises.flatMap((e) => e.devices.map((d) => d.id));
    await publishAccepted(inject('stack').mqtt.url, devices, data.payloads);
    const faulty = Object.values(data.deadLetters).reduce((a, b) => a + b, 0);
    await waitUntilEqual('stored readings', async () => (await storedReadings(pipeline)).size, data.readingCount, 180_000);
    await waitUntilEqual('dead letters', async () => (await pipeline.deadLetters()).length, faulty, 60_000);

    const backfill = await backfillProcess(env, ['--from', data.days[0]!, '--to', data.days.at(-1)!], join(pipeline.workDir, 'backfill.log')).exited;
    expect(backfill.stderr).not.toMatch(/failed/);
    expect(backfill.code).toBe(0);

    // Alerts as the alerter stores them: two open of one enterprise, one closed.
    const [e0, e1] = enterprises() as [string, string];
    const alert = (enterpriseId: string, rule: AlertV1['rule'], point: string, status: AlertV1['status']) => ({
      asOfMs: Date.now(),
      alert: {
        alertId: `${enterpriseId}-${rule}-${point}`,
        dedupKey: `${enterpriseId}/${rule}/point=${point}`,
        enterpriseId,
        rule,
        severity: 'critical' as const,
        subject: { point },
        status,
        startsAt: new Date(Date.parse('2026-01-01T00:00:00Z')).toISOString(),
        ...(status === 'resolved' ? { endsAt: new Date().toISOString() } : {}),
        summary: `${rule} on ${point}`,
      },
    });
    const progress = { lastTickMs: 0, watchingSinceMs: 0, revision: 'e2e' };
    await saveAlerts(pipeline.store, e0, [alert(e0, 'calibration-expired', 'p1', 'firing'), alert(e0, 'calibration-expired', 'p2', 'firing')], progress);
    await saveAlerts(pipeline.store, e1, [alert(e1, 'meter-offline', 'p3', 'resolved')], progress);
    // A device's sequence gap as the alerter stores it, on the last seeded day.
    const device = data.manifest.enterprises[0]!.devices[0]!.id;
    const gapAtMs = calendarPeriod(data.days.at(-1)!, TZ).start + HOUR;
    await pipeline.store.write([sequenceEventPoint(e0, device, { kind: 'gap', seq: 12, previousSeq: 9, lost: 2 }, { atMs: gapAtMs, sha256: '0'.repeat(64) })!]);

    // One aggregator instance, for its /metrics: it runs one on-demand job (figures already right).
    aggregator = await aggregatorProcess(env, topics, 'agg-dashboards', pipeline.workDir);
    await prom.setTargets(scrapeTargets([pipeline.ingest, pipeline.writer, aggregator]));
    await aggregator.start();
    await runAggregationJob(`e2e-dashboards:${enterprises()[0]!}:${data.days[1]!}`, enterprises()[0]!, data.days[1]!, data.days[1]!);

    for (const d of data.days) for (const f of await account(d)) accounted.set(`${f.id}|${f.period.key}`, f);
    for (const f of await account(data.days[1]!, 'hour')) accounted.set(`${f.id}|${f.period.key}`, f);
    now = calendarPeriod(data.days.at(-1)!, TZ).end + 6 * HOUR;
    nextYear = dateMath('now+1y', now, TZ, false);
    console.log(`dashboards e2e: ${data.readingCount} readings of ${data.days.join(', ')} stored and accounted in ${Math.round(performance.now() - started)} ms`);
  });

  afterAll(async () => {
    await aggregator?.stop();
    await prom?.stop();
    await pipeline?.close();
  });

  it('every template-variable query runs and lists the regions, enterprises and sites of the registry', async () => {
    const [e0, e1, e2] = enterprises() as [string, string, string];
    let queries = 0;
    for (const d of dashboards) {
      if ((d.templating.list ?? []).length === 0) continue;
      const all = await variables(d);
      for (const v of all.values()) if (v.query) queries++;
      expect(all.get('region')?.options, d.uid).toEqual(['CN-CQ', 'CN-JS']);
      expect(all.get('enterprise')?.options, d.uid).toEqual([e0, e1, e2]);
      if (all.has('site')) expect(all.get('site')?.options, d.uid).toEqual(all.get('enterprise')!.variable.multi ? [`${e0}-s0`, `${e1}-s0`, `${e2}-s0`] : [`${e0}-s0`]);
      if (all.has('period')) expect(all.get('period')?.options, d.uid).toEqual(['day', 'hour', 'quarter-hour', 'month']);
      // The chain narrows: one region, its enterprises, their sites.
      const cq = await variables(d, { region: ['CN-CQ'] });
      expect(cq.get('enterprise')?.options, d.uid).toEqual([e0, e1]);
      const js = await variables(d, { region: ['CN-JS'] });
      expect(js.get('enterprise')?.options, d.uid).toEqual([e2]);
      if (js.has('site')) expect(js.get('site')?.options, d.uid).toEqual([`${e2}-s0`]);
    }
    // Pipeline operations has no variables; the three InfluxDB dashboards have region, enterprise and (two of them) site.
    expect(queries).toBe(8);
  });

  it('every InfluxQL panel query runs, and returns data for the seeded days', async () => {
    const empty = new Set<string>();
    let runs = 0;
    for (const d of dashboards) {
      const queries = panelQueries(d).filter((q) => q.kind === 'influxql');
      if (queries.length === 0) continue;
      const enterpriseVariable = d.templating.list?.find((v) => v.name === 'enterprise');
      // A single-enterprise dashboard is looked at for each enterprise (faults sit in different ones).
      const selections = enterpriseVariable?.multi ? [{}] : enterprises().map((e) => ({ enterprise: [e] }));
      for (const q of queries) empty.add(`${d.uid} / ${q.panel} / ${q.refId}`);
      for (const choose of selections) {
        const vars = await variables(d, choose);
        for (const at of [now, nextYear]) {
          for (const q of queries) {
            const rows = await runPanel(d, q, vars, at);
            runs++;
            if (rows.length > 0) empty.delete(`${d.uid} / ${q.panel} / ${q.refId}`);
          }
        }
      }
    }
    expect([...empty]).toEqual([]);
    console.log(`dashboards e2e: ${runs} InfluxQL panel queries run`);
  });

  it('regulator overview: enterprises ranked by tce and CO₂ month to date, and the same days a year earlier, equal meterline account', async () => {
    const d = dashboard('meterline-regulator-overview');
    const all = await variables(d);
    const ranking = 'Enterprises by standard coal, selected range (default: month to date)';
    const lastYear = 'Same days a year earlier';
    const expectedTce = new Map(enterprises().map((e) => [e, sum(eachDay(e, (f) => f.tceEquivalent.value))]));
    const expectedCo2 = new Map(enterprises().map((e) => [e, sum(eachDay(e, (f) => f.carbon.totalLocation.value))]));
    // Month to date in the reporting zone starts at local midnight of the 1st: the first day's figure is in.
    expect(panelRange(d, now).from).toBe(dayStart(`${data.days[0]!.slice(0, 7)}-01`));

    for (const [panel, at] of [[ranking, now], [lastYear, nextYear]] as const) {
      const tce = await runPanel(d, target(d, panel, 'A'), all, at);
      const co2 = await runPanel(d, target(d, panel, 'B'), all, at);
      expect(tce.map((r) => r[FIGURE_TAGS.enterprise]).sort(), panel).toEqual(enterprises());
      for (const r of tce) expectClose(r['tce'], expectedTce.get(String(r[FIGURE_TAGS.enterprise]))!, `${panel}: tce of ${r[FIGURE_TAGS.enterprise]}`);
      for (const r of co2) expectClose(r['tco2'], expectedCo2.get(String(r[FIGURE_TAGS.enterprise]))!, `${panel}: tCO2 of ${r[FIGURE_TAGS.enterprise]}`);
    }
    // The shifted panel really looks a year back: nothing there at the seeded month.
    expect(await runPanel(d, target(d, lastYear, 'A'), all, now)).toEqual([]);

    const totals = await runPanel(d, target(d, 'Region total, selected range (default: month to date)', 'A'), all);
    expectClose(totals[0]?.['tce'], sum([...expectedTce.values()]), 'region total tce');
    const totalsLastYear = await runPanel(d, target(d, 'Region total, same days a year earlier', 'B'), all, nextYear);
    expectClose(totalsLastYear[0]?.['tco2'], sum([...expectedCo2.values()]), 'region total tCO2 a year later');

    // Regions filter, and a multi-value selection sent as `a|b` keeps both anchors.
    const js = await runPanel(d, target(d, ranking, 'A'), await variables(d, { region: ['CN-JS'] }));
    expect(js.map((r) => r[FIGURE_TAGS.enterprise])).toEqual([data.faults.otherRegion]);
    const both = await runPanel(d, target(d, ranking, 'A'), await variables(d, { region: ['CN-CQ', 'CN-JS'] }));
    expect(both.map((r) => r[FIGURE_TAGS.enterprise]).sort()).toEqual(enterprises());

    // Day figures at their local midnight, one bar per day.
    const daily = await runPanel(d, target(d, 'Standard coal per day by enterprise'), all);
    for (const e of enterprises()) {
      const series = daily.filter((r) => r[FIGURE_TAGS.enterprise] === e);
      expect(series.map((r) => r['time']), e).toEqual(data.days.map(dayStart));
      expect(series.map((r) => r['time'])).toEqual(eachDay(e, (f) => Date.parse(f.period.start)));
      series.forEach((r, i) => expectClose(r[FIGURE_FIELDS.value], figures(e, data.days[i]!).tceEquivalent.value, `${e} ${data.days[i]} tce`));
    }
  });

  it('regulator overview: open alerts now, by enterprise and rule (a closed alert is not counted)', async () => {
    const d = dashboard('meterline-regulator-overview');
    const rows = await runPanel(d, target(d, 'Open alerts now, by enterprise and rule'), await variables(d));
    const [e0] = enterprises() as [string];
    expect(rows.map((r) => [r[ALERT_HISTORY.tags.enterprise], r[ALERT_HISTORY.tags.rule], r['open']])).toEqual([[e0, 'calibration-expired', 2]]);
  });

  it('regulator overview: coverage and calibration status per enterprise', async () => {
    const d = dashboard('meterline-regulator-overview');
    const all = await variables(d);
    const panel = 'Coverage and calibration status, selected range';
    const coverage = await runPanel(d, target(d, panel, 'A'), all);
    const outside = await runPanel(d, target(d, panel, 'B'), all);
    const meters = await runPanel(d, target(d, panel, 'C'), all);
    for (const e of enterprises()) {
      expectClose(coverage.find((r) => r[FIGURE_TAGS.enterprise] === e)?.['lowest_coverage'], Math.min(...eachDay(e, (f) => f.tceEquivalent.coveragePercent)), `${e} lowest coverage`);
      const readings = sum(eachDay(e, (f) => sum(f.points.map((p) => p.consumption.quality.readingsOutsideCalibration))));
      expect(outside.find((r) => r[FIGURE_TAGS.enterprise] === e)?.['readings_outside_calibration'], e).toBe(readings);
    }
    const gapEnterprise = data.faults.otherRegion;
    expect(coverage.find((r) => r[FIGURE_TAGS.enterprise] === gapEnterprise)?.['lowest_coverage']).toBeLessThan(100);
    const calibrationEnterprise = enterprises()[1]!;
    expect(meters.map((r) => [r[FIGURE_TAGS.enterprise], r['meters_outside_calibration']])).toEqual([[calibrationEnterprise, 1]]);
  });

  it('enterprise energy: standard coal by site, consumption per point, balance gap and loss, carbon with its bands and intensity equal meterline account', async () => {
    const d = dashboard('meterline-enterprise-energy');
    const e = enterprises()[0]!;
    const vars = await variables(d, { enterprise: [e] });
    const [first, second] = data.days as [string, string];
    const f2 = figures(e, second);

    const sites = await runPanel(d, target(d, 'Standard coal by site ($period)'), vars);
    expect(sites.map((r) => r['time'])).toEqual(data.days.map(dayStart));
    sites.forEach((r, i) => expectClose(r[FIGURE_FIELDS.value], figures(e, data.days[i]!).sites[0]!.tce.value, `site tce ${data.days[i]}`));

    // Boundary inputs by carrier: each carrier's energy counted once, where it enters.
    const entering = await runPanel(d, target(d, 'Energy entering the enterprise by carrier, days in the selected range'), vars);
    const boundary = f2.points.filter((p) => p.role === 'boundary-input');
    expect(entering.map((r) => r[FIGURE_TAGS.carrier]).sort()).toEqual([...new Set(boundary.map((p) => p.carrier))].sort());
    for (const r of entering) {
      const ofCarrier = (f: EnterpriseFigures) => f.points.filter((p) => p.role === 'boundary-input' && p.carrier === r[FIGURE_TAGS.carrier]);
      expectClose(r['tce'], sum(eachDay(e, (f) => sum(ofCarrier(f).map((p) => p.tce!.value)))), `${r[FIGURE_TAGS.carrier]} tce entering`);
      expectClose(r['consumption'], sum(eachDay(e, (f) => sum(ofCarrier(f).map((p) => p.consumption.value)))), `${r[FIGURE_TAGS.carrier]} consumption entering`);
    }

    const consumption = await runPanel(d, target(d, 'Consumption by carrier and metering point, days in the selected range'), vars);
    expect(consumption.map((r) => r[FIGURE_TAGS.point]).sort()).toEqual(f2.points.map((p) => p.id).sort());
    for (const r of consumption) {
      const perDay = eachDay(e, (f) => f.points.find((p) => p.id === r[FIGURE_TAGS.point])!);
      expect([r[FIGURE_TAGS.carrier], r['unit']]).toEqual([perDay[0]!.carrier, perDay[0]!.consumption.unit]);
      expectClose(r['consumption'], sum(perDay.map((p) => p.consumption.value)), `${r[FIGURE_TAGS.point]} consumption`);
      expectClose(r['tce'], sum(perDay.map((p) => p.tce!.value)), `${r[FIGURE_TAGS.point]} tce`);
      expectClose(r['lowest_coverage'], Math.min(...perDay.map((p) => p.consumption.coveragePercent)), `${r[FIGURE_TAGS.point]} coverage`);
    }

    // The balance of the main meter over the days, then day by day: gap, U(gap), loss %.
    const node = f2.balances[0]!.parentId;
    const totals = await runPanel(d, target(d, 'Energy balance per topology node, days in the selected range', 'A'), vars);
    const loss = await runPanel(d, target(d, 'Energy balance per topology node, days in the selected range', 'B'), vars);
    const balances = eachDay(e, (f) => f.balances.find((b) => b.parentId === node)!);
    const row = totals.find((r) => r[FIGURE_TAGS.node] === node)!;
    expectClose(row['input'], sum(balances.map((b) => b.input)), 'balance input');
    expectClose(row['sub_meters'], sum(balances.map((b) => b.childrenSum)), 'balance sub-meters');
    expectClose(row['gap'], sum(balances.map((b) => b.gap)), 'balance gap');
    expectClose(loss.find((r) => r[FIGURE_TAGS.node] === node)?.['loss_percent'], (sum(balances.map((b) => b.gap)) / sum(balances.map((b) => b.input))) * 100, 'loss % over the days');
    const perPeriod = await runPanel(d, target(d, 'Energy balance per $period', 'A'), vars);
    const perPeriodLoss = await runPanel(d, target(d, 'Energy balance per $period', 'B'), vars);
    const b2 = f2.balances.find((b) => b.parentId === node)!;
    const day2 = perPeriod.find((r) => r[FIGURE_TAGS.node] === node && r[FIGURE_FIELDS.periodKey] === second)!;
    expectClose(day2['gap'], b2.gap, 'day 2 gap');
    expectClose(day2[FIGURE_FIELDS.expandedU], b2.gapExpandedUncertainty, 'day 2 U(gap)');
    expect(day2[FIGURE_DETAIL_FIELDS.significant]).toBe(b2.significant);
    expectClose(perPeriodLoss.find((r) => r[FIGURE_TAGS.node] === node && r['time'] === dayStart(second))?.['loss_percent'], b2.gapPercent!, 'day 2 loss %');
    const lossSeries = await runPanel(d, target(d, 'Loss per node ($period)'), vars);
    expectClose(lossSeries.find((r) => r[FIGURE_TAGS.node] === node && r['time'] === dayStart(first))?.['loss_percent'], figures(e, first).balances[0]!.gapPercent!, 'day 1 loss % (chart)');

    // Carbon by scope on day 2 with value ∓ U, and the days' totals by scope.
    const bands = await runPanel(d, target(d, 'Carbon by scope ($period) with expanded uncertainty (k = 2)'), vars);
    const scopes = [...new Set(bands.map((r) => String(r[FIGURE_TAGS.scope])))].sort();
    expect(scopes).toEqual(['purchased-heat', 'scope1', 'scope2-location', 'total-location']);
    for (const scope of scopes) {
      const r = bands.find((x) => x[FIGURE_TAGS.scope] === scope && x['time'] === dayStart(second))!;
      const c = carbonOf(f2, scope);
      expectClose(r['tCO2'], c.value, `${scope} day 2`);
      expectClose(r['lower'], c.value - c.expandedUncertainty, `${scope} day 2 lower`);
      expectClose(r['upper'], c.value + c.expandedUncertainty, `${scope} day 2 upper`);
    }
    expect(carbonOf(f2, 'total-location').value).toBeGreaterThan(0);
    const byScope = await runPanel(d, target(d, 'Carbon by scope, days in the selected range'), vars);
    expect(byScope.map((r) => r[FIGURE_TAGS.scope]).sort()).toEqual(Object.keys(CARBON_SCOPES).sort());
    for (const r of byScope) expectClose(r['tco2'], sum(eachDay(e, (f) => carbonOf(f, String(r[FIGURE_TAGS.scope])).value)), `${r[FIGURE_TAGS.scope]} over the days`);

    const intensity = await runPanel(d, target(d, 'Intensity per unit of production'), vars);
    const expected = f2.intensities[0]!;
    expect(intensity.map((r) => [r[FIGURE_TAGS.product], r[FIGURE_TAGS.metric], r[FIGURE_FIELDS.periodKey]])).toEqual([
      [data.faults.production.product, 'tce', second],
      [data.faults.production.product, 'tco2', second],
    ]);
    expectClose(intensity[0]![FIGURE_FIELDS.value], expected.tcePerUnit.value, 'tce per unit');
    expectClose(intensity[1]![FIGURE_FIELDS.value], expected.tCO2PerUnit!.value, 'tCO2 per unit');
  });

  it("metering and data quality: the regulator scorecard shows each enterprise's month, one row per rule, as monthScorecard judges meterline account's month and days (issue 15, item 2)", async () => {
    const d = dashboard('meterline-data-quality');
    const q = target(d, 'Regulator scorecard, last six months');
    // The panel looks six months back from its own clock, whatever the dashboard's seven days.
    expect(panelRange(d, now, q.timeShift, q.timeFrom).from).toBe(dateMath('now-6M', now, TZ, false));
    const rows = await runPanel(d, q, await variables(d));
    // The seeded days are the first of their month; the backfill closed and judged the whole month.
    const month = data.days[0]!.slice(0, 7);
    const months = await account(month);
    const days = await account(month, 'day');
    const expected = data.manifest.enterprises.map((e) =>
      monthScorecard(e, months.find((f) => f.id === e.id)!, days.filter((f) => f.id === e.id)).outcomes.map((o) => [e.id, month, o.rule, o.passed ? 1 : 0, o.findings.length, o.detail]),
    );
    expect(expected.flat()).toHaveLength(3 * 5);
    const shown = rows.map((r) => [r[FIGURE_TAGS.enterprise], r[FIGURE_FIELDS.periodKey], r[FIGURE_TAGS.rule], r[FIGURE_FIELDS.value], r[FIGURE_DETAIL_FIELDS.ruleFindings], r[FIGURE_DETAIL_FIELDS.ruleSummary]]);
    expect(shown.sort()).toEqual(expected.flat().sort());
    // Three seeded days of a 31-day month: every enterprise fails completeness (under a tenth of the readings due) and its required indicators.
    for (const e of enterprises()) {
      expect(shown.find((r) => r[0] === e && r[2] === 'completeness')?.[3]).toBe(0);
      expect(shown.find((r) => r[0] === e && r[2] === 'required-indicators')?.[3]).toBe(0);
    }
  });

  it('metering and data quality: the device sequence gap stored as the alerter stores it is counted for its device', async () => {
    const d = dashboard('meterline-data-quality');
    const rows = await runPanel(d, target(d, 'Gaps, replays and resets per device, in the selected range'), await variables(d));
    const device = data.manifest.enterprises[0]!.devices[0]!.id;
    expect(rows.map((r) => [r[DEVICE_SEQUENCE_EVENTS.tags.enterprise], r[DEVICE_SEQUENCE_EVENTS.tags.device], r[DEVICE_SEQUENCE_EVENTS.tags.kind], r['events'], r['lost']])).toEqual([[enterprises()[0], device, 'gap', 1, 2]]);
  });

  it('metering and data quality: coverage and completeness in the gap, the gaps, the suspect readings and the meters outside calibration equal meterline account', async () => {
    const d = dashboard('meterline-data-quality');
    const all = await variables(d);
    const second = data.days[1]!;
    const pointDays = data.days.flatMap((day) => enterprises().flatMap((e) => figures(e, day).points.map((p) => ({ e, day, p }))));

    // The gap point's coverage on the gap day, and in an hour inside the gap.
    const coverage = await runPanel(d, target(d, 'Coverage per metering point ($period)'), all);
    const gapDay = figures(data.faults.otherRegion, second).points.find((p) => p.id === data.faults.gap)!;
    expectClose(coverage.find((r) => r[FIGURE_TAGS.point] === data.faults.gap && r['time'] === dayStart(second))?.[FIGURE_FIELDS.coverage], gapDay.consumption.coveragePercent, 'gap day coverage');
    expect(gapDay.consumption.coveragePercent).toBeLessThan(100);
    const hourly = await runPanel(d, target(d, 'Coverage per metering point ($period)'), await variables(d, { enterprise: [data.faults.otherRegion], period: ['hour'] }));
    const gapHour = dayStart(second) + 1 * HOUR;
    const inGapHour = [...accounted.values()].find((f) => f.id === data.faults.otherRegion && f.period.kind === 'hour' && Date.parse(f.period.start) === gapHour)!;
    expectClose(hourly.find((r) => r[FIGURE_TAGS.point] === data.faults.gap && r['time'] === gapHour)?.[FIGURE_FIELDS.coverage], inGapHour.points.find((p) => p.id === data.faults.gap)!.consumption.coveragePercent, 'coverage in the gap hour');

    // Completeness next to coverage (issue 15): the gap point on the gap day, fewer readings than expected.
    const completeness = await runPanel(d, target(d, 'Completeness per metering point ($period)'), all);
    expectClose(completeness.find((r) => r[FIGURE_TAGS.point] === data.faults.gap && r['time'] === dayStart(second))?.[FIGURE_DETAIL_FIELDS.completeness], gapDay.consumption.completenessPercent, 'gap day completeness');
    expect(gapDay.consumption.completenessPercent).toBeLessThan(100);

    // Gaps and suspect readings: exactly the point-days meterline account reports (a gap: coverage or completeness below 100 %).
    const gaps = await runPanel(d, target(d, 'Periods with gaps ($period)'), all);
    const expectedGaps = pointDays.filter(({ p }) => p.consumption.coveragePercent < 100 || p.consumption.completenessPercent < 100);
    expect(gaps.map((r) => `${r[FIGURE_TAGS.point]}@${r[FIGURE_FIELDS.periodKey]}`).sort()).toEqual(expectedGaps.map(({ p, day }) => `${p.id}@${day}`).sort());
    for (const { p, day } of expectedGaps) {
      const r = gaps.find((x) => x[FIGURE_TAGS.point] === p.id && x[FIGURE_FIELDS.periodKey] === day)!;
      expectClose(r[FIGURE_FIELDS.coverage], p.consumption.coveragePercent, `${p.id} ${day} coverage`);
      expectClose(r[FIGURE_DETAIL_FIELDS.completeness], p.consumption.completenessPercent, `${p.id} ${day} completeness`);
      expectClose(r[FIGURE_DETAIL_FIELDS.readingsReceived], p.consumption.quality.readingsReceived, `${p.id} ${day} readings received`);
      expectClose(r[FIGURE_DETAIL_FIELDS.readingsExpected], p.consumption.quality.readingsExpected, `${p.id} ${day} readings expected`);
      expectClose(r[FIGURE_FIELDS.estimated], p.consumption.quality.estimated, `${p.id} ${day} estimated`);
      expect(r[FIGURE_FIELDS.flags]).toBe(p.consumption.quality.flags.join(','));
    }
    expect(expectedGaps.map(({ p }) => p.id)).toContain(data.faults.gap);

    const suspects = await runPanel(d, target(d, 'Suspect readings ($period)'), all);
    const expectedSuspects = pointDays.filter(({ p }) => p.consumption.quality.suspectIntervals > 0);
    expect(suspects.map((r) => `${r[FIGURE_TAGS.point]}@${r[FIGURE_FIELDS.periodKey]}=${r[FIGURE_DETAIL_FIELDS.suspectIntervals]}`).sort()).toEqual(
      expectedSuspects.map(({ p, day }) => `${p.id}@${day}=${p.consumption.quality.suspectIntervals}`).sort(),
    );
    expect(expectedSuspects.map(({ p }) => p.id)).toContain(data.faults.suspectDrop);

    const calibration = await runPanel(d, target(d, 'Meters read outside calibration validity, days in the selected range'), all);
    const outside = pointDays.filter(({ p }) => p.consumption.quality.readingsOutsideCalibration > 0);
    expect(calibration.map((r) => [r[FIGURE_TAGS.point], r['readings'], r['days']])).toEqual([
      [data.faults.calibration, sum(outside.map(({ p }) => p.consumption.quality.readingsOutsideCalibration)), outside.length],
    ]);
    expect(outside.every(({ p }) => p.id === data.faults.calibration && p.consumption.quality.flags.includes('calibration-invalid'))).toBe(true);
  });

  it('Prometheus panels read only metrics the running ingest, writer and aggregator expose; dead letters by reason are the seeded faults', async () => {
    const expositions = {
      ingest: parseExposition(await serviceMetrics(pipeline.ingest)),
      writer: parseExposition(await serviceMetrics(pipeline.writer)),
      aggregator: parseExposition(await serviceMetrics(aggregator)),
    };
    const families = new Map(Object.values(expositions).flatMap((x) => [...x.families]));
    const names = seriesNames(families);
    const samples: MetricSample[] = Object.values(expositions).flatMap((x) => x.samples);
    const promQueries = dashboards.flatMap(panelQueries).filter((q) => q.kind === 'promql');
    expect(promQueries.length).toBeGreaterThan(20);
    for (const q of promQueries) {
      const { metrics, groupingLabels } = promqlNames(q.text);
      expect(metrics.length, q.text).toBeGreaterThan(0);
      for (const metric of metrics) expect(names.has(metric), `${q.dashboard} / ${q.panel}: ${metric} is not in any service's /metrics`).toBe(true);
      for (const label of groupingLabels) {
        // instance and job are added by Prometheus when it scrapes.
        if (label === 'instance' || label === 'job') continue;
        const withSamples = samples.filter((s) => metrics.includes(s.name));
        if (withSamples.length === 0) continue;
        expect(
          withSamples.some((s) => label in s.labels),
          `${q.dashboard} / ${q.panel}: no sample of ${metrics.join(', ')} has the label ${label}`,
        ).toBe(true);
      }
    }

    // The dead-letter table, evaluated on ingest's counters (they started at 0 with the process).
    const table = target(dashboard('meterline-data-quality'), 'Dead letters in the selected range by reason');
    const { metrics, groupingLabels } = promqlNames(table.text);
    expect(groupingLabels).toEqual(['reason']);
    const byReason: Record<string, number> = {};
    for (const s of expositions.ingest.samples.filter((x) => x.name === metrics[0])) byReason[s.labels['reason']!] = (byReason[s.labels['reason']!] ?? 0) + s.value;
    expect(byReason).toEqual(data.deadLetters);

    const value = (exposition: { samples: MetricSample[] }, name: string, labels: Record<string, string> = {}) =>
      sum(exposition.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).map((s) => s.value));
    expect(value(expositions.ingest, 'meterline_ingest_readings_total')).toBe(data.readingCount);
    expect(value(expositions.writer, 'meterline_writer_readings_written_total')).toBe(data.readingCount);
    // The writer polls its lag every 10 s: wait for a poll after the last commit.
    await expect.poll(async () => value(parseExposition(await serviceMetrics(pipeline.writer)), 'meterline_writer_consumer_lag'), { timeout: 30_000, interval: 2_000 }).toBe(0);
    expect(value(expositions.aggregator, 'meterline_aggregator_jobs_total', { origin: 'on-demand', outcome: 'completed' })).toBe(1);
    expect(expositions.aggregator.samples.some((s) => s.name === 'meterline_aggregator_lag_seconds' && s.labels['enterprise'] === enterprises()[0])).toBe(true);
  });

  // Last: it changes what the tests above read (a restated gap, InfluxDB restarted).
  it('every PromQL query, as Grafana sends it, returns series from a real Prometheus scraping this pipeline (issue 12)', async () => {
    // What the seeded days lack, so that every panel has something to chart: a record on the
    // readings topic that is no reading (the writer dead-letters it), a late reading that arrives
    // while InfluxDB is down (the writer retries), and the figures it changes recomputed on demand
    // (a restatement).
    const stack = inject('stack');
    const native = inject('native');
    if (!native) throw new Error('stopping InfluxDB needs the native stack');
    const producer = new Kafka({ clientId: 'e2e-dashboards-bad-record', brokers: [...stack.kafka.brokers], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic: pipeline.topics.readings, messages: [{ key: data.faults.gap, value: 'not a reading' }] });
    await producer.disconnect();

    const server = influxServer({ dir: join(native.baseDir, 'influxdb'), httpPort: native.ports.influxHttp, rpcPort: native.ports.influxRpc, admin: DEV_INFLUX_ADMIN });
    await server.stop();
    try {
      const connection = await connectFleet({ url: stack.mqtt.url, deviceIds: [lateGapReading().deviceId], password: devicePassword });
      try {
        expect((await connection.publish(lateGapReading())).refusal).toBeUndefined();
      } finally {
        await connection.close();
      }
      // The writer's health says its writes fail (not only that the store is unreachable).
      await expect
        .poll(async () => ((await pipeline.writer.health())?.body as { checks?: { writes?: string } } | undefined)?.checks?.writes, { timeout: 60_000, interval: 500 })
        .toSatisfy((writes) => writes !== undefined && writes !== 'ok');
    } finally {
      await server.start();
    }
    await waitUntilEqual('stored readings', async () => (await storedReadings(pipeline)).size, data.readingCount + 1, 120_000);
    await runAggregationJob(`e2e-dashboards:${data.faults.otherRegion}:late`, data.faults.otherRegion, data.days[0]!, data.days[1]!);

    // Every target scraped (and up) after all of that.
    const settled = Date.now();
    await expect
      .poll(async () => (await prom.activeTargets()).filter((t) => t.health === 'up' && Date.parse(t.lastScrape) > settled + SCRAPE_SECONDS * 1000).length, { timeout: 30_000, interval: 500 })
      .toBe(3);

    const promNow = Date.now();
    const results: { query: string; series: number; withValues: number }[] = [];
    for (const d of dashboards) {
      const queries = panelQueries(d).filter((q) => q.kind === 'promql');
      if (queries.length === 0) continue;
      const vars = await variables(d);
      for (const q of queries) {
        const range = panelRange(d, promNow, q.timeShift, q.timeFrom);
        const intervals = promIntervals(range, SCRAPE_SECONDS, MAX_DATA_POINTS);
        const expr = interpolatePromql(q.text, vars, intervals);
        let series: PromSeries[];
        if (q.instant) {
          series = await prom.query(expr, range.to / 1000);
        } else {
          // Ends at the moment of the check: Grafana aligns the range to the step, which could put
          // the last step up to one $__interval (10 min on a week) before these minutes of samples.
          const end = range.to / 1000;
          const steps = Math.floor((end - range.from / 1000) / intervals.interval);
          series = await prom.queryRange(expr, { start: end - steps * intervals.interval, end, step: intervals.interval });
        }
        const withValues = series.filter((s) => [...(s.values ?? []), ...(s.value ? [s.value] : [])].some(([, v]) => Number.isFinite(Number(v)))).length;
        results.push({ query: `${d.uid} / ${q.panel} / ${q.refId}: ${expr}`, series: series.length, withValues });
      }
    }
    console.log(
      `dashboards e2e: ${results.length} PromQL queries on Prometheus, ${sum(results.map((r) => r.series))} series (${sum(results.map((r) => r.withValues))} with a number):\n` +
        results.map((r) => `  ${r.series} series, ${r.withValues} with a number: ${r.query}`).join('\n'),
    );
    expect(results.length).toBe(dashboards.flatMap(panelQueries).filter((q) => q.kind === 'promql').length);
    expect(results.filter((r) => r.series === 0).map((r) => r.query), 'PromQL queries that returned no series').toEqual([]);
    // A series of NaN only (e.g. a quantile of buckets that never moved) draws nothing in Grafana either.
    expect(results.filter((r) => r.withValues === 0).map((r) => r.query), 'PromQL queries whose series hold no number').toEqual([]);
  });
});
