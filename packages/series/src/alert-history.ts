import { AlertV1, compileValidator } from '@meterline/contracts';
import type { SeriesPoint } from '@meterline/store';
import { alertKey } from './alert-state.ts';
import { isNumber, isText, lacking, missingFields, unreadable, type RowRead, type StoredRow } from './row-read.ts';

/**
 * Every alert episode, for the API and the dashboards: one point per episode at its start,
 * written again (same series, same instant) when it changes, e.g. resolves.
 */
export const ALERT_HISTORY = Object.freeze({
  measurement: 'alert',
  tags: Object.freeze({ enterprise: 'enterprise', key: 'key', rule: 'rule' }),
  fields: Object.freeze({
    alertId: 'alert_id',
    dedupKey: 'dedup_key',
    status: 'status',
    severity: 'severity',
    summary: 'summary',
    /** JSON of the alert's subject. */
    subject: 'subject',
    value: 'value',
    threshold: 'threshold',
    unit: 'unit',
    /** Set once resolved, epoch ms. */
    endsAtMs: 'ends_at_ms',
  }),
});

const { tags: T, fields: F } = ALERT_HISTORY;

export function alertHistoryPoint(alert: AlertV1): SeriesPoint {
  return {
    measurement: ALERT_HISTORY.measurement,
    tags: { [T.enterprise]: alert.enterpriseId, [T.key]: alertKey(alert.dedupKey), [T.rule]: alert.rule },
    fields: {
      [F.alertId]: alert.alertId,
      [F.dedupKey]: alert.dedupKey,
      [F.status]: alert.status,
      [F.severity]: alert.severity,
      [F.summary]: alert.summary,
      [F.subject]: JSON.stringify(alert.subject),
      ...(alert.value === undefined ? {} : { [F.value]: alert.value }),
      ...(alert.threshold === undefined ? {} : { [F.threshold]: alert.threshold }),
      ...(alert.unit === undefined ? {} : { [F.unit]: alert.unit }),
      ...(alert.endsAt === undefined ? {} : { [F.endsAtMs]: Date.parse(alert.endsAt) }),
    },
    timestampMs: Date.parse(alert.startsAt),
  };
}

const validAlert = compileValidator(AlertV1);
const iso = (ms: number): string => new Date(ms).toISOString();

function subjectOf(text: string): Record<string, string> {
  try {
    return JSON.parse(text) as Record<string, string>;
  } catch {
    // The rest of the episode is still worth showing; an empty subject shows what is missing.
    return {};
  }
}

/** The alert of a history row: the episode as it stood when last written. */
export function alertOfHistoryRow(row: StoredRow): RowRead<AlertV1> {
  const f = row.fields;
  const missing = missingFields(f, { text: [F.alertId, F.dedupKey, F.status, F.severity, F.summary] });
  if (missing.length > 0) return unreadable(lacking(missing));
  const { [F.subject]: subject, [F.endsAtMs]: endsAtMs, [F.value]: value, [F.threshold]: threshold, [F.unit]: unit } = f;
  const alert = {
    alertId: f[F.alertId],
    dedupKey: f[F.dedupKey],
    enterpriseId: row.tags[T.enterprise] ?? '',
    rule: row.tags[T.rule] ?? '',
    severity: f[F.severity],
    subject: isText(subject) ? subjectOf(subject) : {},
    status: f[F.status],
    startsAt: iso(row.timestampMs),
    ...(isNumber(endsAtMs) ? { endsAt: iso(endsAtMs) } : {}),
    summary: f[F.summary],
    ...(isNumber(value) ? { value } : {}),
    ...(isNumber(threshold) ? { threshold } : {}),
    ...(isText(unit) ? { unit } : {}),
  };
  const checked = validAlert.validate(alert);
  return checked.ok ? checked : unreadable(`holds no alert v1: ${checked.issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ')}`);
}
