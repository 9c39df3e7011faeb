import { createHash } from 'node:crypto';
import { ALERT_SEVERITIES, type AlertSeverity } from '@meterline/contracts';
import type { AlertRecord } from '@meterline/series';
import { iso, type Condition } from './rules/condition.ts';

/** `escalated`: an open alert's finding raised its severity (a target at risk now exceeded). */
export type Transition = { kind: 'fired' | 'escalated' | 'resolved'; record: AlertRecord };

/** (enterprise, rule, subject): at most one open alert per key, however many instances and events. */
export function dedupKey(enterpriseId: string, rule: string, subject: Record<string, string>): string {
  const members = Object.keys(subject)
    .sort()
    .map((k) => `${k}=${subject[k]}`)
    .join(',');
  return `${enterpriseId}/${rule}/${members}`;
}

/** The episode's id: from its key and the data's instant it began, so every instance names it alike. */
export function alertId(key: string, startsAtMs: number): string {
  return createHash('sha256').update(`${key}@${startsAtMs}`).digest('hex').slice(0, 32);
}

/**
 * Applies one rule finding to the alerts of an enterprise (`records`, by dedup key, changed
 * in place) and says whether an alert opened or closed. Findings about older data than the
 * alert already reflects are ignored, so a restated old period cannot reopen or close it.
 * Keys whose record changed in more than `asOfMs` are added to `changed` (what must be
 * stored): an open alert keeps the values it opened with, so a finding that it still holds
 * costs no write. The exception is a finding that names its own severity (a rule whose severity
 * follows what it found): when that differs, the alert takes the finding's severity and values,
 * so it says what it now is, and a raised severity is an escalation to announce.
 */
export function applyCondition(
  records: Map<string, AlertRecord>,
  enterpriseId: string,
  condition: Condition,
  severity: AlertSeverity,
  changed: Set<string>,
): Transition | undefined {
  const key = dedupKey(enterpriseId, condition.rule, condition.subject);
  const current = records.get(key);
  if (current && condition.asOfMs < current.asOfMs) return undefined;
  const measured = { summary: condition.summary, value: condition.value, threshold: condition.threshold, unit: condition.unit };
  if (condition.holds) {
    if (current?.alert.status === 'firing' && condition.severity !== undefined && current.alert.severity !== severity) {
      const record: AlertRecord = { ...current, asOfMs: condition.asOfMs, alert: { ...current.alert, ...defined(measured), summary: condition.summary, severity } };
      records.set(key, record);
      changed.add(key);
      return rank(severity) > rank(current.alert.severity) ? { kind: 'escalated', record } : undefined;
    }
    if (current?.alert.status === 'firing') {
      if (current.alert.severity !== severity) changed.add(key);
      records.set(key, { ...current, asOfMs: condition.asOfMs, alert: { ...current.alert, severity } });
      return undefined;
    }
    const record: AlertRecord = {
      asOfMs: condition.asOfMs,
      alert: {
        alertId: alertId(key, condition.sinceMs),
        dedupKey: key,
        enterpriseId,
        rule: condition.rule,
        severity,
        subject: condition.subject,
        status: 'firing',
        startsAt: iso(condition.sinceMs),
        ...defined(measured),
        summary: condition.summary,
      },
    };
    records.set(key, record);
    changed.add(key);
    return { kind: 'fired', record };
  }
  if (current?.alert.status === 'firing') {
    const record: AlertRecord = {
      ...current,
      asOfMs: condition.asOfMs,
      alert: { ...current.alert, ...defined(measured), status: 'resolved', endsAt: iso(Math.max(condition.asOfMs, Date.parse(current.alert.startsAt))) },
    };
    records.set(key, record);
    changed.add(key);
    return { kind: 'resolved', record };
  }
  if (current) records.set(key, { ...current, asOfMs: condition.asOfMs });
  return undefined;
}

/** Closes an open alert that its rule no longer reports (the rule was turned off, the point left the registry). */
export function closeUnreported(record: AlertRecord, atMs: number, why: string): AlertRecord {
  return { ...record, asOfMs: atMs, alert: { ...record.alert, status: 'resolved', endsAt: iso(atMs), summary: `${record.alert.summary} (closed: ${why})` } };
}

const rank = (s: AlertSeverity) => ALERT_SEVERITIES.indexOf(s);

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
