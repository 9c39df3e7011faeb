import { describe, expect, it } from 'vitest';
import { FIGURE_KINDS, type FigureV1 } from '@meterline/contracts';
import { LIMIT_VERDICT_MEANINGS, type Manifest } from '@meterline/domain';
import { FIGURE_DETAIL_FIELDS as D, figurePoint } from '@meterline/series';
import type { Problem } from '../src/problem.ts';
import type { ComplianceAnswer } from '../src/routes/limit-compliance-routes.ts';
import { bearer, SECRETS, testApi, testManifest } from './fixtures.ts';

// Issue 16: an enterprise's products against their limit standards through the API, from
// limit_compliance figures written here by hand as the aggregator stores them. ent-a's site
// a-site makes clinker on an existing kiln (held to the limit value) and on a new one (held to
// the access value) that has published nothing. The deployment's limit data (limits@2) confirms
// GB 16780-2021's limit (117 kgce/t) and access (107 kgce/t) values, not the advanced one.

/** 2026-02 in Asia/Shanghai: 2026-02-01T00:00+08:00 to 2026-03-01T00:00+08:00. */
const FEB = { key: '2026-02', start: Date.parse('2026-01-31T16:00:00Z'), end: Date.parse('2026-02-28T16:00:00Z') };

const A_PRODUCTS = [
  { product: 'clinker', limitProduct: 'cement-clinker', site: 'a-site', plant: 'existing' as const },
  { product: 'clinker-line-2', limitProduct: 'cement-clinker', site: 'a-site', plant: 'new' as const },
];

/** The fixtures' registry with ent-a's products mapped, and none of ent-b's (the fixtures map one). */
function manifest(): Manifest {
  const m = testManifest();
  return { ...m, enterprises: m.enterprises.map(({ products: _theirs, ...e }) => (e.id === 'ent-a' ? { ...e, products: A_PRODUCTS } : e)) };
}

function complianceFigure(span: 'month' | 'year-to-date', c: { value: number; u: number; months: number; production: number; verdict: string; limitVerdict: string; accessVerdict: string }): FigureV1 {
  return {
    measurement: FIGURE_KINDS.limitCompliance,
    enterpriseId: 'ent-a',
    subject: { region: 'CN-CQ', product: 'clinker', standard: 'cement-clinker', span, site: 'a-site' },
    periodKind: 'month',
    periodKey: FEB.key,
    startMs: FEB.start,
    endMs: FEB.end,
    value: c.value,
    unit: 'kgce/t',
    expandedUncertainty: c.u,
    coveragePercent: 98.5,
    estimated: 0,
    flags: [],
    factorSet: 'cn-2023@1.0.0',
    registryVersion: 'r1',
    revision: 0,
    detail: {
      [D.verdict]: c.verdict,
      [D.judgedAgainst]: 'limits@2',
      [D.bindingGrade]: 'limit',
      [D.standardNumber]: 'GB 16780-2021',
      [D.clause]: '4.2, Table 2, grade 3',
      [D.limitValue]: 117,
      [D.limitVerdict]: c.limitVerdict,
      [D.accessValue]: 107,
      [D.accessVerdict]: c.accessVerdict,
      [D.advancedVerdict]: 'unconfirmed',
      [D.months]: c.months,
      [D.production]: c.production,
      [D.productionUnit]: 't',
    },
  };
}

// February alone: 82 588.8 kgce over 700 t = 117.984 kgce/t, U 0.681; 117.984 − 0.681 = 117.303 > 117
// (limit) and > 107 (access): clearly above both.
const MONTH = complianceFigure('month', { value: 117.984, u: 0.681, months: 1, production: 700, verdict: 'clearly-above', limitVerdict: 'clearly-above', accessVerdict: 'clearly-above' });
// January 650 t at 114 kgce/t = 74 100 kgce; with February: (74 100 + 82 588.8) / (650 + 700) = 156 688.8 / 1 350
// = 116.0658 kgce/t, U 1.2: 116.0658 + 1.2 = 117.2658 > 117 and 116.0658 − 1.2 = 114.8658 ≤ 117: the limit is
// not decidable; 114.8658 > 107: clearly above the access value.
const YEAR_TO_DATE = complianceFigure('year-to-date', { value: 116.0658, u: 1.2, months: 2, production: 1_350, verdict: 'undecidable', limitVerdict: 'undecidable', accessVerdict: 'clearly-above' });

async function api() {
  const { app, store } = await testApi({}, { manifest: manifest() });
  await store.write([figurePoint(MONTH), figurePoint(YEAR_TO_DATE)]);
  const get = (url: string, secret: string = SECRETS.admin) => app.inject({ url, headers: bearer(secret) });
  return { app, get };
}

const A = '/v1/enterprises/ent-a/limit-compliance';

describe("an enterprise's products against their limit standards (issue 16)", () => {
  it('answers the month and the year to date of each mapped product, each verdict with its meaning', async () => {
    const { get } = await api();
    const response = await get(`${A}?month=2026-02`, SECRETS.enterpriseA);
    expect(response.statusCode, response.body).toBe(200);
    const above = LIMIT_VERDICT_MEANINGS['clearly-above'];
    const span = (s: { value: number; u: number; months: number; production: number; verdict: 'clearly-above' | 'undecidable'; limit: 'clearly-above' | 'undecidable' }) => ({
      months: s.months,
      unitConsumption: { value: s.value, expandedUncertainty: s.u, unit: 'kgce/t' },
      production: { value: s.production, unit: 't' },
      standard: 'GB 16780-2021',
      clause: '4.2, Table 2, grade 3',
      bindingGrade: 'limit',
      verdict: s.verdict,
      meaning: LIMIT_VERDICT_MEANINGS[s.verdict],
      grades: [
        { grade: 'limit', value: 117, verdict: s.limit, meaning: LIMIT_VERDICT_MEANINGS[s.limit] },
        { grade: 'access', value: 107, verdict: 'clearly-above', meaning: above },
        { grade: 'advanced', value: null, verdict: 'unconfirmed', meaning: "Value not confirmed from the standard's text: no verdict." },
      ],
      judgedAgainst: 'limits@2',
      coveragePercent: 98.5,
      flags: [],
      revision: 0,
    });
    expect(response.json<ComplianceAnswer>()).toEqual({
      enterpriseId: 'ent-a',
      month: '2026-02',
      products: [
        {
          product: 'clinker',
          site: 'a-site',
          limitProduct: 'cement-clinker',
          plant: 'existing',
          month: span({ value: 117.984, u: 0.681, months: 1, production: 700, verdict: 'clearly-above', limit: 'clearly-above' }),
          yearToDate: span({ value: 116.0658, u: 1.2, months: 2, production: 1_350, verdict: 'undecidable', limit: 'undecidable' }),
          reason: null,
        },
        {
          product: 'clinker-line-2',
          site: 'a-site',
          limitProduct: 'cement-clinker',
          plant: 'new',
          month: null,
          yearToDate: null,
          reason: expect.stringMatching(/^the month 2026-02 and the year to date: not published: /) as unknown,
        },
      ],
      reason: null,
    });
    expect(LIMIT_VERDICT_MEANINGS.undecidable).toMatch(/^Not decidable at the data's quality/);
    expect(above).toMatch(/^Clearly above: even the lower end of the band/);
  });

  it('answers another month with both spans null and a reason, and an enterprise without mapped products with an empty list', async () => {
    const { get } = await api();
    const january = (await get(`${A}?month=2026-01`)).json<ComplianceAnswer>();
    expect(january.products.map((p) => [p.product, p.month, p.yearToDate])).toEqual([
      ['clinker', null, null],
      ['clinker-line-2', null, null],
    ]);
    const b = (await get('/v1/enterprises/ent-b/limit-compliance?month=2026-02', SECRETS.regulatorJs)).json<ComplianceAnswer>();
    expect(b).toEqual({ enterpriseId: 'ent-b', month: '2026-02', products: [], reason: "enterprise ent-b maps none of its products to a limit standard (the registry's products)" });
  });

  it('is read by admin, the enterprise and its regulator only', async () => {
    const { app, get } = await api();
    expect((await get(`${A}?month=2026-02`, SECRETS.regulatorCq)).statusCode).toBe(200);
    expect((await get(`${A}?month=2026-02`, SECRETS.enterpriseB)).statusCode).toBe(403);
    expect((await get(`${A}?month=2026-02`, SECRETS.regulatorJs)).statusCode).toBe(403);
    expect((await get('/v1/enterprises/ent-nowhere/limit-compliance?month=2026-02', SECRETS.enterpriseA)).statusCode).toBe(403);
    expect((await get('/v1/enterprises/ent-nowhere/limit-compliance?month=2026-02')).statusCode).toBe(404);
    expect((await app.inject({ url: `${A}?month=2026-02` })).statusCode).toBe(401);
  });

  const hostile: Array<[string, string]> = [
    ['', '/month'],
    ['?month=2026-2', '/month'],
    ['?month=2026-00', '/month'],
    ['?month=1969-12', '/month'],
    ['?month=2026-02-01', '/month'],
    ['?month=%27%3B--', '/month'],
    ['?month=2026-02&month=2026-03', '/month'],
    ['?month=2026-02&span=year-to-date', '/span'],
  ];
  for (const [query, pointer] of hostile) {
    it(`${query || 'no month'}: 400 at ${pointer}`, async () => {
      const { get } = await api();
      const response = await get(`${A}${query}`);
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json<Problem>().errors?.map((e) => [e.in, e.pointer])).toContainEqual(['query', pointer]);
    });
  }
});
