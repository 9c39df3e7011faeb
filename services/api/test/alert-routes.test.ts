import { describe, expect, it } from 'vitest';
import { ALERT_STATE } from '@meterline/series';
import { alertOf, alertPoints, bearer, deliveryPoint, SECRETS, testApi } from './fixtures.ts';
import type { Page } from '../src/http/pagination.ts';
import type { Problem } from '../src/problem.ts';
import type { AlertView, DeliveryView } from '../src/routes/alert-routes.ts';

const ids = (body: { items: { alertId: string }[] }) => body.items.map((a) => a.alertId);
/** A row of the alerter's state series under `key`, holding `doc` as it is (here: what no alerter writes). */
const stateRow = (key: string, doc: string) => ({
  measurement: ALERT_STATE.measurement,
  tags: { [ALERT_STATE.tags.enterprise]: 'ent-a', [ALERT_STATE.tags.key]: key },
  fields: { [ALERT_STATE.fields.doc]: doc },
  timestampMs: 0,
});

describe('current alerts', () => {
  it('lists the enterprise’s alerts as the alerter holds them, newest first, each with the AlertV1 fields', async () => {
    const { app } = await testApi();
    const response = await app.inject({ url: '/v1/enterprises/ent-b/alerts', headers: bearer(SECRETS.enterpriseB) });
    expect(response.statusCode).toBe(200);
    const body = response.json<Page<AlertView>>();
    expect(body.items).toEqual([
      alertOf('ent-b', 'b-e-main'),
      alertOf('ent-b', 'b-e-spare', { status: 'resolved', startsAt: '2026-03-01T01:00:00.000Z', endsAt: '2026-03-01T03:00:00.000Z' }),
    ]);
    expect(body.next).toBeNull();
    // The regulator of B's region reads them too; A's key does not.
    expect((await app.inject({ url: '/v1/enterprises/ent-b/alerts', headers: bearer(SECRETS.regulatorJs) })).json<Page<AlertView>>().items).toHaveLength(2);
    expect((await app.inject({ url: '/v1/enterprises/ent-b/alerts', headers: bearer(SECRETS.enterpriseA) })).statusCode).toBe(403);
  });

  it('filters by status, rule, severity and the time the alert was open, and pages', async () => {
    const { app, store } = await testApi();
    await store.write(alertPoints(alertOf('ent-a', 'a-e-third', { rule: 'low-coverage', dedupKey: 'ent-a/low-coverage/point=a-e-third', severity: 'warning', startsAt: '2026-03-05T00:00:00.000Z' })));
    const get = async (query: string) => (await app.inject({ url: `/v1/enterprises/ent-a/alerts?${query}`, headers: bearer(SECRETS.enterpriseA) })).json<Page<AlertView>>();
    expect(ids(await get(''))).toEqual([
      'alert-ent-a-a-e-third-2026-03-05T00:00:00.000Z',
      'alert-ent-a-a-e-main-2026-03-02T01:00:00.000Z',
      'alert-ent-a-a-e-spare-2026-03-01T01:00:00.000Z',
    ]);
    expect(ids(await get('status=resolved'))).toEqual(['alert-ent-a-a-e-spare-2026-03-01T01:00:00.000Z']);
    expect(ids(await get('rule=low-coverage'))).toEqual(['alert-ent-a-a-e-third-2026-03-05T00:00:00.000Z']);
    expect(ids(await get('severity=critical&status=firing'))).toEqual(['alert-ent-a-a-e-main-2026-03-02T01:00:00.000Z']);
    // Open at some moment in [from, to): the resolved one ended before from; the third began at to.
    expect(ids(await get('from=2026-03-01T04:00:00Z&to=2026-03-05T00:00:00Z'))).toEqual(['alert-ent-a-a-e-main-2026-03-02T01:00:00.000Z']);
    expect(ids(await get('from=2026-03-01T02:00:00Z'))).toHaveLength(3);
    expect(ids(await get('to=2026-03-02T01:00:00Z'))).toEqual(['alert-ent-a-a-e-spare-2026-03-01T01:00:00.000Z']);

    const first = await get('limit=2');
    expect(first.items).toHaveLength(2);
    const second = (await app.inject({ url: first.next!, headers: bearer(SECRETS.enterpriseA) })).json<Page<AlertView>>();
    expect(ids(second)).toEqual(['alert-ent-a-a-e-spare-2026-03-01T01:00:00.000Z']);
    expect(second.next).toBeNull();
  });

  it('names the failing query field', async () => {
    const { app } = await testApi();
    const problem = async (query: string) => (await app.inject({ url: `/v1/enterprises/ent-a/alerts?${query}`, headers: bearer(SECRETS.admin) })).json<Problem>();
    expect((await problem('status=open')).errors).toEqual([expect.objectContaining({ in: 'query', pointer: '/status' })]);
    expect((await problem('from=2026-02-30T00:00:00Z')).errors).toEqual([{ in: 'query', pointer: '/from', detail: 'is not a real instant' }]);
    expect((await problem('from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z')).errors).toEqual([{ in: 'query', pointer: '/to', detail: 'must be after from' }]);
  });

  it('leaves out a stored record that holds no alert, and the alerter’s progress record', async () => {
    const { app, store } = await testApi();
    await store.write([
      stateRow('broken', '{"alert":{"alertId":1}}'),
      stateRow('not-json', '{'),
      stateRow(ALERT_STATE.progressKey, '{"lastTickMs":1,"watchingSinceMs":0}'),
    ]);
    const response = await app.inject({ url: '/v1/enterprises/ent-a/alerts', headers: bearer(SECRETS.admin) });
    expect(response.statusCode).toBe(200);
    expect(response.json<Page<AlertView>>().items).toHaveLength(2);
  });
});

describe('alert history', () => {
  it('lists the episodes that began in the range, oldest first, a resolved one with its end', async () => {
    const { app } = await testApi();
    const url = '/v1/enterprises/ent-b/alerts/history?from=2026-03-01T00:00:00Z&to=2026-03-03T00:00:00Z';
    const body = (await app.inject({ url, headers: bearer(SECRETS.regulatorJs) })).json<Page<AlertView>>();
    expect(body.items).toEqual([
      alertOf('ent-b', 'b-e-spare', { status: 'resolved', startsAt: '2026-03-01T01:00:00.000Z', endsAt: '2026-03-01T03:00:00.000Z' }),
      alertOf('ent-b', 'b-e-main'),
    ]);
    const later = (await app.inject({ url: '/v1/enterprises/ent-b/alerts/history?from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z&rule=meter-offline&limit=1', headers: bearer(SECRETS.admin) })).json<Page<AlertView>>();
    expect(ids(later)).toEqual(['alert-ent-b-b-e-main-2026-03-02T01:00:00.000Z']);
    expect(later.next).toBeNull();
    const otherRule = (await app.inject({ url: `${url}&rule=budget-overrun`, headers: bearer(SECRETS.admin) })).json<Page<AlertView>>();
    expect(otherRule.items).toEqual([]);
  });
});

describe('the webhook delivery log', () => {
  it('lists every attempt in the range with its outcome, status, error and duration', async () => {
    const { app } = await testApi();
    const url = '/v1/enterprises/ent-b/alert-deliveries?from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z';
    const body = (await app.inject({ url, headers: bearer(SECRETS.regulatorJs) })).json<Page<DeliveryView>>();
    expect(body.items).toEqual([
      {
        at: '2026-03-02T01:00:01.000Z',
        subscriptionId: 'b-hook',
        notificationId: 'n-ent-b-1',
        rule: 'meter-offline',
        status: 'firing',
        attempt: 1,
        outcome: 'retrying',
        httpStatus: 503,
        error: 'receiver answered 503: Bravo Secret Textiles gateway down',
        durationMs: 12,
        alerts: 1,
      },
      { at: '2026-03-02T01:00:05.000Z', subscriptionId: 'b-hook', notificationId: 'n-ent-b-1', rule: 'meter-offline', status: 'firing', attempt: 2, outcome: 'delivered', httpStatus: 200, durationMs: 12, alerts: 1 },
    ]);
  });

  it('filters by subscription, pages, and bounds the range', async () => {
    const { app, store } = await testApi();
    await store.write([deliveryPoint('ent-b', 'b-other', Date.parse('2026-03-02T02:00:00Z'), { attempt: 0, outcome: 'dead', error: 'subscription unknown' })]);
    const base = '/v1/enterprises/ent-b/alert-deliveries?from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z';
    const get = async (url: string) => (await app.inject({ url, headers: bearer(SECRETS.enterpriseB) })).json<Page<DeliveryView>>();
    expect((await get(base)).items).toHaveLength(3);
    expect((await get(`${base}&subscription=b-other`)).items).toEqual([expect.objectContaining({ subscriptionId: 'b-other', attempt: 0, outcome: 'dead' })]);
    const first = await get(`${base}&limit=2`);
    expect(first.items.map((a: { attempt: number }) => a.attempt)).toEqual([1, 2]);
    expect((await get(first.next!)).items.map((a: { subscriptionId: string }) => a.subscriptionId)).toEqual(['b-other']);
    const tooLong = await get('/v1/enterprises/ent-b/alert-deliveries?from=2026-01-01T00:00:00Z&to=2026-03-03T00:00:00Z');
    expect(tooLong).toMatchObject({ status: 400, errors: [{ in: 'query', pointer: '/to', detail: 'must be at most 31 days after from' }] });
  });
});
