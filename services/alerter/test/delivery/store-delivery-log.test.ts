import { describe, expect, it } from 'vitest';
import { createLogger, Registry } from '@meterline/service-kit';
import { InMemoryStore } from '@meterline/store';
import { ALERT_DELIVERIES, deliveryPoint, readDeliveries, type DeliveryAttempt } from '@meterline/series';
import { createStoreDeliveryLog } from '../../src/delivery/index.ts';
import { T0 } from './fixtures.ts';

const log = createLogger('alerter-delivery-test', 'silent');

function attempt(overrides: Partial<DeliveryAttempt> = {}): DeliveryAttempt {
  return {
    enterpriseId: 'ent-1',
    subscriptionId: 'sub-a',
    notificationId: 'n-1',
    rule: 'budget-overrun',
    status: 'firing',
    attempt: 1,
    outcome: 'delivered',
    atMs: T0,
    httpStatus: 204,
    durationMs: 12,
    alerts: 2,
    ...overrides,
  };
}

const counter = async (metrics: Registry, name: string) => (await metrics.getSingleMetric(name)?.get())?.values[0]?.value ?? 0;

describe('delivery log in the time-series store', () => {
  it('writes one point per attempt, in the alert deliveries series, at the attempt’s time', async () => {
    const store = new InMemoryStore();
    const deliveries = createStoreDeliveryLog({ store, log, metrics: new Registry() });
    const first = attempt({ outcome: 'retrying', httpStatus: 503, error: 'HTTP 503', attempt: 1 });
    const second = attempt({ outcome: 'retrying', httpStatus: undefined, error: 'ECONNREFUSED', attempt: 2, atMs: T0 + 900 });
    deliveries.record(first);
    deliveries.record(second);
    await deliveries.flush();
    const points = await store.readSeries({ measurement: ALERT_DELIVERIES.measurement, tags: {}, fromMs: 0, toMs: T0 + 1_000 });
    // The layout itself is the series module's (packages/series/test/alert-deliveries.test.ts).
    expect(points).toEqual([deliveryPoint(first), deliveryPoint(second)]);
    expect(points.map((p) => p.timestampMs)).toEqual([T0, T0 + 900]);
  });

  it('keeps attempts of one series in the same millisecond as distinct points, moved a millisecond apart', async () => {
    const store = new InMemoryStore();
    const deliveries = createStoreDeliveryLog({ store, log, metrics: new Registry() });
    for (const id of ['n-1', 'n-2', 'n-3']) deliveries.record(attempt({ notificationId: id }));
    deliveries.record(attempt({ notificationId: 'n-4', subscriptionId: 'sub-b' }));
    await deliveries.flush();
    const read = await readDeliveries(store, { enterpriseId: 'ent-1', fromMs: 0, toMs: T0 + 1_000 }, (row) => expect.fail(row.reason));
    expect(read.map((a) => [a.notificationId, a.atMs - T0])).toEqual([
      ['n-1', 0],
      ['n-4', 0],
      ['n-2', 1],
      ['n-3', 2],
    ]);
  });

  it('reads back what it wrote, by enterprise and subscription, within [fromMs, toMs)', async () => {
    const store = new InMemoryStore();
    const deliveries = createStoreDeliveryLog({ store, log, metrics: new Registry() });
    const written = [
      attempt({ atMs: T0 }),
      attempt({ atMs: T0 + 10, subscriptionId: 'sub-b', outcome: 'dead', httpStatus: 400, error: 'HTTP 400: no' }),
      attempt({ atMs: T0 + 20, enterpriseId: 'ent-2' }),
      attempt({ atMs: T0 + 30 }),
    ];
    for (const a of written) deliveries.record(a);
    await deliveries.flush();
    expect(await readDeliveries(store, { enterpriseId: 'ent-1', fromMs: T0, toMs: T0 + 30 }, (row) => expect.fail(row.reason))).toEqual([written[0], written[1]]);
    expect(await readDeliveries(store, { enterpriseId: 'ent-1', subscriptionId: 'sub-a', fromMs: T0, toMs: T0 + 31 }, (row) => expect.fail(row.reason))).toEqual([written[0], written[3]]);
    expect(await readDeliveries(store, { enterpriseId: 'ent-2', fromMs: T0, toMs: T0 + 31 }, (row) => expect.fail(row.reason))).toEqual([written[2]]);
  });

  it('does not fail the caller while the store is down: logs, counts, keeps the points and writes them once it is back', async () => {
    const store = new InMemoryStore();
    const metrics = new Registry();
    const deliveries = createStoreDeliveryLog({ store, log, metrics });
    store.available = false;
    deliveries.record(attempt({ notificationId: 'n-1' }));
    await deliveries.flush();
    deliveries.record(attempt({ notificationId: 'n-2', atMs: T0 + 5 }));
    await deliveries.flush();
    expect(await counter(metrics, 'meterline_alerter_delivery_log_write_failures_total')).toBeGreaterThanOrEqual(2);
    store.available = true;
    await deliveries.flush();
    expect((await readDeliveries(store, { enterpriseId: 'ent-1', fromMs: 0, toMs: T0 + 10 }, (row) => expect.fail(row.reason))).map((a) => a.notificationId)).toEqual(['n-1', 'n-2']);
  });

  it('drops the oldest points beyond its buffer while the store stays down, and counts them', async () => {
    const store = new InMemoryStore();
    const metrics = new Registry();
    const deliveries = createStoreDeliveryLog({ store, log, metrics, maxPendingPoints: 3 });
    store.available = false;
    for (let i = 1; i <= 5; i++) {
      deliveries.record(attempt({ notificationId: `n-${i}`, atMs: T0 + i }));
      await deliveries.flush();
    }
    expect(await counter(metrics, 'meterline_alerter_delivery_log_points_dropped_total')).toBe(2);
    store.available = true;
    await deliveries.flush();
    expect((await readDeliveries(store, { enterpriseId: 'ent-1', fromMs: 0, toMs: T0 + 10 }, (row) => expect.fail(row.reason))).map((a) => a.notificationId)).toEqual(['n-3', 'n-4', 'n-5']);
  });
});
