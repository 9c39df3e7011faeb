// Issue 16, item 4, on the real stack: two enterprises of CN-CQ read hourly through MQTT, ingest,
// Kafka and the writer into InfluxDB for February and March 2026; dual-control targets as the API
// stores them; the aggregator's backfill judges the months (with a deployment's limit file whose
// clinker values it confirmed). Every query of the "Targets and limits" dashboard runs on that
// InfluxDB, and what it shows equals the domain's progress and compliance computed from
// `meterline account` on the same stored readings.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readingsTopic, type MqttReading } from '@meterline/contracts';
import {
  assessLimitCompliance,
  calendarPeriod,
  loadLimitStandards,
  regionMonths,
  SHIPPED_LIMIT_STANDARDS,
  targetProgress,
  yearToDateUnitConsumption,
  type EnterpriseFigures,
  type Manifest,
  type MonthlyActuals,
  type Target,
} from '@meterline/domain';
import { COMPLIANCE_SPANS, FIGURE_DETAIL_FIELDS as D, FIGURE_FIELDS as F, FIGURE_MEASUREMENTS as M, FIGURE_TAGS as T, REGION_TARGET_PROGRESS as R, RESTATEMENT_FIELDS, RESTATEMENT_MEASUREMENT, RESTATEMENT_TAGS, writeTargets } from '@meterline/series';
import { Fleet, fleetManifest, type PlannedPayload } from '@meterline/simulator';
import { accountStoredReadings, aggregationTopics, aggregatorEnv, aggregatorProcess, backfillProcess, waitUntilEqual, type AggregationTopics } from '../harness/aggregation.ts';
import { apiProcess } from '../harness/api-process.ts';
import { builtDashboards, interpolate, panelQueries, panelRange, resolveVariables, type BuiltDashboard, type PanelQuery, type ResolvedVariable } from '../harness/dashboard-queries.ts';
import { groupLag } from '../harness/kafka-topics.ts';
import { publishAccepted } from '../harness/publish-fleet.ts';
import { createPipeline, type Pipeline } from '../harness/pipeline.ts';
import { storedReadings } from '../harness/scenario.ts';
import type { ServiceProcess } from '../harness/service-process.ts';
import { stackEnv } from '../harness/stack-env.ts';

const TZ = 'Asia/Shanghai';
const HOUR = 3_600_000;
const MONTHS = ['2026-02', '2026-03'] as const;
const from = calendarPeriod(MONTHS[0], TZ);
const to = calendarPeriod(MONTHS[1], TZ);

/** Two enterprises, one hourly main meter each, read on the hour from an hour before February to an hour after March. */
function twoMonths(): { manifest: Manifest; payloads: PlannedPayload[]; readingCount: number } {
  const manifest = fleetManifest({ enterprises: 2, devicesPerEnterprise: 1, pointsPerDevice: 1, prefix: 'e2e-tl' });
  for (const e of manifest.enterprises) for (const p of e.sites[0]!.meteringPoints) p.expectedInterval = 'PT1H';
  // The first is a clinker kiln (an existing plant); its output of each month, in tonnes.
  const kiln = manifest.enterprises[0]!;
  kiln.production = [
    { period: MONTHS[0], product: 'clinker', value: 700, unit: 't' },
    { period: MONTHS[1], product: 'clinker', value: 930, unit: 't' },
  ];
  kiln.products = [{ product: 'clinker', limitProduct: 'cement-clinker', plant: 'existing' }];
  const fleet = new Fleet(manifest, { seed: 16, utcOffsetMinutes: 480 });
  const seq = new Map<string, number>();
  const payloads: PlannedPayload[] = [];
  let readingCount = 0;
  for (let at = from.start - HOUR; at <= to.end + HOUR; at += HOUR) {
    for (const planned of fleet.tick(at, HOUR)) {
      const readings: MqttReading[] = planned.readings;
      const s = seq.get(planned.deviceId) ?? 0;
      seq.set(planned.deviceId, s + 1);
      payloads.push({ deviceId: planned.deviceId, topic: readingsTopic(planned.deviceId), seq: s, readings, bytes: Buffer.from(JSON.stringify({ v: 1, deviceId: planned.deviceId, seq: s, readings })) });
      readingCount += readings.length;
    }
  }
  return { manifest, payloads, readingCount };
}

const data = twoMonths();
const [kiln, mill] = data.manifest.enterprises as [Manifest['enterprises'][number], Manifest['enterprises'][number]];
const REGION = kiln.region;

/** A deployment's limit file: the shipped set, its clinker grades confirmed (the shipped values are not, and are never judged against). */
function confirmedLimits(): unknown {
  const set = structuredClone(SHIPPED_LIMIT_STANDARDS) as { version: string; products: Array<{ id: string; grades: Record<string, object> }> };
  set.version = '1.0.0+cq';
  for (const grade of Object.values(set.products.find((p) => p.id === 'cement-clinker')!.grades)) Object.assign(grade, { confirmed: true, source: 'GB 16780-2021, Table 2, checked by the deployment' });
  return set;
}
const limits = loadLimitStandards(confirmedLimits());

const target = (id: string, holder: Target['holder'], metric: Target['metric'], value: number): Target => ({
  id, holder, year: 2026, metric, ...(metric === 'energy-total' ? { basis: 'equivalent' as const } : {}), value, document: 'CN-CQ energy-saving plan 2026', enteredBy: 'e2e-regulator', enteredAt: '2026-01-20T09:00:00+08:00',
});
/** The region's, and one per enterprise; the mill's ceiling is far below its use, so it is at risk or exceeded. */
const TARGETS: Target[] = [
  target('tg-cq-energy', { kind: 'region', region: REGION }, 'energy-total', 40_000),
  target('tg-kiln-co2', { kind: 'enterprise', enterpriseId: kiln.id }, 'co2-total', 30_000),
  target('tg-mill-energy', { kind: 'enterprise', enterpriseId: mill.id }, 'energy-total', 5),
];

let pipeline: Pipeline;
let topics: AggregationTopics;
let limitsFile: string;
let dashboard: BuiltDashboard;
/** `meterline account` of each month, by `${enterprise}|${month}`. */
const accounted = new Map<string, EnterpriseFigures>();
/** Early April 2026, when the dashboard is looked at. */
const now = calendarPeriod('2026-04-02', TZ).start + 9 * HOUR;

type Row = Record<string, string | number | boolean | null>;
async function influx(query: string): Promise<Row[]> {
  const series = await pipeline.store.influxQl(query);
  return series.flatMap((s) => s.values.map((values) => ({ ...(s.tags ?? {}), ...Object.fromEntries(s.columns.map((c, i) => [c, values[i] as Row[string]])) })));
}
function panel(title: string): PanelQuery {
  const found = panelQueries(dashboard).filter((p) => p.panel === title && p.refId === 'A');
  if (found.length !== 1) throw new Error(`${found.length} panels titled "${title}"`);
  return found[0]!;
}
const variables = (choose: Record<string, string[]> = {}): Promise<Map<string, ResolvedVariable>> =>
  resolveVariables(dashboard, async (q) => (await influx(q)).map((r) => String(r['value'])), choose);
const run = async (title: string, vars: Map<string, ResolvedVariable>) => {
  const q = panel(title);
  return influx(interpolate(q.text, vars, panelRange(dashboard, now, q.timeShift, q.timeFrom)));
};

/** Equal to the last few bits of a float: the store keeps the shortest round-tripping decimal. */
function expectClose(actual: unknown, expected: number, what: string) {
  expect(typeof actual, what).toBe('number');
  expect(Math.abs((actual as number) - expected), `${what}: ${String(actual)} vs ${expected}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
}

const figuresOf = (enterprise: string, month: string): EnterpriseFigures => {
  const f = accounted.get(`${enterprise}|${month}`);
  if (!f) throw new Error(`meterline account has no ${enterprise} for ${month}`);
  return f;
};
/** An enterprise's months as dual control reads them, from meterline account (U = 2u). */
const actualsOf = (enterprise: string): MonthlyActuals[] =>
  MONTHS.map((month) => {
    const f = figuresOf(enterprise, month);
    const m = (x: { value: number; expandedUncertainty: number }) => ({ value: x.value, u: x.expandedUncertainty / 2 });
    return { month, energy: { equivalent: m(f.tceEquivalent), ...(f.tceEqualValue ? { equalValue: m(f.tceEqualValue) } : {}) }, co2: m(f.carbon.totalLocation) };
  });

describe('the Targets and limits dashboard on the real pipeline (issue 16)', () => {
  beforeAll(async () => {
    const env = stackEnv();
    pipeline = await createPipeline(env, data.manifest);
    topics = await aggregationTopics(env.stack, pipeline);
    dashboard = builtDashboards().find((d) => d.uid === 'meterline-targets-and-limits')!;
    await pipeline.writer.start();
    await pipeline.ingest.start();
    await publishAccepted(inject('stack').mqtt.url, data.manifest.enterprises.flatMap((e) => e.devices.map((d) => d.id)), data.payloads);
    await waitUntilEqual('stored readings', async () => (await storedReadings(pipeline)).size, data.readingCount, 180_000);
    await writeTargets(pipeline.store, TARGETS);
    limitsFile = join(pipeline.workDir, 'limit-standards.json');
    await writeFile(limitsFile, JSON.stringify(confirmedLimits()));
    const backfill = await backfillProcess({ ...aggregatorEnv(env.stack, pipeline, topics), MTL_LIMIT_STANDARDS_FILE: limitsFile }, ['--from', `${MONTHS[0]}-01`, '--to', `${MONTHS[1]}-31`, '--kinds', 'month'], join(pipeline.workDir, 'backfill.log')).exited;
    expect(backfill.stderr).not.toMatch(/failed/);
    expect(backfill.code).toBe(0);
    for (const month of MONTHS) for (const f of await accountStoredReadings(pipeline.store, data.manifest, ['--period', month])) accounted.set(`${f.id}|${month}`, f);
  });

  afterAll(async () => {
    await pipeline?.close();
  });

  it('resolves its variables: the region of the enterprises with figures, and the four target metrics', async () => {
    const vars = await variables();
    expect(vars.get('region')?.options).toEqual([REGION]);
    expect(vars.get('metric')?.options).toEqual(['energy-total', 'energy-intensity', 'co2-total', 'carbon-intensity']);
    expect(panelQueries(dashboard).filter((q) => q.kind === 'influxql')).toHaveLength(5);
  });

  it("charts the region's projection with its band, the value to date and the ceiling, as targetProgress gives them from meterline account's months of both enterprises", async () => {
    const rows = await run('Region: projection to year end with its band, and the ceiling ($metric)', await variables({ region: [REGION], metric: ['energy-total'] }));
    const region = regionMonths([kiln.id, mill.id], [{ enterpriseId: kiln.id, months: actualsOf(kiln.id) }, { enterpriseId: mill.id, months: actualsOf(mill.id) }]);
    // As of February (the backfill judged it once both enterprises had published February) and as of March.
    expect(rows.map((r) => r['time'])).toEqual(MONTHS.map((m) => calendarPeriod(m, TZ).start));
    for (const [i, month] of MONTHS.entries()) {
      const p = targetProgress(TARGETS[0]!, region, month);
      const r = rows[i]!;
      expectClose(r['projection'], p.projection!.value, `projection as of ${month}`);
      expectClose(r['lower'], p.projection!.value - p.projection!.expandedUncertainty, `lower as of ${month}`);
      expectClose(r['upper'], p.projection!.value + p.projection!.expandedUncertainty, `upper as of ${month}`);
      expectClose(r['to date'], p.toDate!.value, `to date as of ${month}`);
      expect(r['ceiling']).toBe(40_000);
    }
  });

  it("lists each region target's latest month with its status and rule", async () => {
    const rows = await run('Region targets, latest month', await variables({ region: [REGION] }));
    const region = regionMonths([kiln.id, mill.id], [{ enterpriseId: kiln.id, months: actualsOf(kiln.id) }, { enterpriseId: mill.id, months: actualsOf(mill.id) }]);
    const p = targetProgress(TARGETS[0]!, region, MONTHS[1]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ [R.tags.region]: REGION, [R.tags.metric]: 'energy-total', [R.tags.basis]: 'equivalent', [R.fields.status]: p.status, [R.fields.asOf]: MONTHS[1], [R.fields.months]: 2, [R.fields.statusRule]: p.rule, [R.fields.missing]: '' });
    expect(['on-track', 'at-risk', 'exceeded']).toContain(p.status);
  });

  it('lists the enterprises at risk: the mill, whose ceiling of 5 tce its months already pass; the kiln is on track', async () => {
    const rows = await run('Enterprises at risk of missing their targets', await variables({ region: [REGION] }));
    const expected = MONTHS.map((month) => targetProgress(TARGETS[2]!, actualsOf(mill.id), month));
    expect(expected.map((p) => p.status)).toEqual(['exceeded', 'exceeded']);
    expect(rows.map((r) => [r[T.enterprise], r[T.metric], r[F.periodKey], r[D.verdict]]).sort()).toEqual(MONTHS.map((m) => [mill.id, 'energy-total', m, 'exceeded']));
    for (const [i, p] of expected.entries()) {
      const r = rows.find((x) => x[F.periodKey] === MONTHS[i])!;
      expectClose(r[F.value], p.projection!.value, `mill projection as of ${MONTHS[i]}`);
      expectClose(r[D.toDate], p.toDate!.value, `mill to date as of ${MONTHS[i]}`);
      expect(r[D.statusRule]).toBe(p.rule);
    }
    const kilnCo2 = targetProgress(TARGETS[1]!, actualsOf(kiln.id), MONTHS[1]);
    expect(kilnCo2.status).toBe('on-track');
  });

  it("judges the kiln's clinker against GB 16780-2021, month by month and year to date, as the domain judges meterline account's intensities", async () => {
    const vars = await variables({ region: [REGION] });
    const product = limits.products.get('cement-clinker')!;
    const mapping = kiln.products![0]!;
    /** A month as the year to date sums it: tce = (tce/t) × t, its U the intensity's (the output is booked, exact). */
    const monthOf = (month: string) => {
      const i = figuresOf(kiln.id, month).intensities.find((x) => x.product === 'clinker' && x.siteId === null)!;
      return { tce: i.tcePerUnit.value * i.production, tceExpandedUncertainty: i.tcePerUnit.expandedUncertainty * i.production, output: i.production, outputRelativeU: 0 };
    };
    for (const [span, title, monthsOf] of [
      [COMPLIANCE_SPANS.month, 'Products against their limit standards, by month', (i: number) => [MONTHS[i]!]],
      [COMPLIANCE_SPANS.yearToDate, 'Products against their limit standards, year to date', (i: number) => MONTHS.slice(0, i + 1)],
    ] as const) {
      const rows = await run(title, vars);
      expect(rows.map((r) => [r[T.enterprise], r[T.product], r[T.standard], r[F.periodKey]]).sort()).toEqual(MONTHS.map((m) => [kiln.id, 'clinker', 'cement-clinker', m]));
      for (const [i, month] of MONTHS.entries()) {
        const c = assessLimitCompliance(mapping, product, yearToDateUnitConsumption(monthsOf(i).map(monthOf), 't', product));
        const r = rows.find((x) => x[F.periodKey] === month)!;
        expectClose(r[F.value], c.unitConsumption!.value, `${span} ${month} unit consumption`);
        expectClose(r[F.expandedU], c.unitConsumption!.expandedUncertainty, `${span} ${month} U`);
        expect([r[D.verdict], r[D.limitVerdict], r[D.accessVerdict], r[D.advancedVerdict]], `${span} ${month}`).toEqual([c.verdict, ...c.grades.map((g) => g.verdict)]);
        expect(r).toMatchObject({ [F.unit]: 'kgce/t', [D.standardNumber]: 'GB 16780-2021', [D.bindingGrade]: 'limit', [D.limitValue]: 117, [D.accessValue]: 107, [D.advancedValue]: 100 });
      }
    }
  });

  describe('a target replaced through the API by the region’s regulator', () => {
    const SECRET = 'e2e-cq-regulator-secret';
    let api: ServiceProcess;
    let aggregator: ServiceProcess;
    let apiUrl: string;

    beforeAll(async () => {
      const env = stackEnv();
      aggregator = await aggregatorProcess({ ...aggregatorEnv(env.stack, pipeline, topics), MTL_LIMIT_STANDARDS_FILE: limitsFile }, topics, 'agg-targets', pipeline.workDir);
      ({ process: api, url: apiUrl } = await apiProcess(env.stack, pipeline, [{ id: 'cq-regulator', secret: SECRET, role: 'regulator', jurisdiction: [REGION] }], { aggregation: topics }));
      await Promise.all([aggregator.start(), api.start()]);
    });

    afterAll(async () => {
      await api?.stop();
      await aggregator?.stop();
    });

    it("queues the months of the year for the mill, and the aggregator restates its progress as of February and March with reason TARGET_CHANGED", async () => {
      // The mill's month of energy is far above 5 tce: a ceiling of 1 000 000 tce puts it on track.
      const response = await fetch(`${apiUrl}/v1/enterprises/${mill.id}/targets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
        body: JSON.stringify({ year: 2026, metric: 'energy-total', basis: 'equivalent', value: 1_000_000, document: 'CN-CQ energy-saving plan 2026, revised', reason: 'the mill was given the county’s spare quota' }),
      });
      const body = (await response.json()) as { id: string; enteredBy: string; restates: { enterprises: Array<{ enterpriseId: string; months: string[]; requested: boolean }> } };
      expect(response.status, JSON.stringify(body)).toBe(201);
      expect(body.enteredBy).toBe('cq-regulator');
      expect(body.restates.enterprises.map((e) => [e.enterpriseId, e.months.slice(0, 3), e.requested])).toEqual([[mill.id, ['2026-01', '2026-02', '2026-03'], true]]);
      await expect.poll(() => groupLag(inject('stack'), `aggregators-${topics.jobs}`, topics.jobs), { timeout: 600_000, interval: 2_000 }).toBe(0);

      const RF = RESTATEMENT_FIELDS;
      const restated = await influx(
        `SELECT "${RF.periodKey}", "${RF.oldValue}", "${RF.newValue}", "${RF.reason}", "${RF.detail}" FROM "${RESTATEMENT_MEASUREMENT}" WHERE "${RESTATEMENT_TAGS.enterprise}" = '${mill.id}' AND "${RESTATEMENT_TAGS.figure}" = '${M.targetProgress}'`,
      );
      const expected = MONTHS.map((month) => targetProgress({ ...TARGETS[2]!, id: body.id, value: 1_000_000 }, actualsOf(mill.id), month));
      expect(expected.map((p) => p.status)).toEqual(['on-track', 'on-track']);
      expect(restated.map((r) => [r[RF.periodKey], r[RF.reason]]).sort()).toEqual(MONTHS.map((m) => [m, 'TARGET_CHANGED']));
      for (const r of restated) {
        expect(r[RF.oldValue]).toBe(r[RF.newValue]);
        expect(r[RF.detail]).toContain(`verdict exceeded → on-track; judged against tg-mill-energy@5 → ${body.id}@1000000`);
      }
    });
  });
});
