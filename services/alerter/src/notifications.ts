import { createHash } from 'node:crypto';
import { ALERT_SEVERITIES, type AlertNotificationV1, type AlertV1 } from '@meterline/contracts';
import type { AlertRecord } from '@meterline/series';
import type { Transition } from './alert-lifecycle.ts';
import type { SilenceSetting, Subscription } from './alerting-config.ts';
import { appendTo } from './append-to.ts';

/** Alerts per notification: 1 000 meters offline at once make 4 calls, each body about 150 kB. */
export const MAX_ALERTS_PER_NOTIFICATION = 250;

interface Notice {
  alert: AlertV1;
  repeat: boolean;
}

function isSilenced(alert: AlertV1, silences: readonly SilenceSetting[], atMs: number): boolean {
  return silences.some(
    (s) =>
      Date.parse(s.endsAt) > atMs &&
      (!s.rules || s.rules.includes(alert.rule)) &&
      Object.entries(s.subject ?? {}).every(([k, v]) => alert.subject[k] === v),
  );
}

/**
 * Decides which alerts are announced now: those that opened or closed (unless silenced; a
 * close only when its opening was announced), those whose severity rose (again, as a repeat of
 * an alert already announced: a subscriber of critical alerts only hears of it now) and, at a tick, open alerts due again (the
 * repeat interval passed, or a silence that hid them ended). Records announced are given
 * `lastNotifiedMs` (changed in place in `records`, their keys added to `changed`).
 */
export function dueNotices(input: {
  records: Map<string, AlertRecord>;
  transitions: readonly Transition[];
  atMs: number;
  tick: boolean;
  repeatIntervalMs: number;
  silences: readonly SilenceSetting[];
  changed: Set<string>;
}): Notice[] {
  const notices: Notice[] = [];
  const announce = (record: AlertRecord, repeat: boolean) => {
    notices.push({ alert: record.alert, repeat });
    input.records.set(record.alert.dedupKey, { ...record, lastNotifiedMs: input.atMs });
    input.changed.add(record.alert.dedupKey);
  };
  const fresh = new Set<string>();
  for (const { kind, record } of input.transitions) {
    fresh.add(record.alert.dedupKey);
    if (isSilenced(record.alert, input.silences, input.atMs)) continue;
    if (kind === 'fired') announce(record, false);
    else if (kind === 'escalated') announce(record, record.lastNotifiedMs !== undefined);
    else if (record.lastNotifiedMs !== undefined) notices.push({ alert: record.alert, repeat: false });
  }
  if (input.tick) {
    for (const record of input.records.values()) {
      if (record.alert.status !== 'firing' || fresh.has(record.alert.dedupKey)) continue;
      if (isSilenced(record.alert, input.silences, input.atMs)) continue;
      if (record.lastNotifiedMs === undefined || input.atMs - record.lastNotifiedMs >= input.repeatIntervalMs) announce(record, true);
    }
  }
  return notices;
}

const rank = (s: string) => ALERT_SEVERITIES.indexOf(s as (typeof ALERT_SEVERITIES)[number]);

function wants(subscription: Subscription, alert: AlertV1): boolean {
  return (!subscription.rules || subscription.rules.includes(alert.rule)) && rank(alert.severity) >= rank(subscription.minSeverity);
}

/**
 * When a notification was issued, read from what it announces rather than the clock: announced
 * again after a failure (its send to Kafka landed but timed out, and the batch was judged again,
 * perhaps with later ticks in it) it is the same byte for byte, as its idempotency key promises.
 * A repeat was issued at the tick that repeated it (in its id too); any other notification when
 * the latest of its alerts began, or ended for a resolved one.
 */
function issuedAt(alerts: readonly AlertV1[], repeat: boolean, atMs: number): string {
  if (repeat) return new Date(atMs).toISOString();
  const instants = alerts.map((a) => Date.parse(a.status === 'resolved' ? (a.endsAt ?? a.startsAt) : a.startsAt));
  return new Date(Math.max(...instants)).toISOString();
}

/**
 * Groups notices per subscriber, rule, status and repeat, so many alerts of one rule reach a
 * subscriber as one call (cut at MAX_ALERTS_PER_NOTIFICATION). Id and body are derived from
 * what is announced, so announcing it again after a crash gives the same idempotency key and
 * the same body.
 */
export function notificationsFor(input: {
  enterpriseId: string;
  notices: readonly Notice[];
  subscriptions: readonly Subscription[];
  atMs: number;
}): AlertNotificationV1[] {
  const out: AlertNotificationV1[] = [];
  for (const subscription of input.subscriptions) {
    const groups = new Map<string, Notice[]>();
    for (const notice of input.notices) {
      if (!wants(subscription, notice.alert)) continue;
      const group = `${notice.alert.rule}|${notice.alert.status}|${notice.repeat}`;
      appendTo(groups, group, notice);
    }
    for (const notices of groups.values()) {
      const alerts = notices.map((n) => n.alert).sort((a, b) => (a.dedupKey < b.dedupKey ? -1 : a.dedupKey > b.dedupKey ? 1 : 0));
      const { rule, status } = alerts[0]!;
      const repeat = notices[0]!.repeat;
      for (let i = 0; i < alerts.length; i += MAX_ALERTS_PER_NOTIFICATION) {
        const part = alerts.slice(i, i + MAX_ALERTS_PER_NOTIFICATION);
        const id = createHash('sha256')
          .update([subscription.id, status, repeat ? String(input.atMs) : '', ...part.map((a) => a.alertId)].join('|'))
          .digest('hex')
          .slice(0, 32);
        out.push({
          v: 1,
          notificationId: id,
          subscriptionId: subscription.id,
          enterpriseId: input.enterpriseId,
          rule,
          status,
          groupKey: `${input.enterpriseId}/${rule}`,
          repeat,
          createdAt: issuedAt(part, repeat, input.atMs),
          alerts: part,
        });
      }
    }
  }
  return out;
}
