import { deliveryPoint } from '@meterline/series';
import { Counter, type Logger, type Registry } from '@meterline/service-kit';
import type { SeriesPoint, TimeSeriesStore } from '@meterline/store';
import type { DeliveryLog } from './delivery-log.ts';

export interface StoreDeliveryLogOptions {
  store: TimeSeriesStore;
  log: Logger;
  metrics: Registry;
  /** Points kept for a later write while the store is down; beyond it the oldest are dropped (counted). */
  maxPendingPoints?: number;
}

/** A point's series within its measurement: its tags, in the order the series module writes them. */
const seriesKey = (tags: Record<string, string>) => JSON.stringify(tags);

/**
 * The delivery log in the time-series store (the alert deliveries series of @meterline/series):
 * one point per attempt at the attempt's time. A point is unique by series and timestamp, so
 * two attempts of one series in the same millisecond would replace each other: a point's time
 * is moved past the series' previous one (by a millisecond or two, never more than the
 * attempts within it).
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
      const point = deliveryPoint(attempt);
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
