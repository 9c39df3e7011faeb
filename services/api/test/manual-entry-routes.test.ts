import { describe, expect, it } from 'vitest';
import type { AggregationJobV1 } from '@meterline/contracts';
import type { Page } from '../src/http/pagination.ts';
import type { Problem } from '../src/problem.ts';
import type { ManualEntryView, RecordedManualEntry } from '../src/routes/manual-entry-routes.ts';
import { B_MARKERS, bearer, SECRETS, TEST_NOW, testApi } from './fixtures.ts';

const A = '/v1/enterprises/ent-a/manual-entries';
const delivery = { kind: 'fuel-delivery', period: '2026-03-17', carrier: 'diesel', value: 20, unit: 't', errorPercent: 0.5, document: 'delivery note DN-0317' };
const stock = { kind: 'fuel-stock', period: '2026-03', carrier: 'diesel', value: 9.5, unit: 't', errorPercent: 1, document: 'stock-take 2026-03' };

async function api(options: { jobs?: boolean } = {}) {
  const jobs: AggregationJobV1[] = [];
  const { app } = await testApi(options.jobs === false ? {} : { aggregationJobs: { request: (job) => Promise.resolve(void jobs.push(job)) } });
  const post = (body: unknown, secret: string = SECRETS.enterpriseA, url = A) => app.inject({ method: 'POST', url, headers: bearer(secret), payload: body as object });
  const list = async (secret: string = SECRETS.enterpriseA, query = '') => (await app.inject({ url: `${A}${query}`, headers: bearer(secret) })).json<Page<ManualEntryView>>().items;
  return { app, jobs, post, list };
}

describe('manual entries: recorded with provenance', () => {
  it('records a delivery with the key as who, the server time as when, and queues the month’s recomputation', async () => {
    const { post, list, jobs } = await api();
    const response = await post(delivery);
    expect(response.statusCode, response.body).toBe(201);
    const recorded = response.json<RecordedManualEntry>();
    expect(recorded).toEqual({
      ...delivery,
      id: expect.stringMatching(/^me-[0-9a-f]{20}$/) as unknown,
      enterpriseId: 'ent-a',
      enteredBy: 'a-energy-manager',
      enteredAt: new Date(TEST_NOW).toISOString(),
      supersededBy: null,
      restates: { months: ['2026-03'], requested: true },
    });
    expect(response.headers.location).toBe(`${A}/${recorded.id}`);
    // March 2026 in Asia/Shanghai: 2026-03-01T00:00+08:00 to 2026-04-01T00:00+08:00.
    expect(jobs).toEqual([{ v: 1, jobId: `manual:${recorded.id}`, enterpriseId: 'ent-a', kinds: ['month'], fromMs: Date.parse('2026-02-28T16:00:00Z'), toMs: Date.parse('2026-03-31T16:00:00Z'), origin: 'on-demand', requestedAt: recorded.enteredAt }]);
    const { restates: _restates, ...view } = recorded;
    expect(await list()).toEqual([view]);
  });

  it('says when no recomputation could be queued (no Kafka)', async () => {
    const { post } = await api({ jobs: false });
    expect((await post(delivery)).json<RecordedManualEntry>().restates).toEqual({ months: ['2026-03'], requested: false });
  });

  it('records a day’s outdoor temperature and queues nothing: no figure of the accounting reads it', async () => {
    const { post, jobs } = await api();
    const response = await post({ kind: 'outdoor-temperature', period: '2026-01-15', value: -3.5, unit: '°C', document: 'weather station 57516, daily mean' });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json<RecordedManualEntry>()).toMatchObject({ kind: 'outdoor-temperature', value: -3.5, restates: { months: [], requested: false } });
    expect(jobs).toEqual([]);
    // Below zero is only a temperature's.
    expect((await post({ ...delivery, value: -1 })).json<Problem>().status).toBe(400);
  });

  it('corrects an entry: a new entry supersedes it, both stay readable, the stock’s month and the next are restated', async () => {
    const { app, post, list } = await api();
    const first = (await post(stock)).json<RecordedManualEntry>();
    const fix = await post({ ...stock, value: 11.5, document: 'stock-take 2026-03 (recount)', corrects: first.id, reason: 'dip misread' });
    expect(fix.statusCode, fix.body).toBe(201);
    const second = fix.json<RecordedManualEntry>();
    // A month's closing stock is the next month's opening stock: March and April change.
    expect(second.restates.months).toEqual(['2026-03', '2026-04']);
    expect((await list()).map((e) => [e.id, e.value, e.corrects ?? null, e.supersededBy])).toEqual([[first.id, 9.5, null, second.id], [second.id, 11.5, first.id, null]]);
    expect((await list(SECRETS.enterpriseA, '?state=standing')).map((e) => e.id)).toEqual([second.id]);
    const one = await app.inject({ url: `${A}/${first.id}`, headers: bearer(SECRETS.regulatorCq) });
    expect(one.json<ManualEntryView>()).toMatchObject({ id: first.id, supersededBy: second.id, enteredBy: 'a-energy-manager' });

    const again = await post({ ...stock, value: 12, corrects: first.id, reason: 'second recount' });
    expect(again.statusCode).toBe(409);
    expect(again.json<Problem>()).toMatchObject({ code: 'MTL_API_MANUAL_ENTRY_CONFLICT', errors: [{ in: 'body', pointer: '/corrects', detail: expect.stringContaining(`already corrected by ${second.id}`) as unknown }] });
  });

  it('refuses the same fact twice: a delivery note already recorded, a second closing stock for a month', async () => {
    const { post } = await api();
    expect((await post(delivery)).statusCode).toBe(201);
    const twice = await post({ ...delivery, value: 21 });
    expect(twice.statusCode).toBe(409);
    expect(twice.json<Problem>().errors).toEqual([{ in: 'body', pointer: '/document', detail: expect.stringContaining('correct it') as unknown }]);
    expect((await post(stock)).statusCode).toBe(201);
    // Stock dated the month's last day is the same instant as the month's closing stock.
    expect((await post({ ...stock, period: '2026-03-31', document: 'another sheet' })).statusCode).toBe(409);
  });
});

describe('manual entries: scopes and another enterprise', () => {
  it('lets the regulator of the region read but not write, and keeps other keys out', async () => {
    const { post, list, app } = await api();
    await post(delivery);
    expect(await list(SECRETS.regulatorCq)).toHaveLength(1);
    expect((await app.inject({ url: A, headers: bearer(SECRETS.regulatorJs) })).statusCode).toBe(403);
    expect((await app.inject({ url: A, headers: bearer(SECRETS.enterpriseB) })).statusCode).toBe(403);
    expect((await post(delivery, SECRETS.regulatorCq)).json<Problem>()).toMatchObject({ status: 403, code: 'MTL_API_FORBIDDEN' });
    expect((await post(delivery, SECRETS.enterpriseB)).statusCode).toBe(403);
    expect((await post(delivery, SECRETS.admin)).statusCode).toBe(409);
  });

  it('cannot correct another enterprise’s entry: unknown in its own, forbidden in the other’s', async () => {
    const { post } = await api();
    const a = (await post(stock)).json<RecordedManualEntry>();
    const fromB = await post({ ...stock, corrects: a.id, reason: 'hostile' }, SECRETS.enterpriseB, '/v1/enterprises/ent-b/manual-entries');
    expect(fromB.statusCode).toBe(422);
    expect(fromB.json<Problem>()).toMatchObject({ code: 'MTL_API_MANUAL_ENTRY_UNKNOWN', errors: [{ pointer: '/corrects', detail: `the enterprise has no entry ${a.id}` }] });
    expect((await post({ ...stock, corrects: a.id, reason: 'hostile' }, SECRETS.enterpriseB)).statusCode).toBe(403);
  });

  it('answers an unknown enterprise with 404 to an admin and 403 to others, and leaks nothing of B', async () => {
    const { post, app } = await api();
    expect((await post(delivery, SECRETS.admin, '/v1/enterprises/nobody/manual-entries')).statusCode).toBe(404);
    expect((await post(delivery, SECRETS.enterpriseA, '/v1/enterprises/nobody/manual-entries')).statusCode).toBe(403);
    const forbidden = await app.inject({ url: '/v1/enterprises/ent-b/manual-entries', headers: bearer(SECRETS.enterpriseA) });
    for (const marker of B_MARKERS) expect(forbidden.body).not.toContain(marker);
  });
});

describe('manual entries: hostile input gets a problem, never a crash', () => {
  const cases: Array<[string, unknown, number, string, string]> = [
    ['a negative value', { ...delivery, value: -1 }, 400, 'MTL_API_VALIDATION_FAILED', '/value'],
    ['a value as text', { ...delivery, value: '20' }, 400, 'MTL_API_VALIDATION_FAILED', '/value'],
    ['an unknown carrier', { ...delivery, carrier: 'uranium' }, 400, 'MTL_API_VALIDATION_FAILED', '/carrier'],
    ['a fuel in kWh', { ...delivery, unit: 'kWh' }, 400, 'MTL_API_VALIDATION_FAILED', '/unit'],
    ['an unknown unit', { ...delivery, unit: 'barrels' }, 400, 'MTL_API_VALIDATION_FAILED', '/unit'],
    ['an unknown site', { ...delivery, site: 'b-site' }, 400, 'MTL_API_VALIDATION_FAILED', '/site'],
    ['30 February', { ...delivery, period: '2026-02-30' }, 400, 'MTL_API_VALIDATION_FAILED', '/period'],
    ['a member the body does not have', { ...delivery, approvedBy: 'me' }, 400, 'MTL_API_VALIDATION_FAILED', ''],
    ['a reason without a correction', { ...delivery, reason: 'because' }, 400, 'MTL_API_VALIDATION_FAILED', '/reason'],
    ['a correction of an unknown entry', { ...delivery, corrects: 'me-00000000000000000000', reason: 'typo' }, 422, 'MTL_API_MANUAL_ENTRY_UNKNOWN', '/corrects'],
    ['an array', [delivery], 400, 'MTL_API_VALIDATION_FAILED', ''],
  ];
  for (const [what, body, status, code, pointer] of cases) {
    it(`${what}: ${status} ${code}`, async () => {
      const { post, list } = await api();
      const response = await post(body);
      expect(response.statusCode, response.body).toBe(status);
      const problem = response.json<Problem>();
      expect(problem.code).toBe(code);
      if (pointer !== '') expect(problem.errors?.map((e) => e.pointer)).toContain(pointer);
      expect(await list()).toEqual([]);
    });
  }

  it('an oversized body: 413, nothing stored', async () => {
    const { post, list } = await api();
    const response = await post({ ...delivery, document: 'x'.repeat(70_000) });
    expect(response.statusCode).toBe(413);
    expect(response.json<Problem>().code).toBe('MTL_API_BODY_TOO_LARGE');
    expect(await list()).toEqual([]);
  });
});
