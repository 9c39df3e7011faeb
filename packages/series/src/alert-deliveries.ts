import { ALERT_RULES, type AlertRule, type AlertStatus } from '@meterline/contracts';
import type { SeriesPoint, TimeSeriesStore } from '@meterline/store';
import { isNumber, isText, lacking, missingFields, readRows, unreadable, type OnUnreadable, type RowRead, type StoredRow } from './row-read.ts';

/**
 * The webhook delivery log: one point per attempt at the attempt's time. A point is unique by
 * series and timestamp: the writer keeps two attempts of one series a millisecond apart.
 */
export const ALERT_DELIVERIES = Object.freeze({
  measurement: 'alert_delivery',
  tags: Object.freeze({ enterprise: 'enterprise', subscription: 'subscription', outcome: 'outcome' }),
  fields: Object.freeze({
    notificationId: 'notification_id',
    rule: 'rule',
    /** The notification's status: firing or resolved. */
    status: 'status',
    attempt: 'attempt',
    durationMs: 'duration_ms',
    alerts: 'alerts',
    httpStatus: 'http_status',
    error: 'error',
  }),
});

/** delivered: the receiver took it; retrying: it failed and another attempt follows; dead: given up (dead-lettered). */
export const DELIVERY_OUTCOMES = ['delivered', 'retrying', 'dead'] as const;
type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

/** One attempt to deliver a notification (attempt 0: given up before any request, e.g. unknown subscription). */
export interface DeliveryAttempt {
  enterpriseId: string;
  subscriptionId: string;
  notificationId: string;
  rule: AlertRule;
  /** The notification's status (firing or resolved). */
  status: AlertStatus;
  attempt: number;
  outcome: DeliveryOutcome;
  /** When the attempt was made (epoch ms). */
  atMs: number;
  httpStatus?: number;
  /** Why it failed: the receiver's status and excerpt, the transport error, or why it was given up. */
  error?: string;
  durationMs: number;
  /** Alerts in the notification. */
  alerts: number;
}

const { tags: T, fields: F } = ALERT_DELIVERIES;
const STATUSES: readonly string[] = ['firing', 'resolved'] satisfies AlertStatus[];

export function deliveryPoint(a: DeliveryAttempt): SeriesPoint {
  return {
    measurement: ALERT_DELIVERIES.measurement,
    tags: { [T.enterprise]: a.enterpriseId, [T.subscription]: a.subscriptionId, [T.outcome]: a.outcome },
    fields: {
      [F.notificationId]: a.notificationId,
      [F.rule]: a.rule,
      [F.status]: a.status,
      [F.attempt]: a.attempt,
      [F.durationMs]: a.durationMs,
      [F.alerts]: a.alerts,
      ...(a.httpStatus === undefined ? {} : { [F.httpStatus]: a.httpStatus }),
      ...(a.error === undefined ? {} : { [F.error]: a.error }),
    },
    timestampMs: a.atMs,
  };
}

function deliveryOf(row: StoredRow): RowRead<DeliveryAttempt> {
  const f = row.fields;
  const missing = missingFields(f, { text: [F.notificationId, F.rule, F.status], number: [F.attempt, F.durationMs, F.alerts] });
  if (missing.length > 0) return unreadable(lacking(missing));
  const { [T.enterprise]: enterpriseId, [T.subscription]: subscriptionId, [T.outcome]: outcome } = row.tags;
  if (enterpriseId === undefined || subscriptionId === undefined) return unreadable(`lacks its \`${T.enterprise}\` or \`${T.subscription}\` tag`);
  if (!(DELIVERY_OUTCOMES as readonly unknown[]).includes(outcome)) return unreadable(`its \`${T.outcome}\` tag is ${JSON.stringify(outcome)}, not one of ${DELIVERY_OUTCOMES.join(', ')}`);
  const rule = f[F.rule] as string;
  const httpStatus = f[F.httpStatus];
  const error = f[F.error];
  const status = f[F.status] as string;
  if (!(ALERT_RULES as readonly string[]).includes(rule)) return unreadable(`its \`${F.rule}\` ${JSON.stringify(rule)} is no alert rule`);
  if (!STATUSES.includes(status)) return unreadable(`its \`${F.status}\` ${JSON.stringify(status)} is neither firing nor resolved`);
  return {
    ok: true,
    value: {
      enterpriseId,
      subscriptionId,
      notificationId: f[F.notificationId] as string,
      rule: rule as AlertRule,
      status: status as AlertStatus,
      attempt: f[F.attempt] as number,
      outcome: outcome as DeliveryOutcome,
      atMs: row.timestampMs,
      durationMs: f[F.durationMs] as number,
      alerts: f[F.alerts] as number,
      ...(isNumber(httpStatus) ? { httpStatus } : {}),
      ...(isText(error) ? { error } : {}),
    },
  };
}

/** The attempts of an enterprise (optionally one subscription) in [fromMs, toMs), oldest first. */
export async function readDeliveries(
  store: TimeSeriesStore,
  query: { enterpriseId: string; subscriptionId?: string; fromMs: number; toMs: number },
  onUnreadable: OnUnreadable,
): Promise<DeliveryAttempt[]> {
  const tags: Record<string, string> = { [T.enterprise]: query.enterpriseId };
  if (query.subscriptionId !== undefined) tags[T.subscription] = query.subscriptionId;
  const rows = await store.readSeries({ measurement: ALERT_DELIVERIES.measurement, tags, fromMs: query.fromMs, toMs: query.toMs });
  return readRows(ALERT_DELIVERIES.measurement, rows, deliveryOf, onUnreadable).sort((a, b) => a.atMs - b.atMs || a.attempt - b.attempt);
}
