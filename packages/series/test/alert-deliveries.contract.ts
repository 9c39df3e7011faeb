import { describe, expect, it } from 'vitest';
import { deliveryPoint, readDeliveries, type DeliveryAttempt, type UnreadableRow } from '../src/index.ts';
import { suiteStore, uniqueId, type MakeSeriesStore } from './series-store-under-test.ts';

const T0 = Date.UTC(2026, 2, 2, 1, 0, 0);
const fail = (row: UnreadableRow) => expect.fail(row.reason);

function attempt(enterpriseId: string, over: Partial<DeliveryAttempt> = {}): DeliveryAttempt {
  return { enterpriseId, subscriptionId: 'sub-a', notificationId: 'n-1', rule: 'budget-overrun', status: 'firing', attempt: 1, outcome: 'delivered', atMs: T0, httpStatus: 204, durationMs: 12, alerts: 2, ...over };
}

export function alertDeliveriesContract(name: string, make: MakeSeriesStore): void {
  describe(`alert deliveries series: ${name}`, () => {
    const store = suiteStore(make);

    it('stores one point per attempt at its time, tagged enterprise, subscription and outcome', async () => {
      const enterprise = uniqueId('ent');
      const failed = attempt(enterprise, { outcome: 'retrying', httpStatus: 503, error: 'HTTP 503' });
      const refused = attempt(enterprise, { outcome: 'retrying', httpStatus: undefined, error: 'ECONNREFUSED', attempt: 2, atMs: T0 + 900 });
      await store().write([deliveryPoint(failed), deliveryPoint(refused)]);
      expect(await store().readSeries({ measurement: 'alert_delivery', tags: { enterprise }, fromMs: 0, toMs: T0 + 1_000 })).toEqual([
        {
          measurement: 'alert_delivery',
          tags: { enterprise, subscription: 'sub-a', outcome: 'retrying' },
          fields: { notification_id: 'n-1', rule: 'budget-overrun', status: 'firing', attempt: 1, duration_ms: 12, alerts: 2, http_status: 503, error: 'HTTP 503' },
          timestampMs: T0,
        },
        {
          measurement: 'alert_delivery',
          tags: { enterprise, subscription: 'sub-a', outcome: 'retrying' },
          fields: { notification_id: 'n-1', rule: 'budget-overrun', status: 'firing', attempt: 2, duration_ms: 12, alerts: 2, error: 'ECONNREFUSED' },
          timestampMs: T0 + 900,
        },
      ]);
      const { httpStatus: _none, ...withoutStatus } = refused;
      expect(await readDeliveries(store(), { enterpriseId: enterprise, fromMs: 0, toMs: T0 + 1_000 }, fail)).toEqual([failed, withoutStatus]);
    });

    it('reads an enterprise’s attempts in a range, optionally of one subscription, oldest first, then by attempt', async () => {
      const [e1, e2] = [uniqueId('ent'), uniqueId('ent')];
      const written = [
        attempt(e1, { atMs: T0 + 20, attempt: 2, outcome: 'dead', httpStatus: 500, error: 'gave up' }),
        attempt(e1, { subscriptionId: 'sub-b', atMs: T0 + 20, attempt: 1 }),
        attempt(e1, { atMs: T0 + 10 }),
        attempt(e2, { atMs: T0 + 10 }),
        attempt(e1, { atMs: T0 + 30 }),
      ];
      await store().write(written.map(deliveryPoint));
      const read = (query: { enterpriseId: string; subscriptionId?: string; fromMs: number; toMs: number }) => readDeliveries(store(), query, fail);
      expect(await read({ enterpriseId: e1, fromMs: T0, toMs: T0 + 30 })).toEqual([written[2], written[1], written[0]]);
      expect(await read({ enterpriseId: e1, subscriptionId: 'sub-a', fromMs: T0, toMs: T0 + 31 })).toEqual([written[2], written[0], written[4]]);
      expect(await read({ enterpriseId: e2, fromMs: T0, toMs: T0 + 31 })).toEqual([written[3]]);
    });

    it('reports a row with an outcome it does not know, or without its counts, and reads the others', async () => {
      const enterprise = uniqueId('ent');
      const good = attempt(enterprise);
      const fields = { notification_id: 'n-2', rule: 'budget-overrun', status: 'firing', attempt: 1, alerts: 1 };
      await store().write([
        deliveryPoint(good),
        { measurement: 'alert_delivery', tags: { enterprise, subscription: 'sub-x', outcome: 'lost' }, fields: { ...fields, duration_ms: 3 }, timestampMs: T0 + 1 },
        { measurement: 'alert_delivery', tags: { enterprise, subscription: 'sub-y', outcome: 'dead' }, fields, timestampMs: T0 + 2 },
        { measurement: 'alert_delivery', tags: { enterprise, subscription: 'sub-z', outcome: 'dead' }, fields: { ...fields, duration_ms: 3, rule: 'weather' }, timestampMs: T0 + 3 },
      ]);
      const reported: UnreadableRow[] = [];
      expect(await readDeliveries(store(), { enterpriseId: enterprise, fromMs: T0, toMs: T0 + 10 }, (r) => reported.push(r))).toEqual([good]);
      expect(reported.sort((a, b) => a.timestampMs - b.timestampMs).map((r) => [r.tags['subscription'], r.timestampMs - T0, r.reason])).toEqual([
        ['sub-x', 1, 'its `outcome` tag is "lost", not one of delivered, retrying, dead'],
        ['sub-y', 2, 'lacks `duration_ms` (or holds another type)'],
        ['sub-z', 3, 'its `rule` "weather" is no alert rule'],
      ]);
    });
  });
}
