import { Type, type Static } from '@sinclair/typebox';
import { AlertRuleSchema, AlertSeveritySchema } from './alert.ts';
import { Id, TimestampWithOffset } from './common.ts';
import { jsonRecordCodec, type EncodedRecord } from './kafka-record.ts';

export const ALERTING_CHANGE_SCHEMA_ID = 'meterline.alerting-change.v1';

/**
 * Record headers of the alerting topic: `schema` as on every topic, and `write-id`, a random
 * id the writer gives each change so that a reader can tell when it has read a given write
 * (the API answers a change only once its own reader has it: read-your-writes).
 */
export const ALERTING_CHANGE_HEADERS = Object.freeze({ schema: 'schema', writeId: 'write-id' });

const Secret = Type.String({ minLength: 16, maxLength: 256 });

/** What a subscription gets when it does not say (the alerting file and the API apply the same). */
export const SUBSCRIPTION_DEFAULTS = Object.freeze({
  format: 'meterline' as const,
  minSeverity: 'info' as const,
  rateLimit: Object.freeze({ perMinute: 6, burst: 3 }),
});

/**
 * A webhook subscription as the alerting topic carries it: the alerting file's subscription
 * (services/alerter/src/alerting-config.ts) with every setting explicit, so a reader applies
 * no defaults of its own. The secret is in it: read access to the topic is access to the secrets.
 */
export const AlertingSubscriptionV1 = Type.Object(
  {
    id: Id,
    enterpriseId: Id,
    url: Type.String({ pattern: '^https?://', maxLength: 2048 }),
    /** The HMAC key the webhooks are signed with. */
    secret: Secret,
    /** While the secret is rotated: attempts are signed with both until the receiver has switched. */
    previousSecret: Type.Optional(Secret),
    format: Type.Union([Type.Literal('meterline'), Type.Literal('alertmanager')]),
    /** Only these rules; absent: all. */
    rules: Type.Optional(Type.Array(AlertRuleSchema, { minItems: 1 })),
    minSeverity: AlertSeveritySchema,
    rateLimit: Type.Object({ perMinute: Type.Number({ exclusiveMinimum: 0 }), burst: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
    createdAt: Type.String(),
  },
  { additionalProperties: false },
);
export type AlertingSubscriptionV1 = Static<typeof AlertingSubscriptionV1>;

/** A silence as the alerting topic carries it: the alerting file's silence and when it was made. */
export const AlertingSilenceV1 = Type.Object(
  {
    id: Id,
    enterpriseId: Id,
    /** Only these rules; absent: all. */
    rules: Type.Optional(Type.Array(AlertRuleSchema, { minItems: 1 })),
    /** Alerts whose subject has all these members; absent: any subject. */
    subject: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z][a-z_]*$' }), Type.String({ minLength: 1 }))),
    endsAt: TimestampWithOffset,
    comment: Type.String({ minLength: 1 }),
    createdBy: Type.String({ minLength: 1 }),
    createdAt: Type.String(),
  },
  { additionalProperties: false },
);
export type AlertingSilenceV1 = Static<typeof AlertingSilenceV1>;

/** When and by whom (an API key id, or a tool's name) the entity was last changed. */
const Changed = { changedAt: Type.String(), changedBy: Type.String({ minLength: 1 }) };

/**
 * Kafka alerting change v1, on the compacted topic `meterline.alerting.v1`: the latest value
 * of one subscription or silence, keyed `subscription/<id>` or `silence/<id>` (the key's kind
 * and id agree with the value's). A record with an empty value deletes the key's entity (the
 * bus sends it as Kafka's null tombstone). Compaction keeps the newest record per key.
 */
export const AlertingChangeV1 = Type.Union([
  Type.Object({ v: Type.Literal(1), kind: Type.Literal('subscription'), subscription: AlertingSubscriptionV1, ...Changed }, { additionalProperties: false }),
  Type.Object({ v: Type.Literal(1), kind: Type.Literal('silence'), silence: AlertingSilenceV1, ...Changed }, { additionalProperties: false }),
]);
export type AlertingChangeV1 = Static<typeof AlertingChangeV1>;
export type AlertingKind = AlertingChangeV1['kind'];

export const alertingChangeKey = (kind: AlertingKind, id: string): string => `${kind}/${id}`;

/** What a record of the alerting topic says: an entity's new value, its deletion, or nothing usable (why). */
export type AlertingRecord =
  | { ok: true; kind: AlertingKind; id: string; change: AlertingChangeV1 | null }
  | { ok: false; detail: string };

/** The value of an alerting record; the key and the deletion are the two functions below. */
const alertingChangeCodec = jsonRecordCodec(ALERTING_CHANGE_SCHEMA_ID, AlertingChangeV1);
const KEY = /^(subscription|silence)\/(.+)$/;

const entityIdOf = (change: AlertingChangeV1): string => (change.kind === 'subscription' ? change.subscription.id : change.silence.id);

/** The record that carries a change, keyed by its entity, with the write's id. */
export function alertingChangeRecord(change: AlertingChangeV1, writeId: string): EncodedRecord {
  return alertingChangeCodec.encode(change, alertingChangeKey(change.kind, entityIdOf(change)), { [ALERTING_CHANGE_HEADERS.writeId]: writeId });
}

/** The record that deletes an entity: an empty value on its key (Kafka's tombstone). */
export function alertingDeletionRecord(kind: AlertingKind, id: string, writeId: string): EncodedRecord {
  return { key: alertingChangeKey(kind, id), value: Buffer.alloc(0), headers: { [ALERTING_CHANGE_HEADERS.schema]: ALERTING_CHANGE_SCHEMA_ID, [ALERTING_CHANGE_HEADERS.writeId]: writeId } };
}

/** Reads one record of the alerting topic: its key names the entity, an empty value deletes it. */
export function decodeAlertingRecord(key: string | null, value: Buffer): AlertingRecord {
  const match = key === null ? null : KEY.exec(key);
  if (!match) return { ok: false, detail: `key ${JSON.stringify(key)} is not subscription/<id> or silence/<id>` };
  const kind = match[1] as AlertingKind;
  const id = match[2]!;
  if (value.length === 0) return { ok: true, kind, id, change: null };
  const decoded = alertingChangeCodec.decode(value);
  if (!decoded.ok) return decoded;
  const change = decoded.value;
  const entityId = entityIdOf(change);
  if (change.kind !== kind || entityId !== id) return { ok: false, detail: `key ${key} does not name the ${change.kind} ${entityId} it carries` };
  return { ok: true, kind, id, change };
}
