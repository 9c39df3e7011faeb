import type { AlertRule, AlertStatus } from '@meterline/contracts';
import { Counter, type Logger, type Registry } from '@meterline/service-kit';
import type { SeriesPoint, TimeSeriesStore } from '@meterline/store';
import type { DeliveryAttempt, DeliveryLog, DeliveryOutcome } from './delivery-log.ts';

export const ALERT_DELIVERY_MEASUREMENT = 'alert_delivery';

export interface StoreDeliveryLogOptions {
  store: TimeSeriesStore;
  log: Logger;
  metrics: Registry;
  /** Points kept for a later write while the store is down; beyond it the oldest are dropped (counted). */
  maxPendingPoints?: number;
}

const seriesKey = (tags: Record<string, string>) => `${tags['enterprise']}|${tags['subscription']}|${tags['outcome']}`;

/**
 * The delivery log in the time-series store, measurement `alert_delivery`: tags enterprise,
 * subscription, outcome; one point per attempt at the attempt's time. A point is unique by
 * series and timestamp, so two attempts of one series in the same millisecond would replace
 * each other: a point's time is moved past the series' previous one (by a millisecond or
 * two, never more than the attempts within it).
 *
 * Writes happen in the background, one at a time, in the order recorded. A failed write is
 * logged and counted, and its points are written again with the next ones.
 */
export function createStoreDeliveryLog(options: StoreDeliveryLogOptions): DeliveryLog {
  const maxPending = options.maxPendingPoints ?? 10_000;
  const failures = new Counter({ name: 'meterline_alerter_delivery_log_write_failures_total', help: 'Failed writes of the webhook delivery log (retried with the next write)', registers: [options.metrics] });
  const dropped = new Counter({ name: 'meterline_alerter_delivery_log_points_dropped_total', help: 'Delivery log points dropped while the store was down and the buffer full', registers: [options.metrics] });
  const lastMs = new Map<string, number>();
  let pending: SeriesPoint[] = [];
  let writing: Promise<void> | undefined;

  const writeOnce = async (): Promise<boolean> => {
    const points = pending;
    pending = [];
    try {
      await options.store.write(points);
      return true;
    } catch (error) {
      failures.inc();
      pending = [...points, ...pending];
      const excess = pending.length - maxPending;
      if (excess > 0) {
        pending = pending.slice(excess);
        dropped.inc(excess);
      }
      options.log.warn({ err: error, points: points.length, pending: pending.length }, 'delivery log write failed; kept for the next write');
      return false;
    }
  };

  /** Writes until nothing is pending or a write failed (then the next record or flush tries again). */
  const drain = async (): Promise<void> => {
    while (pending.length > 0) {
      if (!(await writeOnce())) return;
    }
  };

  const startWriting = (): Promise<void> => {
    writing ??= drain().finally(() => {
      writing = undefined;
    });
    return writing;
  };

  return {
    record(attempt) {
      const point = toPoint(attempt);
      const key = seriesKey(point.tags);
      const previous = lastMs.get(key);
      if (previous !== undefined && point.timestampMs <= previous) point.timestampMs = previous + 1;
      lastMs.set(key, point.timestampMs);
      pending.push(point);
      void startWriting();
    },
    async flush() {
      await writing;
      if (pending.length > 0) await startWriting();
    },
  };
}

function toPoint(a: DeliveryAttempt): SeriesPoint {
  const fields: SeriesPoint['fields'] = {
    notification_id: a.notificationId,
    rule: a.rule,
    status: a.status,
    attempt: a.attempt,
    duration_ms: a.durationMs,
    alerts: a.alerts,
  };
  if (a.httpStatus !== undefined) fields['http_status'] = a.httpStatus;
  if (a.error !== undefined) fields['error'] = a.error;
  return { measurement: ALERT_DELIVERY_MEASUREMENT, tags: { enterprise: a.enterpriseId, subscription: a.subscriptionId, outcome: a.outcome }, fields, timestampMs: a.atMs };
}

/** The attempts of an enterprise (optionally one subscription) in [fromMs, toMs), oldest first. */
export async function readDeliveries(
  store: TimeSeriesStore,
  query: { enterpriseId: string; subscriptionId?: string; fromMs: number; toMs: number },
): Promise<DeliveryAttempt[]> {
  const tags: Record<string, string> = { enterprise: query.enterpriseId };
  if (query.subscriptionId !== undefined) tags['subscription'] = query.subscriptionId;
  const points = await store.readSeries({ measurement: ALERT_DELIVERY_MEASUREMENT, tags, fromMs: query.fromMs, toMs: query.toMs });
  return points.map(fromPoint).sort((a, b) => a.atMs - b.atMs || a.attempt - b.attempt);
}

function fromPoint(p: SeriesPoint): DeliveryAttempt {
  const f = p.fields;
  const attempt: DeliveryAttempt = {
    enterpriseId: p.tags['enterprise'] ?? '',
    subscriptionId: p.tags['subscription'] ?? '',
    notificationId: String(f['notification_id'] ?? ''),
    rule: String(f['rule'] ?? '') as AlertRule,
    status: String(f['status'] ?? '') as AlertStatus,
    attempt: Number(f['attempt'] ?? 0),
    outcome: (p.tags['outcome'] ?? '') as DeliveryOutcome,
    atMs: p.timestampMs,
    durationMs: Number(f['duration_ms'] ?? 0),
    alerts: Number(f['alerts'] ?? 0),
  };
  if (f['http_status'] !== undefined) attempt.httpStatus = Number(f['http_status']);
  if (f['error'] !== undefined) attempt.error = String(f['error']);
  return attempt;
}
