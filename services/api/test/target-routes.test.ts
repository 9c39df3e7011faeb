import { describe, expect, it } from 'vitest';
import type { AggregationJobV1 } from '@meterline/contracts';
import type { Page } from '../src/http/pagination.ts';
import type { Problem } from '../src/problem.ts';
import { endedMonthsOf, type RecordedTarget, type TargetView } from '../src/routes/target-routes.ts';
import { B_MARKERS, B_TARGET, bearer, SECRETS, TEST_NOW, testApi } from './fixtures.ts';

// Issue 16: dual-control targets entered through the API. The fixtures' clock, TEST_NOW, is
// 2026-03-10T04:00Z, 12:00 in Asia/Shanghai (ent-a's and ent-b's time zone): January and
// February 2026 have ended, March has not.
const CQ = '/v1/regions/CN-CQ/targets';
const A = '/v1/enterprises/ent-a/targets';
const intensity = { year: 2026, metric: 'energy-intensity', basis: 'equivalent', value: 0.412, document: 'Chongqing energy-saving plan, 2026 decomposition' };
const agreement = { year: 2026, metric: 'energy-total', basis: 'equal-value', value: 48_500, document: 'target agreement 2026 No. 17' };

/** 2026-01-01T00:00+08:00 and 2026-03-01T00:00+08:00: the start of January and the end of February in Shanghai. */
const JAN_1_2026 = Date.parse('2025-12-31T16:00:00Z');
const MARCH_1_2026 = Date.parse('2026-02-28T16:00:00Z');

/** The API on the fixtures' store; `ticking`: its clock a second further on at each reading, as targets entered one after another. */
async function api(options: { jobs?: 'queue' | 'none' | 'fail'; ticking?: boolean } = {}) {
  const jobs: AggregationJobV1[] = [];
  const request = (job: AggregationJobV1) => (options.jobs === 'fail' ? Promise.reject(new Error('topic refused the job')) : Promise.resolve(void jobs.push(job)));
  let clock = TEST_NOW;
  const { app } = await testApi({
    ...(options.jobs === 'none' ? {} : { aggregationJobs: { request } }),
    ...(options.ticking ? { now: () => (clock += 1000) } : {}),
  });
  const post = (body: unknown, secret: string = SECRETS.regulatorCq, url = A) => app.inject({ method: 'POST', url, headers: bearer(secret), payload: body as object });
  const get = (url: string, secret: string = SECRETS.admin) => app.inject({ url, headers: bearer(secret) });
  const list = async (url: string, secret: string = SECRETS.admin) => {
    const response = await get(url, secret);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<Page<TargetView>>().items;
  };
  return { app, jobs, post, get, list };
}

describe('the months a target restates', () => {
  it('are January to the last month that has ended on the holder’s wall clock', () => {
    // 2027-01-01T00:30+08:00 is still 2026-12-31T16:30Z: all of 2026 has ended in Shanghai, December not yet in UTC.
    const newYearInShanghai = Date.parse('2026-12-31T16:30:00Z');
    expect(endedMonthsOf(2026, newYearInShanghai, 'Asia/Shanghai')).toEqual(['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12']);
    expect(endedMonthsOf(2026, newYearInShanghai, 'UTC')).toHaveLength(11);
    expect(endedMonthsOf(2027, newYearInShanghai, 'Asia/Shanghai')).toEqual([]);
    expect(endedMonthsOf(2026, TEST_NOW, 'Asia/Shanghai')).toEqual(['2026-01', '2026-02']);
    expect(endedMonthsOf(2027, TEST_NOW, 'Asia/Shanghai')).toEqual([]);
  });
});

describe('targets: recorded with provenance, history kept (issue 16)', () => {
  it('records an enterprise’s target with the key as who and the server time as when, and queues the year to date’s recomputation', async () => {
    const { post, list, jobs } = await api();
    const response = await post(agreement);
    expect(response.statusCode, response.body).toBe(201);
    const recorded = response.json<RecordedTarget>();
    expect(recorded).toEqual({
      ...agreement,
      id: expect.stringMatching(/^tg-[0-9a-f]{20}$/) as unknown,
      holder: { kind: 'enterprise', enterpriseId: 'ent-a' },
      unit: 'tce',
      enteredBy: 'cq-regulator',
      enteredAt: new Date(TEST_NOW).toISOString(),
      supersededBy: null,
      restates: { enterprises: [{ enterpriseId: 'ent-a', months: ['2026-01', '2026-02'], requested: true }] },
    });
    expect(response.headers.location).toBe(`${A}/${recorded.id}`);
    expect(jobs).toEqual([{ v: 1, jobId: `target:${recorded.id}`, enterpriseId: 'ent-a', kinds: ['month'], fromMs: JAN_1_2026, toMs: MARCH_1_2026, origin: 'on-demand', requestedAt: recorded.enteredAt }]);
    const { restates: _restates, ...view } = recorded;
    expect(await list(A, SECRETS.enterpriseA)).toEqual([view]);
  });

  it('keeps a change as a new target that supersedes the standing one of its slot; another basis is another slot', async () => {
    const { post, list, get, jobs } = await api({ ticking: true });
    const first = (await post(agreement, SECRETS.regulatorCq)).json<RecordedTarget>();
    const change = await post({ ...agreement, value: 47_000, document: 'target agreement 2026 No. 17, amendment 1', reason: 'capacity retired in February' }, SECRETS.admin);
    expect(change.statusCode, change.body).toBe(201);
    const second = change.json<RecordedTarget>();
    const other = (await post({ ...agreement, basis: 'equivalent', value: 30_000 }, SECRETS.regulatorCq)).json<RecordedTarget>();

    const listed = await list(A, SECRETS.regulatorCq);
    expect(listed.map((t) => [t.id, t.basis, t.value, t.enteredBy, t.reason ?? null, t.supersededBy])).toEqual([
      [first.id, 'equal-value', 48_500, 'cq-regulator', null, second.id],
      [second.id, 'equal-value', 47_000, 'ops-admin', 'capacity retired in February', null],
      [other.id, 'equivalent', 30_000, 'cq-regulator', null, null],
    ]);
    expect((await list(`${A}?state=standing`, SECRETS.enterpriseA)).map((t) => t.id)).toEqual([second.id, other.id]);
    const one = await get(`${A}/${first.id}`, SECRETS.enterpriseA);
    expect(one.json<TargetView>()).toMatchObject({ id: first.id, supersededBy: second.id, value: 48_500 });
    // Every change restates the year to date again: three targets, three jobs.
    expect(jobs.map((j) => j.jobId)).toEqual([`target:${first.id}`, `target:${second.id}`, `target:${other.id}`]);
  });

  it('refuses the standing target stated again (a retried request): 409, recorded once', async () => {
    // The clock stands still: a change in the same millisecond still supersedes, so the repeat is judged against it.
    const { post, list } = await api();
    expect((await post(agreement)).statusCode).toBe(201);
    const again = await post(agreement, SECRETS.admin);
    expect(again.statusCode).toBe(409);
    expect(again.json<Problem>()).toMatchObject({ code: 'MTL_API_TARGET_CONFLICT', errors: [{ in: 'body', pointer: '/value', detail: expect.stringContaining('states 48500 tce from the same document already') as unknown }] });
    // Sent twice at once: one passes the check, the other finds it.
    const [x, y] = await Promise.all([post({ ...agreement, value: 47_000 }), post({ ...agreement, value: 47_000 })]);
    expect([x.statusCode, y.statusCode].sort()).toEqual([201, 409]);
    const [first, change] = await list(A);
    expect([first?.value, first?.supersededBy, change?.value, change?.supersededBy]).toEqual([48_500, change?.id, 47_000, null]);
    // Recorded in the same millisecond as the target it changes: stamped one millisecond after it, so it stands.
    expect(Date.parse(change!.enteredAt) - Date.parse(first!.enteredAt)).toBe(1);
  });

  it('restates every enterprise of the region in the registry for a region target, and lists it for them', async () => {
    const { post, list, jobs } = await api();
    const response = await post(intensity, SECRETS.regulatorCq, CQ);
    expect(response.statusCode, response.body).toBe(201);
    const recorded = response.json<RecordedTarget>();
    expect(recorded).toMatchObject({ holder: { kind: 'region', region: 'CN-CQ' }, unit: 'tce/10^4 CNY', restates: { enterprises: [{ enterpriseId: 'ent-a', months: ['2026-01', '2026-02'], requested: true }] } });
    expect(response.headers.location).toBe(`${CQ}/${recorded.id}`);
    // ent-a is the only enterprise in CN-CQ (ent-b is in CN-JS).
    expect(jobs).toEqual([{ v: 1, jobId: `target:${recorded.id}:ent-a`, enterpriseId: 'ent-a', kinds: ['month'], fromMs: JAN_1_2026, toMs: MARCH_1_2026, origin: 'on-demand', requestedAt: recorded.enteredAt }]);
    // The region's targets are the region's, not its enterprises'.
    expect((await list(CQ, SECRETS.enterpriseA)).map((t) => t.id)).toEqual([recorded.id]);
    expect(await list(A, SECRETS.enterpriseA)).toEqual([]);
  });

  it('restates nothing before the year’s first month has ended, or in a region without enterprises', async () => {
    const { post, jobs } = await api();
    const nextYear = (await post({ ...agreement, year: 2027 })).json<RecordedTarget>();
    expect(nextYear.restates).toEqual({ enterprises: [] });
    const empty = await post(intensity, SECRETS.admin, '/v1/regions/CN-SC/targets');
    expect(empty.statusCode, empty.body).toBe(201);
    expect(empty.json<RecordedTarget>().restates).toEqual({ enterprises: [] });
    expect(jobs).toEqual([]);
    // A past year: its twelve months, 2025-01-01T00:00+08:00 to 2026-01-01T00:00+08:00.
    const lastYear = (await post({ ...agreement, year: 2025 })).json<RecordedTarget>();
    expect(lastYear.restates.enterprises[0]?.months).toHaveLength(12);
    expect(jobs.map((j) => [j.fromMs, j.toMs])).toEqual([[Date.parse('2024-12-31T16:00:00Z'), JAN_1_2026]]);
  });

  it('says when no recomputation was queued (no Kafka, or the topic refused it), and keeps the target', async () => {
    for (const jobs of ['none', 'fail'] as const) {
      const { post, list } = await api({ jobs });
      const response = await post(agreement);
      expect(response.statusCode, jobs).toBe(201);
      expect(response.json<RecordedTarget>().restates, jobs).toEqual({ enterprises: [{ enterpriseId: 'ent-a', months: ['2026-01', '2026-02'], requested: false }] });
      expect(await list(A), jobs).toHaveLength(1);
    }
  });

  it('filters by year, metric and state, pages, and finds one target', async () => {
    const { post, list, get } = await api({ ticking: true });
    const a2025 = (await post({ ...agreement, year: 2025 })).json<RecordedTarget>();
    const a2026 = (await post(agreement)).json<RecordedTarget>();
    const co2 = (await post({ year: 2026, metric: 'co2-total', value: 120_000, document: 'carbon allocation 2026' })).json<RecordedTarget>();
    expect((await list(`${A}?year=2026`)).map((t) => t.id)).toEqual([a2026.id, co2.id]);
    expect((await list(`${A}?metric=co2-total`)).map((t) => t.id)).toEqual([co2.id]);
    expect((await list(`${A}?state=superseded`)).map((t) => t.id)).toEqual([]);
    const page = (await get(`${A}?limit=2`)).json<Page<TargetView>>();
    expect(page.items.map((t) => t.id)).toEqual([a2025.id, a2026.id]);
    expect((await list(page.next!)).map((t) => t.id)).toEqual([co2.id]);
    expect(co2).not.toHaveProperty('basis');
    const missing = await get(`${A}/tg-00000000000000000000`);
    expect(missing.json<Problem>()).toMatchObject({ status: 404, code: 'MTL_API_NOT_FOUND' });
    // An enterprise's target is not found under its region, nor a region's under an enterprise.
    expect((await get(`${CQ}/${a2026.id}`)).statusCode).toBe(404);
  });
});

describe('targets: who may set and read them', () => {
  it('lets no enterprise key set a target, its own included', async () => {
    const { post, list } = await api();
    for (const url of [A, CQ]) {
      const response = await post(agreement, SECRETS.enterpriseA, url);
      expect(response.json<Problem>(), url).toMatchObject({ status: 403, code: 'MTL_API_FORBIDDEN' });
    }
    expect(await list(A)).toEqual([]);
    expect(await list(CQ)).toEqual([]);
  });

  it('keeps a regulator to its jurisdiction: neither another region nor an enterprise in it', async () => {
    const { post, list } = await api();
    expect((await post(intensity, SECRETS.regulatorJs, CQ)).json<Problem>()).toMatchObject({ status: 403, code: 'MTL_API_FORBIDDEN' });
    expect((await post(agreement, SECRETS.regulatorJs, A)).json<Problem>()).toMatchObject({ status: 403, code: 'MTL_API_FORBIDDEN' });
    expect((await post(intensity, SECRETS.regulatorJs, '/v1/regions/CN-JS/targets')).statusCode).toBe(201);
    expect(await list(CQ)).toEqual([]);
    expect(await list(A)).toEqual([]);
  });

  it('answers 403 alike for a region or enterprise out of reach whether or not it has anything, and 404 to an admin for an unknown enterprise', async () => {
    const { post } = await api();
    // CN-SC has no enterprise, CN-JS has ent-b: the same answer, so a regulator learns nothing from it.
    for (const url of ['/v1/regions/CN-SC/targets', '/v1/regions/CN-JS/targets', '/v1/enterprises/nobody/targets', '/v1/enterprises/ent-b/targets']) {
      expect((await post(intensity, SECRETS.regulatorCq, url)).statusCode, url).toBe(403);
    }
    expect((await post(agreement, SECRETS.admin, '/v1/enterprises/nobody/targets')).json<Problem>()).toMatchObject({ status: 404, code: 'MTL_API_NOT_FOUND' });
  });

  it('lets an enterprise read its own targets and its region’s, and nothing of another region or enterprise', async () => {
    const { get, list } = await api();
    expect(await list('/v1/regions/CN-JS/targets', SECRETS.enterpriseB)).toHaveLength(1);
    expect(await list('/v1/enterprises/ent-b/targets', SECRETS.enterpriseB)).toHaveLength(1);
    for (const url of ['/v1/regions/CN-JS/targets', '/v1/enterprises/ent-b/targets', `/v1/enterprises/ent-b/targets/${B_TARGET}`]) {
      for (const secret of [SECRETS.enterpriseA, SECRETS.regulatorCq]) {
        const response = await get(url, secret);
        expect(response.statusCode, url).toBe(403);
        for (const marker of B_MARKERS) expect(response.body).not.toContain(marker);
      }
    }
    expect((await get('/v1/regions/CN-CQ/targets', SECRETS.enterpriseB)).statusCode).toBe(403);
  });
});

describe('targets: hostile input gets a problem naming the field, never a crash', () => {
  const cases: Array<[string, unknown, string]> = [
    ['a ceiling of 0', { ...agreement, value: 0 }, '/value'],
    ['a negative ceiling', { ...agreement, value: -48_500 }, '/value'],
    // No real ceiling is near 1e30 tce: a unit slip, refused by the domain naming the unit.
    ['a ceiling of 1e30', { ...agreement, value: 1e30 }, '/value'],
    ['a ceiling as text', { ...agreement, value: '48500' }, '/value'],
    ['a year as text', { ...agreement, year: '2026' }, '/year'],
    ['a year that is no integer', { ...agreement, year: 2026.5 }, '/year'],
    ['a year before 1970', { ...agreement, year: 1969 }, '/year'],
    ['an unknown metric', { ...agreement, metric: 'water-total' }, '/metric'],
    ['an energy target without its basis', { year: 2026, metric: 'energy-total', value: 48_500, document: 'agreement' }, '/basis'],
    ['a CO2 target with an electricity basis', { year: 2026, metric: 'co2-total', basis: 'equivalent', value: 120_000, document: 'allocation' }, '/basis'],
    ['an unknown basis', { ...agreement, basis: 'calorific' }, '/basis'],
    ['no document', { ...agreement, document: undefined }, '/document'],
    ['an empty document', { ...agreement, document: '' }, '/document'],
    ['a blank document', { ...agreement, document: '   ' }, '/document'],
    ['a document of 201 characters', { ...agreement, document: 'x'.repeat(201) }, '/document'],
    ['a member the body does not have', { ...agreement, approvedBy: 'me' }, '/approvedBy'],
    ['a holder in the body', { ...agreement, holder: { kind: 'region', region: 'CN-JS' } }, '/holder'],
    ['an id of its own choosing', { ...agreement, id: 'tg-mine' }, '/id'],
    ['an array', [agreement], '/'],
  ];
  for (const [what, body, pointer] of cases) {
    it(`${what}: 400 naming ${pointer}, nothing stored`, async () => {
      const { post, list } = await api();
      const response = await post(body);
      expect(response.statusCode, response.body).toBe(400);
      const problem = response.json<Problem>();
      expect(problem.code).toBe('MTL_API_VALIDATION_FAILED');
      expect(problem.errors?.map((e) => e.pointer)).toContain(pointer);
      expect(await list(A)).toEqual([]);
    });
  }

  it('a ceiling beyond any real one says which unit it is in', async () => {
    const { post } = await api();
    const problem = (await post({ ...agreement, value: 1e30 })).json<Problem>();
    expect(problem.errors).toEqual([{ in: 'body', pointer: '/value', detail: '1e+30 tce is beyond any real ceiling (at most 10000000000): check the unit' }]);
  });

  it('a region that is no ISO 3166-2 subdivision: 400 naming the parameter (an admin: nothing out of reach)', async () => {
    const { post, get } = await api();
    for (const region of ['cn-cq', 'CN-CQQQ', 'CN_CQ', 'CHN-CQ', '%20CN-CQ']) {
      const response = await post(intensity, SECRETS.admin, `/v1/regions/${region}/targets`);
      expect(response.statusCode, region).toBe(400);
      expect(response.json<Problem>().errors, region).toEqual([expect.objectContaining({ in: 'params', pointer: '/region' })]);
      expect((await get(`/v1/regions/${region}/targets`)).statusCode, region).toBe(400);
    }
  });

  it('a query that does not fit: 400 naming it', async () => {
    const { get } = await api();
    for (const [query, pointer] of [['year=abc', '/year'], ['year=99999', '/year'], ['state=voided', '/state'], ['metric=water', '/metric'], ['owner=me', '/owner']]) {
      const response = await get(`${A}?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.json<Problem>().errors?.map((e) => e.pointer), query).toContain(pointer);
    }
  });

  it('an oversized body: 413, nothing stored', async () => {
    const { post, list } = await api();
    const response = await post({ ...agreement, document: 'x'.repeat(70_000) });
    expect(response.json<Problem>()).toMatchObject({ status: 413, code: 'MTL_API_BODY_TOO_LARGE' });
    expect(await list(A)).toEqual([]);
  });

  it('a body that is no JSON: 400 or 415, nothing stored', async () => {
    const { app, list } = await api();
    const notJson = await app.inject({ method: 'POST', url: A, headers: { ...bearer(SECRETS.admin), 'content-type': 'application/json' }, payload: '{"year": 2026,' });
    expect(notJson.json<Problem>()).toMatchObject({ status: 400, code: 'MTL_API_VALIDATION_FAILED' });
    // Text is parsed as a string, which is no target.
    const text = await app.inject({ method: 'POST', url: A, headers: { ...bearer(SECRETS.admin), 'content-type': 'text/plain' }, payload: 'year=2026' });
    expect(text.json<Problem>()).toMatchObject({ status: 400, code: 'MTL_API_VALIDATION_FAILED' });
    const xml = await app.inject({ method: 'POST', url: A, headers: { ...bearer(SECRETS.admin), 'content-type': 'application/xml' }, payload: '<target year="2026"/>' });
    expect(xml.json<Problem>()).toMatchObject({ status: 415, code: 'MTL_API_UNSUPPORTED_MEDIA_TYPE' });
    expect(await list(A)).toEqual([]);
  });
});
