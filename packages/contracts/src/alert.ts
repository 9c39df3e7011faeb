import { Type, type Static } from '@sinclair/typebox';
import { Id } from './common.ts';
import { jsonRecordCodec, type RecordCodec } from './kafka-record.ts';

export const ALERT_NOTIFICATION_SCHEMA_ID = 'meterline.alert-notification.v1';
export const WEBHOOK_BODY_VERSION = 'meterline.webhook.v1';

/** The alerter's rules. A closed list: subscriptions, silences and dashboards name them. */
export const ALERT_RULES = [
  /** Energy per period (or its mean power) above the enterprise's threshold for a point. */
  'consumption-threshold',
  /** No reading from a point for too long, or its device's last will said offline. */
  'meter-offline',
  /** A point's coverage of a period below the threshold. */
  'low-coverage',
  /** A register ran backwards or beyond the point's physical capacity. */
  'suspect-counter',
  /** A topology node's balance gap beyond the combined uncertainty of its meters. */
  'balance-gap',
  /** A meter's calibration ends within the lead time. */
  'calibration-expiring',
  /** A meter's calibration has ended. */
  'calibration-expired',
  /** Standard coal or CO₂ of the month projected above the enterprise's budget. */
  'budget-overrun',
  /** A device's seq showed messages lost, replayed or a counter reset (tamper evidence). */
  'device-sequence',
  /** A rule of the regulator's data-quality scorecard failed for an enterprise's month. */
  'quality-rule-failed',
  /** A dual-control target of the enterprise projected, as of its latest month, at risk or exceeded. */
  'target-at-risk',
  /** A product's unit energy consumption, year to date, clearly above its limit standard's binding value. */
  'limit-exceeded',
  /**
   * A day's consumption above the 95 % prediction interval of one of the enterprise's declared
   * energy baselines, or a lasting rise the baseline's CUSUM found (falls too, when configured).
   */
  'baseline-deviation',
  /** A fabrication detector found signs of fabricated or tampered data in a metered point's month. */
  'fabrication-suspected',
] as const;
export type AlertRule = (typeof ALERT_RULES)[number];
export const AlertRuleSchema = Type.Union(ALERT_RULES.map((r) => Type.Literal(r)));

export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];
export const AlertSeveritySchema = Type.Union(ALERT_SEVERITIES.map((s) => Type.Literal(s)));

const AlertStatusSchema = Type.Union([Type.Literal('firing'), Type.Literal('resolved')]);
export type AlertStatus = Static<typeof AlertStatusSchema>;

/**
 * One alert: a rule's condition on one subject, from the moment it held to the moment it
 * stopped. `dedupKey` names the (enterprise, rule, subject): there is at most one open alert
 * per key. `alertId` names this episode; it is derived from the key and the data's instant
 * the condition began, so every instance evaluating the same data names it the same way.
 */
export const AlertV1 = Type.Object(
  {
    alertId: Type.String(),
    dedupKey: Type.String(),
    enterpriseId: Id,
    rule: AlertRuleSchema,
    severity: AlertSeveritySchema,
    /** What the alert is about, e.g. { site, point } or { node } or { metric: 'tce' }. */
    subject: Type.Record(Type.String({ pattern: '^[a-z][a-z_]*$' }), Type.String({ minLength: 1 })),
    status: AlertStatusSchema,
    startsAt: Type.String(),
    /** Set once resolved. */
    endsAt: Type.Optional(Type.String()),
    summary: Type.String(),
    /** The observed value and the limit it crossed, in `unit`. */
    value: Type.Optional(Type.Number()),
    threshold: Type.Optional(Type.Number()),
    unit: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type AlertV1 = Static<typeof AlertV1>;

/**
 * Kafka alert notification v1 (the alerter's outbox), keyed by subscription: alerts of one
 * rule and status grouped for one subscriber. Secrets are not in it; the dispatcher looks
 * the subscription up when it sends.
 */
export const AlertNotificationV1 = Type.Object(
  {
    v: Type.Literal(1),
    /** Deterministic from the subscription and the alerts' transitions: the webhook's idempotency key. */
    notificationId: Type.String(),
    subscriptionId: Id,
    enterpriseId: Id,
    rule: AlertRuleSchema,
    status: AlertStatusSchema,
    /** enterprise/rule: what the receiver can group by. */
    groupKey: Type.String(),
    /** True when this notification repeats alerts already sent (repeat interval, or a silence ended). */
    repeat: Type.Boolean(),
    /** Read from what it announces, not the clock (issued again, it is the same): when its alerts began, or ended; a repeat's tick. */
    createdAt: Type.String(),
    alerts: Type.Array(AlertV1, { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type AlertNotificationV1 = Static<typeof AlertNotificationV1>;

/**
 * The webhook body in Meterline's format. It is the same on every attempt (the attempt's
 * time is in the signed timestamp header), so a receiver may compare retries byte for byte.
 */
export const WebhookBodyV1 = Type.Object(
  {
    version: Type.Literal(WEBHOOK_BODY_VERSION),
    // The notification as the outbox holds it, without what only the alerter needs.
    ...Type.Omit(AlertNotificationV1, ['v', 'subscriptionId']).properties,
  },
  { additionalProperties: false },
);
export type WebhookBodyV1 = Static<typeof WebhookBodyV1>;

/** Why a notification was given up. */
export const DeliveryFailureReason = Type.Union([
  /** Every attempt failed (network error, timeout, 408, 429 or 5xx). */
  Type.Literal('ATTEMPTS_EXHAUSTED'),
  /** The receiver refused it for good (a redirect, or a 4xx other than 408 and 429), or it cannot be sent (a bad URL). */
  Type.Literal('REJECTED'),
  /** The subscription is no longer configured, or belongs to another enterprise than the notification. */
  Type.Literal('SUBSCRIPTION_UNKNOWN'),
]);
export type DeliveryFailureReason = Static<typeof DeliveryFailureReason>;

export const ALERT_DELIVERY_DEAD_LETTER_SCHEMA_ID = 'meterline.alert-delivery-dead-letter.v1';

/**
 * Kafka alert notification dead letter v1, keyed by subscription: a notification given up,
 * or a record on the notifications topic that is no notification (not JSON, or not of the
 * schema), kept as its bytes under its own key so nothing is lost silently.
 */
export const AlertDeliveryDeadLetterV1 = Type.Union([
  Type.Object(
    {
      v: Type.Literal(1),
      reason: DeliveryFailureReason,
      detail: Type.String(),
      attempts: Type.Integer({ minimum: 0 }),
      deadAt: Type.String(),
      notification: AlertNotificationV1,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      v: Type.Literal(1),
      reason: Type.Literal('NOTIFICATION_UNREADABLE'),
      detail: Type.String(),
      attempts: Type.Literal(0),
      deadAt: Type.String(),
      /** Where it was read: topic/partition/offset. */
      source: Type.String(),
      payloadBase64: Type.String(),
    },
    { additionalProperties: false },
  ),
]);
export type AlertDeliveryDeadLetterV1 = Static<typeof AlertDeliveryDeadLetterV1>;

/** The notifications topic's records (the alerter's outbox), keyed by subscription. */
export const alertNotificationCodec = jsonRecordCodec(ALERT_NOTIFICATION_SCHEMA_ID, AlertNotificationV1);

/** The alert delivery dead-letter topic's records, with a `reason` header besides the schema. */
const deliveryDeadLetters = jsonRecordCodec(ALERT_DELIVERY_DEAD_LETTER_SCHEMA_ID, AlertDeliveryDeadLetterV1);
export const alertDeliveryDeadLetterCodec: RecordCodec<AlertDeliveryDeadLetterV1> = {
  ...deliveryDeadLetters,
  encode: (letter, key, headers = {}) => deliveryDeadLetters.encode(letter, key, { ...headers, reason: letter.reason }),
};
