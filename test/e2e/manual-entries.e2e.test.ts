// Issue 15, item 3, on the real stack: manual entries through the pipeline. An enterprise with
// a metered electricity main meter (hourly readings of February through MQTT → ingest → Kafka →
// writer → InfluxDB) and diesel known only by stock and deliveries entered by hand through the
// API process with the enterprise's own key. Each entry makes the API queue an aggregation job
// on Kafka; the aggregator process computes the month from it. The diesel figures, the
// restatement a corrected stock causes and the month's scorecard are read back through the API.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readingsTopic, type MqttReading } from '@meterline/contracts';
import { calendarPeriod, type Manifest } from '@meterline/domain';
import { FIGURE_DETAIL_FIELDS as D, FIGURE_MEASUREMENTS as M, FIGURE_TAGS as T, INTENSITY_METRICS, STANDARD_COAL_BASES, STANDARD_COAL_LEVELS } from '@meterline/series';
import { Fleet, type PlannedPayload } from '@meterline/simulator';
import { apiProcess } from '../harness/api-process.ts';
import { aggregationTopics, aggregatorEnv, aggregatorProcess, waitUntilEqual, type AggregationTopics } from '../harness/aggregation.ts';
import { groupLag } from '../harness/kafka-topics.ts';
import { publishAccepted } from '../harness/publish-fleet.ts';
import { createPipeline, type Pipeline } from '../harness/pipeline.ts';
import { storedReadings } from '../harness/scenario.ts';
import type { ServiceProcess } from '../harness/service-process.ts';
import { stackEnv } from '../harness/stack-env.ts';

const TZ = 'Asia/Shanghai';
const MONTH = '2026-02';
const HOUR = 3_600_000;
const A = 'e2e-man-a';
const B = 'e2e-man-b';
const SECRET_A = 'e2e-manual-enterprise-a-secret';
const SECRET_B = 'e2e-manual-enterprise-b-secret';
/** The stand-in point of a fuel accounted from manual entries (packages/domain manual-fuel.ts). */
const DIESEL_POINT = 'manual:diesel';

// ---- The hand-computed expectations ------------------------------------------------------
// Diesel entered by hand, in t, each with its maximum error in percent.
const OPENING = { value: 12.5, errorPercent: 1 }; // closing stock of January: February's opening
const DELIVERY = { value: 20.15, errorPercent: 0.5 }; // delivery note of 10 February
const CLOSING = { value: 9.35, errorPercent: 1 }; // closing stock of February, as first entered
const CLOSING_FIXED = { value: 8.6, errorPercent: 1 }; // the same stock recounted (the correction)
// Stock balance (NBS energy statistics, form 205-1): opening + deliveries − closing.
//   as first entered: 12.5 + 20.15 − 9.35 = 23.3 t
//   corrected:        12.5 + 20.15 − 8.6  = 24.05 t
const DIESEL_T = 23.3;
const DIESEL_FIXED_T = 24.05;
// GB/T 2589-2020, Appendix A: diesel 1.4571 kgce/kg, i.e. 1.4571 tce/t.
//   23.3 t × 1.4571 = 33.95043 tce;  24.05 t × 1.4571 = 35.043255 tce
const DIESEL_TCE = 33.95043;
const DIESEL_FIXED_TCE = 35.043255;
// GB/T 32150 (general guideline), diesel: NCV 42.652 GJ/t × CC 20.20 tC/TJ × OF 0.98 × 44/12:
//   42.652 × 20.20 = 861.5704 GJ·tC/(t·TJ); × 0.98 = 844.338992; × 44/12 = 3095.90964 kgCO2/t
//   = 3.095909637 tCO2/t
const DIESEL_CO2_PER_T = (42.652 * 20.2 * 0.98 * (44 / 12)) / 1000;
//   23.3 t × 3.095909637 = 72.1346945 tCO2;  24.05 t × 3.095909637 = 74.4566268 tCO2
const DIESEL_CO2 = 72.1346945;
const DIESEL_FIXED_CO2 = 74.4566268;
// Uncertainty (GUM 5.1.2): each entry's maximum error a, read as rectangular, u = a/√3, added in
// quadrature; U = 2u. As first entered: a = 0.125, 0.10075, 0.0935 t;
//   u² = (0.015625 + 0.0101505625 + 0.00874225) / 3 = 0.0345178125 / 3 = 0.0115059375
//   U = 2 × √0.0115059375 = 2 × 0.1072657 = 0.2145315 t
const DIESEL_U = 2 * Math.sqrt(0.0345178125 / 3);
const OUTPUT_VALUE = { value: 1280, unit: '10^4 CNY' };
const VALUE_ADDED = { value: 365.5, unit: '10^4 CNY' };

// Figures are compared to 9 decimal places (the test's arithmetic and the code's may differ in
// the last bit); with the CO2 amounts written out above to 7 decimals, to 6.

// ---- The enterprises and the month of readings -----------------------------------------
const point = (id: string) => ({
  id,
  carrier: 'electricity' as const,
  quantity: 'active-energy-import' as const,
  unit: 'kWh',
  registerMax: 100_000_000,
  accuracyClass: 0.5,
  maxPower: { value: 800, unit: 'kW' },
  expectedInterval: 'PT1H',
  calibration: { certificate: `${id}-cal`, validFrom: '2024-01-01', validUntil: '2030-12-31' },
  topology: { role: 'boundary-input' as const },
});
const enterprise = (id: string) => ({
  id,
  name: `manual entries ${id}`,
  region: 'CN-CQ',
  gridRegion: 'southwest',
  timeZone: TZ,
  factorSet: { name: 'cn-2023', version: '1.0.0' },
  scope2Level: 'provincial',
  sites: [{ id: `${id}-s0`, name: 'plant', meteringPoints: [point(`${id}-e-main`)] }],
  devices: [{ id: `${id}-gw`, kind: 'gateway', meteringPoints: [`${id}-e-main`] }],
});
const manifest = { version: 1, enterprises: [enterprise(A), enterprise(B)] } as Manifest;

/** February of A's main meter, hourly, an hour either side: 28 × 24 + 3 = 675 readings. */
function februaryPayloads(): PlannedPayload[] {
  const month = calendarPeriod(MONTH, TZ);
  const fleet = new Fleet({ version: 1, enterprises: [manifest.enterprises[0]!] }, { seed: 15, utcOffsetMinutes: 480 });
  const payloads: PlannedPayload[] = [];
  let seq = 0;
  for (let at = month.start - HOUR; at <= month.end + HOUR; at += HOUR) {
    for (const planned of fleet.tick(at, HOUR)) {
      const readings: MqttReading[] = planned.readings;
      const s = seq++;
      payloads.push({ deviceId: planned.deviceId, topic: readingsTopic(planned.deviceId), seq: s, readings, bytes: Buffer.from(JSON.stringify({ v: 1, deviceId: planned.deviceId, seq: s, readings })) });
    }
  }
  return payloads;
}

// ---- What the API answers, as far as this test reads it ----------------------------------
interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: { in: string; pointer: string; detail: string }[];
}
interface Entry {
  id: string;
  kind: string;
  period: string;
  value: number;
  enteredBy: string;
  corrects?: string;
  reason?: string;
  supersededBy: string | null;
  restates?: { months: string[]; requested: boolean };
}
interface FigureView {
  subject: Record<string, string>;
  value: number;
  unit: string;
  expandedUncertainty: number;
  coveragePercent: number;
  flags: string[];
  revision: number;
  detail: Record<string, number | string | boolean>;
}
interface RestatementView {
  restatementId: string;
  figure: string;
  periodKey: string;
  subject: string;
  unit: string;
  oldValue: number;
  newValue: number;
  oldFlags: string[];
  newFlags: string[];
  reason: string;
  detail: string;
}
interface Scorecard {
  passed: boolean;
  outcomes: { rule: string; passed: boolean; findings: string[] }[];
}

let pipeline: Pipeline;
let topics: AggregationTopics;
let aggregator: ServiceProcess;
let api: ServiceProcess;
let apiUrl: string;

async function call<T>(method: 'GET' | 'POST', path: string, secret: string, body?: unknown): Promise<{ status: number; contentType: string | null; body: T }> {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${secret}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, contentType: response.headers.get('content-type'), body: (await response.json()) as T };
}

const ENTRIES_A = `/v1/enterprises/${A}/manual-entries`;
const record = async (body: object): Promise<Entry> => {
  const answer = await call<Entry>('POST', ENTRIES_A, SECRET_A, body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
};

const FEBRUARY = `from=${encodeURIComponent('2026-02-01T00:00:00+08:00')}&to=${encodeURIComponent('2026-03-01T00:00:00+08:00')}`;

/** February's month figures of one measurement, through the API's figures route with A's key. */
async function monthFigures(measurement: string, filter = ''): Promise<FigureView[]> {
  const answer = await call<{ items: FigureView[]; next: string | null }>('GET', `/v1/enterprises/${A}/figures?measurement=${measurement}&period=month&${FEBRUARY}${filter}&limit=1000`, SECRET_A);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  expect(answer.body.next).toBeNull();
  return answer.body.items;
}

const dieselFigure = async (): Promise<FigureView | undefined> => (await monthFigures(M.consumption, '&carrier=diesel')).find((f) => f.subject[T.point] === DIESEL_POINT);
const enterpriseCoal = async (): Promise<FigureView> =>
  (await monthFigures(M.standardCoal)).find((f) => f.subject[T.level] === STANDARD_COAL_LEVELS.enterprise && f.subject[T.basis] === STANDARD_COAL_BASES.equivalent)!;
const scope1 = async (): Promise<FigureView> => (await monthFigures(M.carbon, '&scope=scope1'))[0]!;

/** February's restatements, through the API. */
async function restatements(): Promise<RestatementView[]> {
  const answer = await call<{ items: RestatementView[]; next: string | null }>('GET', `/v1/enterprises/${A}/restatements?${FEBRUARY}&limit=1000`, SECRET_A);
  expect(answer.status).toBe(200);
  expect(answer.body.next).toBeNull();
  return answer.body.items;
}

/** A restatement's subject, `k=v` pairs joined by `;`, as tags. */
const subjectOf = (r: RestatementView): Record<string, string> => Object.fromEntries(r.subject.split(';').map((kv) => kv.split('=') as [string, string]));

/** Every aggregation job queued so far has been run to its end (a job is committed only when finished). */
const jobsDone = () => expect.poll(() => groupLag(inject('stack'), `aggregators-${topics.jobs}`, topics.jobs), { timeout: 300_000, interval: 1_000 }).toBe(0);

const missingMoney = async (): Promise<string[]> => {
  const answer = await call<Scorecard>('GET', `/v1/enterprises/${A}/scorecards/${MONTH}`, SECRET_A);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  const required = answer.body.outcomes.find((o) => o.rule === 'required-indicators')!;
  return required.findings.filter((f) => f.startsWith('output-value') || f.startsWith('value-added'));
};

beforeAll(async () => {
  const env = stackEnv();
  pipeline = await createPipeline(env, manifest);
  await pipeline.writer.start();
  await pipeline.ingest.start();
  const payloads = februaryPayloads();
  await publishAccepted(inject('stack').mqtt.url, [`${A}-gw`], payloads);
  const readingCount = payloads.reduce((n, p) => n + p.readings.length, 0);
  expect(readingCount).toBe(28 * 24 + 3);
  await waitUntilEqual('stored readings', async () => (await storedReadings(pipeline)).size, readingCount, 240_000);

  // The aggregator takes its jobs from the topic the API queues manual entries' recomputations on.
  topics = await aggregationTopics(inject('stack'), pipeline);
  aggregator = await aggregatorProcess(aggregatorEnv(inject('stack'), pipeline, topics), topics, 'agg-manual', pipeline.workDir);

  // The API with Kafka (so it queues jobs), the pipeline's registry file, and a key per enterprise.
  ({ process: api, url: apiUrl } = await apiProcess(
    env.stack,
    pipeline,
    [
      { id: 'a-energy-manager', secret: SECRET_A, role: 'enterprise', enterpriseId: A },
      { id: 'b-energy-manager', secret: SECRET_B, role: 'enterprise', enterpriseId: B },
    ],
    { aggregation: topics },
  ));
  await Promise.all([aggregator.start(), api.start()]);
});

afterAll(async () => {
  await api?.stop();
  await aggregator?.stop();
  await pipeline?.close();
});

describe('manual entries through the real pipeline (issue 15, item 3)', () => {
  let closing: Entry;

  it('diesel entered by stock and delivery: the aggregator books opening + deliveries − closing, its tce and scope 1, flagged manual', async () => {
    const opening = await record({ kind: 'fuel-stock', period: '2026-01', carrier: 'diesel', unit: 't', ...OPENING, document: 'stock-take 2026-01' });
    // January's closing stock is February's opening: both months are recomputed, and the API queued it.
    expect(opening.restates).toEqual({ months: ['2026-01', '2026-02'], requested: true });
    expect(opening.enteredBy).toBe('a-energy-manager');
    const delivery = await record({ kind: 'fuel-delivery', period: '2026-02-10', carrier: 'diesel', unit: 't', ...DELIVERY, document: 'delivery note DN-0210' });
    expect(delivery.restates).toEqual({ months: ['2026-02'], requested: true });
    closing = await record({ kind: 'fuel-stock', period: MONTH, carrier: 'diesel', unit: 't', ...CLOSING, document: 'stock-take 2026-02' });
    expect(closing.restates).toEqual({ months: ['2026-02', '2026-03'], requested: true });

    // The aggregator runs the jobs in order (one enterprise, one partition): the last one books all three entries.
    await expect.poll(async () => (await dieselFigure())?.value, { timeout: 300_000, interval: 1_000 }).toBeCloseTo(DIESEL_T, 9);
    const diesel = (await dieselFigure())!;
    console.log(`manual e2e: diesel ${diesel.value} ${diesel.unit} ± ${diesel.expandedUncertainty}, tce ${String(diesel.detail[D.tce])}, flags ${diesel.flags.join(',')}`);
    expect(diesel.unit).toBe('t');
    expect(diesel.flags).toContain('manual');
    expect(diesel.flags).not.toContain('incomplete');
    expect(diesel.expandedUncertainty).toBeCloseTo(DIESEL_U, 12);
    expect(DIESEL_U).toBeCloseTo(0.2145315, 7);
    // Standard coal of the fuel, on the consumption figure (and the worked product above checked).
    expect(diesel.detail[D.tce]).toBeCloseTo(DIESEL_TCE, 9);
    expect(DIESEL_T * 1.4571).toBeCloseTo(DIESEL_TCE, 9);
    // The figure names the entries it rests on.
    expect(String(diesel.detail[D.manualEntries]).split(',').sort()).toEqual([opening.id, delivery.id, closing.id].sort());

    // Scope 1 is the diesel's alone (electricity is scope 2), by GB/T 32150's factor.
    expect(DIESEL_CO2_PER_T).toBeCloseTo(3.095909637, 9);
    const co2 = await scope1();
    console.log(`manual e2e: scope 1 ${co2.value} ${co2.unit}, flags ${co2.flags.join(',')}`);
    expect(co2.unit).toBe('tCO2');
    expect(co2.value).toBeCloseTo(DIESEL_T * DIESEL_CO2_PER_T, 9);
    expect(co2.value).toBeCloseTo(DIESEL_CO2, 6);
    expect(co2.flags).toContain('manual');

    // The enterprise's standard coal adds the diesel's to the metered electricity's.
    const electricity = (await monthFigures(M.consumption, '&carrier=electricity')).find((f) => f.subject[T.point] === `${A}-e-main`)!;
    expect(electricity.flags).not.toContain('manual');
    const coal = await enterpriseCoal();
    expect(coal.value).toBeCloseTo((electricity.detail[D.tce] as number) + DIESEL_TCE, 9);
    expect(coal.flags).toContain('manual');
  });

  it('output value and value added entered: the month’s scorecard no longer lists them as missing', async () => {
    // Before: the required indicators rule names both.
    expect(await missingMoney()).toEqual([`output-value ${MONTH} is missing`, `value-added ${MONTH} is missing`]);
    await record({ kind: 'output-value', period: MONTH, ...OUTPUT_VALUE, errorPercent: 0.1, document: 'statistics form B204-1 2026-02' });
    await record({ kind: 'value-added', period: MONTH, ...VALUE_ADDED, errorPercent: 0.5, document: 'statistics form B204-1 2026-02' });
    expect(await missingMoney()).toEqual([]);
  });

  it('a corrected closing stock restates the month’s figures with reason MANUAL_ENTRIES_CHANGED, old and new values', async () => {
    await jobsDone();
    const before = new Set((await restatements()).map((r) => r.restatementId));
    const revisionBefore = (await dieselFigure())!.revision;

    const fix = await record({ kind: 'fuel-stock', period: MONTH, carrier: 'diesel', unit: 't', ...CLOSING_FIXED, document: 'stock-take 2026-02 (recount)', corrects: closing.id, reason: 'tank dip misread' });
    expect(fix.restates).toEqual({ months: ['2026-02', '2026-03'], requested: true });
    expect(fix.corrects).toBe(closing.id);
    // Both entries stay listed; the old one says which correction supersedes it.
    const listed = await call<{ items: Entry[] }>('GET', `${ENTRIES_A}?kind=fuel-stock&period=${MONTH}`, SECRET_A);
    expect(listed.body.items.map((e) => [e.id, e.value, e.supersededBy])).toEqual([
      [closing.id, CLOSING.value, fix.id],
      [fix.id, CLOSING_FIXED.value, null],
    ]);

    await expect.poll(async () => (await dieselFigure())?.value, { timeout: 300_000, interval: 1_000 }).toBeCloseTo(DIESEL_FIXED_T, 9);
    await jobsDone();
    const diesel = (await dieselFigure())!;
    expect(diesel.revision).toBe(revisionBefore + 1);
    expect(diesel.flags).toContain('manual');
    expect(diesel.detail[D.tce]).toBeCloseTo(DIESEL_FIXED_TCE, 9);
    expect(String(diesel.detail[D.manualEntries]).split(',')).toContain(fix.id);
    expect(String(diesel.detail[D.manualEntries]).split(',')).not.toContain(closing.id);
    expect((await scope1()).value).toBeCloseTo(DIESEL_FIXED_CO2, 6);

    const restated = (await restatements()).filter((r) => !before.has(r.restatementId));
    for (const r of restated) console.log(`manual e2e: restated ${r.figure} ${r.subject}: ${r.oldValue} → ${r.newValue} (${r.reason}; ${r.detail})`);
    // Every figure the correction moved says why: the entries changed, naming the correction, what it corrects and the reason.
    expect(restated.filter((r) => r.reason !== 'MANUAL_ENTRIES_CHANGED').map((r) => `${r.figure} ${r.subject} ${r.reason}`)).toEqual([]);
    // The entries that came and went are the correction and the entry it corrects, nothing else:
    // the output value and value added recorded since moved none of these figures.
    for (const r of restated) {
      expect(r.periodKey).toBe(MONTH);
      expect(r.detail).toBe(`value ${r.oldValue} → ${r.newValue} ${r.unit}; manual entries + ${fix.id} (corrects ${closing.id}: tank dip misread) − ${closing.id}`);
    }
    const one = (figure: string, test: (s: Record<string, string>) => boolean) => {
      const found = restated.filter((r) => r.figure === figure && test(subjectOf(r)));
      expect(found, figure).toHaveLength(1);
      return found[0]!;
    };
    const consumption = one(M.consumption, (s) => s[T.point] === DIESEL_POINT);
    expect(consumption.oldValue).toBeCloseTo(DIESEL_T, 9);
    expect(consumption.newValue).toBeCloseTo(DIESEL_FIXED_T, 9);
    const co2 = one(M.carbon, (s) => s[T.scope] === 'scope1');
    expect(co2.oldValue).toBeCloseTo(DIESEL_CO2, 6);
    expect(co2.newValue).toBeCloseTo(DIESEL_FIXED_CO2, 6);
    // The enterprise's standard coal moves by exactly the diesel's difference: (24.05 − 23.3) t × 1.4571 = 1.092825 tce.
    const coal = one(M.standardCoal, (s) => s[T.level] === STANDARD_COAL_LEVELS.enterprise && s[T.basis] === STANDARD_COAL_BASES.equivalent);
    expect(coal.newValue - coal.oldValue).toBeCloseTo(1.092825, 9);
    expect(coal.newValue).toBe((await enterpriseCoal()).value);
    // Tonnes per 10^4 CNY of value added: the enterprise's tce over 365.5, before and after.
    const perValueAdded = one(M.intensity, (s) => s[T.product] === 'value-added' && s[T.metric] === INTENSITY_METRICS.tce);
    expect(perValueAdded.oldValue).toBeCloseTo(coal.oldValue / VALUE_ADDED.value, 12);
    expect(perValueAdded.newValue).toBeCloseTo(coal.newValue / VALUE_ADDED.value, 12);

    // Exactly the figures resting on the diesel moved: its consumption, standard coal (enterprise
    // on both bases, the site), scope 1 and the totals holding it, and the intensities per output
    // value and value added. The metered electricity and scope 2 did not.
    const label = (r: RestatementView) => {
      const s = subjectOf(r);
      return [r.figure, s[T.point] ?? s[T.level] ?? s[T.scope] ?? s[T.product], s[T.basis] ?? s[T.metric] ?? ''].join(' ').trim();
    };
    expect(restated.map(label).sort()).toEqual(
      [
        `${M.consumption} ${DIESEL_POINT}`,
        `${M.standardCoal} ${STANDARD_COAL_LEVELS.enterprise} ${STANDARD_COAL_BASES.equivalent}`,
        `${M.standardCoal} ${STANDARD_COAL_LEVELS.enterprise} ${STANDARD_COAL_BASES.equalValue}`,
        `${M.standardCoal} ${STANDARD_COAL_LEVELS.site} ${STANDARD_COAL_BASES.equivalent}`,
        `${M.carbon} scope1`,
        `${M.carbon} total-location`,
        `${M.carbon} total-market`,
        `${M.carbon} total-location-net`,
        `${M.intensity} output-value ${INTENSITY_METRICS.tce}`,
        `${M.intensity} output-value ${INTENSITY_METRICS.tco2}`,
        `${M.intensity} value-added ${INTENSITY_METRICS.tce}`,
        `${M.intensity} value-added ${INTENSITY_METRICS.tco2}`,
      ].sort(),
    );
  });

  it("another enterprise's key can neither read nor correct A's entries; an oversized body is refused with a problem", async () => {
    const entriesBefore = (await call<{ items: Entry[] }>('GET', ENTRIES_A, SECRET_A)).body.items;
    const standing = entriesBefore.find((e) => e.kind === 'fuel-stock' && e.period === MONTH && e.supersededBy === null)!;

    const list = await call<Problem>('GET', ENTRIES_A, SECRET_B);
    expect([list.status, list.contentType?.split(';')[0], list.body.code]).toEqual([403, 'application/problem+json', 'MTL_API_FORBIDDEN']);
    const one = await call<Problem>('GET', `${ENTRIES_A}/${standing.id}`, SECRET_B);
    expect([one.status, one.body.code]).toEqual([403, 'MTL_API_FORBIDDEN']);
    expect(JSON.stringify(one.body)).not.toContain(String(standing.value));

    const hostile = { kind: 'fuel-stock', period: MONTH, carrier: 'diesel', unit: 't', value: 0, errorPercent: 1, document: 'hostile', corrects: standing.id, reason: 'hostile' };
    // In A's name: refused before the body is read.
    const inA = await call<Problem>('POST', ENTRIES_A, SECRET_B, hostile);
    expect([inA.status, inA.body.code]).toEqual([403, 'MTL_API_FORBIDDEN']);
    // In B's own name: A's entry is not one B has.
    const inB = await call<Problem>('POST', `/v1/enterprises/${B}/manual-entries`, SECRET_B, hostile);
    expect([inB.status, inB.body.code]).toEqual([422, 'MTL_API_MANUAL_ENTRY_UNKNOWN']);
    expect(inB.body.errors).toEqual([{ in: 'body', pointer: '/corrects', detail: `the enterprise has no entry ${standing.id}` }]);

    // Over the API's default body limit (1 MiB): 413, a problem, nothing stored.
    const oversized = await call<Problem>('POST', ENTRIES_A, SECRET_A, { kind: 'fuel-delivery', period: '2026-02-20', carrier: 'diesel', value: 1, unit: 't', document: 'x'.repeat(1_200_000) });
    expect([oversized.status, oversized.contentType?.split(';')[0], oversized.body.code]).toEqual([413, 'application/problem+json', 'MTL_API_BODY_TOO_LARGE']);

    // A's entries as they were, and B has none.
    expect((await call<{ items: Entry[] }>('GET', ENTRIES_A, SECRET_A)).body.items).toEqual(entriesBefore);
    expect((await call<{ items: Entry[] }>('GET', `/v1/enterprises/${B}/manual-entries`, SECRET_B)).body.items).toEqual([]);
    // And the API still answers.
    expect((await call<{ items: Entry[] }>('GET', ENTRIES_A, SECRET_A)).status).toBe(200);
  });
});
