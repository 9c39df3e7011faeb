import { describe, expect, it } from 'vitest';
import { FIGURE_KINDS, type FigureV1 } from '@meterline/contracts';
import { PROJECTION_RULE, TARGET_STATUS_RULES } from '@meterline/domain';
import { FIGURE_DETAIL_FIELDS as D, figurePoint, regionTargetProgressPoint, targetPoint, type RegionTargetProgress } from '@meterline/series';
import type { Problem } from '../src/problem.ts';
import type { EnterpriseProgressAnswer, RegionProgressAnswer } from '../src/routes/target-progress-routes.ts';
import { bearer, SECRETS, testApi } from './fixtures.ts';

// Issue 16: progress on dual-control targets through the API, from figures written here by hand
// as the aggregator stores them. ent-a (CN-CQ, Asia/Shanghai) holds an energy-total target of
// 48 500 tce (equivalent value) and a co2-total target with nothing published yet.

const A_ENERGY = 'tg-a00000000000000000001';
const A_CO2 = 'tg-a00000000000000000002';
const CQ_ENERGY = 'tg-c00000000000000000001';

/** Month starts in Asia/Shanghai (UTC+8): 2026-01-01T00:00+08:00 is 2025-12-31T16:00Z. */
const JAN = { key: '2026-01', start: Date.parse('2025-12-31T16:00:00Z'), end: Date.parse('2026-01-31T16:00:00Z') };
const FEB = { key: '2026-02', start: Date.parse('2026-01-31T16:00:00Z'), end: Date.parse('2026-02-28T16:00:00Z') };

const ENERGY_RULE = TARGET_STATUS_RULES['on-track'];
const RISK_RULE = TARGET_STATUS_RULES['at-risk'];

/** A target_progress figure of ent-a's energy-total target, as of `month`. */
function progressFigure(month: typeof JAN, p: { toDate: number; toDateU: number; months: number; projection: number; u: number; status: string; rule: string; revision?: number }): FigureV1 {
  return {
    measurement: FIGURE_KINDS.targetProgress,
    enterpriseId: 'ent-a',
    subject: { region: 'CN-CQ', metric: 'energy-total', basis: 'equivalent' },
    periodKind: 'month',
    periodKey: month.key,
    startMs: month.start,
    endMs: month.end,
    value: p.projection,
    unit: 'tce',
    expandedUncertainty: p.u,
    coveragePercent: 99.2,
    estimated: 0,
    flags: [],
    factorSet: 'cn-2023@1.0.0',
    registryVersion: 'r1',
    revision: p.revision ?? 0,
    detail: {
      [D.verdict]: p.status,
      [D.judgedAgainst]: `${A_ENERGY}@48500`,
      [D.ceiling]: 48_500,
      [D.toDate]: p.toDate,
      [D.toDateExpandedU]: p.toDateU,
      [D.months]: p.months,
      [D.profile]: 'uniform',
      [D.statusRule]: p.rule,
      [D.year]: 2026,
    },
  };
}

// January: 3 900 ± 40 tce; uniform profile, s = 1/12: 3 900 × 12 = 46 800. One month: the rest,
// 46 800 − 3 900 = 42 900, read as 0 to twice it: u = 42 900 / √3 = 24 768.1, U = 49 536.3;
// 46 800 + 49 536.3 > 48 500: at risk.
const JAN_FIGURE = progressFigure(JAN, { toDate: 3_900, toDateU: 40, months: 1, projection: 46_800, u: 49_536.3, status: 'at-risk', rule: RISK_RULE });
// February: 3 900 + 3 800 = 7 700 tce, U = √(40² + 40²) = 56.57; s = 2/12: 7 700 × 6 = 46 200;
// with U = 1 800 (restated once): 46 200 + 1 800 = 48 000 ≤ 48 500: on track.
const FEB_FIGURE = progressFigure(FEB, { toDate: 7_700, toDateU: 56.57, months: 2, projection: 46_200, u: 1_800, status: 'on-track', rule: ENERGY_RULE, revision: 1 });

const target = (id: string, holder: { kind: 'enterprise'; enterpriseId: string } | { kind: 'region'; region: string }, metric: 'energy-total' | 'co2-total', value: number) =>
  targetPoint({ id, holder, year: 2026, metric, ...(metric === 'energy-total' ? { basis: 'equivalent' as const } : {}), value, document: 'target agreement 2026', enteredBy: 'cq-regulator', enteredAt: '2026-01-05T02:00:00.000Z' });

/** CN-CQ's energy-total target, summed over ent-a and an enterprise ent-c that lacks February. */
function regionPoint(month: typeof JAN, over: Partial<RegionTargetProgress>): RegionTargetProgress {
  return {
    region: 'CN-CQ',
    metric: 'energy-total',
    basis: 'equivalent',
    monthStartMs: month.start,
    asOf: month.key,
    year: 2026,
    targetId: CQ_ENERGY,
    ceiling: 900_000,
    unit: 'tce',
    toDate: 0,
    toDateExpandedU: 0,
    projection: 0,
    projectionExpandedU: 0,
    months: 1,
    profile: 'uniform',
    status: 'on-track',
    statusRule: ENERGY_RULE,
    enterprises: ['ent-a', 'ent-c'],
    missing: [],
    computedAt: '2026-02-01T01:00:00.000Z',
    ...over,
  };
}

async function api() {
  const { app, store } = await testApi();
  await store.write([
    figurePoint(JAN_FIGURE),
    figurePoint(FEB_FIGURE),
    target(A_ENERGY, { kind: 'enterprise', enterpriseId: 'ent-a' }, 'energy-total', 48_500),
    target(A_CO2, { kind: 'enterprise', enterpriseId: 'ent-a' }, 'co2-total', 120_000),
    target(CQ_ENERGY, { kind: 'region', region: 'CN-CQ' }, 'energy-total', 900_000),
    // January: ent-a 3 900 + ent-c 70 000 = 73 900 ± √(40² + 300²) = 302.65; × 12 = 886 800.
    regionTargetProgressPoint(regionPoint(JAN, { toDate: 73_900, toDateExpandedU: 302.65, projection: 886_800, projectionExpandedU: 9_000, status: 'at-risk', statusRule: RISK_RULE })),
    // February: ent-c has not published it, so only January counts still (months 1), ent-c missing.
    regionTargetProgressPoint(regionPoint(FEB, { toDate: 73_900, toDateExpandedU: 302.65, projection: 886_800, projectionExpandedU: 9_000, status: 'at-risk', statusRule: RISK_RULE, missing: ['ent-c'], computedAt: '2026-03-01T01:00:00.000Z' })),
  ]);
  const get = (url: string, secret: string = SECRETS.admin) => app.inject({ url, headers: bearer(secret) });
  return { app, get };
}

const ENT = '/v1/enterprises/ent-a/targets/progress';
const REGION = '/v1/regions/CN-CQ/targets/progress';

describe("an enterprise's progress on its targets (issue 16)", () => {
  const january = { asOf: '2026-01', months: 1, toDate: { value: 3_900, expandedUncertainty: 40 }, projection: { value: 46_800, expandedUncertainty: 49_536.3 }, status: 'at-risk' };
  const february = { asOf: '2026-02', months: 2, toDate: { value: 7_700, expandedUncertainty: 56.57 }, projection: { value: 46_200, expandedUncertainty: 1_800 }, status: 'on-track' };

  it('answers the latest month published, with the year’s history and the target with nothing published yet', async () => {
    const { get } = await api();
    const response = await get(`${ENT}?year=2026`, SECRETS.enterpriseA);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<EnterpriseProgressAnswer>()).toEqual({
      enterpriseId: 'ent-a',
      year: 2026,
      asOf: null,
      projectionRule: PROJECTION_RULE,
      progress: [
        {
          metric: 'energy-total',
          basis: 'equivalent',
          unit: 'tce',
          targetId: A_ENERGY,
          ceiling: 48_500,
          ...february,
          profile: 'uniform',
          statusRule: ENERGY_RULE,
          history: [january, february],
          revision: 1,
          factorSet: 'cn-2023@1.0.0',
          coveragePercent: 99.2,
        },
      ],
      withoutProgress: [{ targetId: A_CO2, metric: 'co2-total', ceiling: 120_000, unit: 'tCO2' }],
      reason: null,
    });
  });

  it('answers as of an earlier month: its figure, and the history to it', async () => {
    const { get } = await api();
    const body = (await get(`${ENT}?year=2026&asOf=2026-01`, SECRETS.regulatorCq)).json<EnterpriseProgressAnswer>();
    expect(body.asOf).toBe('2026-01');
    expect(body.progress.map((p) => ({ asOf: p.asOf, status: p.status, statusRule: p.statusRule, history: p.history }))).toEqual([{ asOf: '2026-01', status: 'at-risk', statusRule: RISK_RULE, history: [january] }]);
  });

  it('answers an empty list with a reason when nothing is published, or no target stands', async () => {
    const { get } = await api();
    const noTarget = (await get(`${ENT}?year=2025`)).json<EnterpriseProgressAnswer>();
    expect(noTarget.progress).toEqual([]);
    expect(noTarget.reason).toBe('enterprise ent-a has no standing dual-control target for 2025 (/v1/enterprises/ent-a/targets)');
    // ent-b's target of 2026 stands, but nothing of it is published before March.
    const unpublished = (await get('/v1/enterprises/ent-b/targets/progress?year=2026&asOf=2026-02')).json<EnterpriseProgressAnswer>();
    expect(unpublished.progress).toEqual([]);
    expect(unpublished.withoutProgress.map((t) => t.metric)).toEqual(['energy-total']);
    expect(unpublished.reason).toMatch(/^no progress on enterprise ent-b's targets for 2026 is published up to 2026-02: /);
  });

  it('is read by admin, the enterprise and its regulator only', async () => {
    const { app, get } = await api();
    expect((await get(`${ENT}?year=2026`, SECRETS.regulatorCq)).statusCode).toBe(200);
    expect((await get(`${ENT}?year=2026`, SECRETS.enterpriseB)).statusCode).toBe(403);
    expect((await get(`${ENT}?year=2026`, SECRETS.regulatorJs)).statusCode).toBe(403);
    expect((await get('/v1/enterprises/ent-nowhere/targets/progress?year=2026', SECRETS.enterpriseA)).statusCode).toBe(403);
    expect((await get('/v1/enterprises/ent-nowhere/targets/progress?year=2026')).statusCode).toBe(404);
    expect((await app.inject({ url: `${ENT}?year=2026` })).statusCode).toBe(401);
  });
});

describe("a region's progress on its targets (issue 16)", () => {
  it('answers the region’s sum with the enterprises expected and those missing', async () => {
    const { get } = await api();
    const response = await get(`${REGION}?year=2026`, SECRETS.regulatorCq);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json<RegionProgressAnswer>();
    const month = (asOf: string) => ({ asOf, months: 1, toDate: { value: 73_900, expandedUncertainty: 302.65 }, projection: { value: 886_800, expandedUncertainty: 9_000 }, status: 'at-risk' });
    expect(body).toEqual({
      region: 'CN-CQ',
      year: 2026,
      asOf: null,
      projectionRule: PROJECTION_RULE,
      progress: [
        {
          metric: 'energy-total',
          basis: 'equivalent',
          unit: 'tce',
          targetId: CQ_ENERGY,
          ceiling: 900_000,
          ...month('2026-02'),
          profile: 'uniform',
          statusRule: RISK_RULE,
          history: [month('2026-01'), month('2026-02')],
          enterprises: { expected: 2, missing: 1, expectedIds: ['ent-a', 'ent-c'], missingIds: ['ent-c'] },
          computedAt: '2026-03-01T01:00:00.000Z',
        },
      ],
      withoutProgress: [],
      reason: null,
    });
  });

  it('shows an enterprise of the region only its own id among those counted and missing', async () => {
    const { get } = await api();
    const [progress] = (await get(`${REGION}?year=2026`, SECRETS.enterpriseA)).json<RegionProgressAnswer>().progress;
    expect(progress?.enterprises).toEqual({ expected: 2, missing: 1, expectedIds: ['ent-a'], missingIds: [] });
    const asOfJanuary = (await get(`${REGION}?year=2026&asOf=2026-01`, SECRETS.enterpriseA)).json<RegionProgressAnswer>().progress;
    expect(asOfJanuary.map((p) => [p.asOf, p.enterprises.missing])).toEqual([['2026-01', 0]]);
  });

  it('is refused to keys outside the region, and empty with a reason where nothing is published', async () => {
    const { get } = await api();
    expect((await get(`${REGION}?year=2026`, SECRETS.enterpriseB)).statusCode).toBe(403);
    expect((await get(`${REGION}?year=2026`, SECRETS.regulatorJs)).statusCode).toBe(403);
    const js = (await get('/v1/regions/CN-JS/targets/progress?year=2026', SECRETS.regulatorJs)).json<RegionProgressAnswer>();
    expect(js.progress).toEqual([]);
    expect(js.withoutProgress.map((t) => t.metric)).toEqual(['co2-total']);
    expect(js.reason).toMatch(/^no progress on region CN-JS's targets for 2026 is published: /);
  });
});

describe('progress: hostile query strings are refused naming the parameter (issue 16)', () => {
  const cases: Array<[string, string]> = [
    ['', '/year'],
    ['?year=twenty', '/year'],
    ['?year=1969', '/year'],
    ['?year=2026.5', '/year'],
    ['?year=2026&asOf=2026-13', '/asOf'],
    ['?year=2026&asOf=2026-1', '/asOf'],
    ['?year=2026&asOf=2025-12', '/asOf'],
    ['?year=2026&asOf=%00', '/asOf'],
    ['?year=2026&metric=energy-total', '/metric'],
  ];
  for (const path of [ENT, REGION]) {
    for (const [query, pointer] of cases) {
      it(`${path}${query}: 400 at ${pointer}`, async () => {
        const { get } = await api();
        const response = await get(`${path}${query}`);
        expect(response.statusCode, response.body).toBe(400);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        const problem = response.json<Problem>();
        expect(problem.errors?.map((e) => [e.in, e.pointer])).toContainEqual(['query', pointer]);
      });
    }
  }
});
