import { createHash } from 'node:crypto';
import type { AlertNotificationV1, AlertStatus, AlertV1 } from '@meterline/contracts';

/** One alert as Prometheus Alertmanager's webhook sends it. */
interface AlertmanagerAlert {
  status: AlertStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** Prometheus Alertmanager's webhook body, version "4" (webhook_config in Alertmanager's configuration reference). */
interface AlertmanagerBody {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: AlertStatus;
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: AlertmanagerAlert[];
}

/** Alertmanager's zero time: what it sends as endsAt of an alert still firing. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * Labels identify the alert: alertname (the rule), enterprise, severity and the subject's
 * members. A subject member named like one of the first three does not override it.
 */
function labelsOf(alert: AlertV1): Record<string, string> {
  return { ...alert.subject, alertname: alert.rule, enterprise: alert.enterpriseId, severity: alert.severity };
}

/** Annotations describe it: the summary, the measured value and limit, and Meterline's own ids. */
function annotationsOf(alert: AlertV1): Record<string, string> {
  const annotations: Record<string, string> = { summary: alert.summary, alert_id: alert.alertId, dedup_key: alert.dedupKey };
  if (alert.value !== undefined) annotations['value'] = String(alert.value);
  if (alert.threshold !== undefined) annotations['threshold'] = String(alert.threshold);
  if (alert.unit !== undefined) annotations['unit'] = alert.unit;
  return annotations;
}

/** The members every map has with the same value, as Alertmanager's commonLabels/commonAnnotations. */
function common(maps: Record<string, string>[]): Record<string, string> {
  const [first, ...rest] = maps;
  if (!first) return {};
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => rest.every((m) => m[k] === v)));
}

/** Alertmanager's group key text for the labels grouped by: `{}:{name="value", …}`. */
function groupKeyOf(groupLabels: Record<string, string>): string {
  const members = Object.keys(groupLabels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(groupLabels[k])}`)
    .join(', ');
  return `{}:{${members}}`;
}

/**
 * A notification in Alertmanager's webhook format, so receivers written for Alertmanager
 * (chat bridges, incident tools) work unchanged. `receiver` is the subscription's id; the
 * fingerprint is the same for every episode of one (enterprise, rule, subject), as
 * Alertmanager's is for one label set.
 */
export function alertmanagerBody(notification: AlertNotificationV1, receiver: string, externalURL: string): AlertmanagerBody {
  const alerts = notification.alerts.map(
    (alert): AlertmanagerAlert => ({
      status: alert.status,
      labels: labelsOf(alert),
      annotations: annotationsOf(alert),
      startsAt: alert.startsAt,
      endsAt: alert.endsAt ?? ZERO_TIME,
      generatorURL: externalURL,
      fingerprint: createHash('sha256').update(alert.dedupKey).digest('hex').slice(0, 16),
    }),
  );
  const groupLabels = { alertname: notification.rule, enterprise: notification.enterpriseId };
  return {
    version: '4',
    groupKey: groupKeyOf(groupLabels),
    truncatedAlerts: 0,
    status: notification.status,
    receiver,
    groupLabels,
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL,
    alerts,
  };
}
