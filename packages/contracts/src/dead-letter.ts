import { Type, type Static } from '@sinclair/typebox';

export const DEAD_LETTER_SCHEMA_ID = 'meterline.dead-letter.v1';

/** Why a payload or one of its readings was not accepted. A closed list: dashboards count by it. */
export const DeadLetterReason = Type.Union([
  Type.Literal('PAYLOAD_TOO_LARGE'),
  Type.Literal('MALFORMED_JSON'),
  Type.Literal('SCHEMA_INVALID'),
  Type.Literal('DEVICE_MISMATCH'),
  Type.Literal('UNKNOWN_DEVICE'),
  Type.Literal('POINT_NOT_AUTHORISED'),
  Type.Literal('UNIT_MISMATCH'),
  Type.Literal('QUANTITY_MISMATCH'),
  Type.Literal('TIMESTAMP_INVALID'),
  Type.Literal('TIMESTAMP_IN_FUTURE'),
  // Writer stage: a record on the readings topic it cannot read, or one InfluxDB refuses.
  Type.Literal('READING_UNREADABLE'),
  Type.Literal('STORE_REJECTED'),
  // A different value for a (point, instant) that already has one: the first value stands.
  Type.Literal('READING_CONFLICT'),
]);
export type DeadLetterReason = Static<typeof DeadLetterReason>;

/** Kafka dead-letter v1: the reason, where it was found, and the original bytes (an MQTT payload, or a Kafka record). */
export const DeadLetterV1 = Type.Object(
  {
    v: Type.Literal(1),
    /** Which service refused it. */
    stage: Type.Union([Type.Literal('ingest'), Type.Literal('writer')]),
    reason: DeadLetterReason,
    detail: Type.String(),
    /** JSON pointer into the payload, when the fault is in one field. */
    path: Type.Optional(Type.String()),
    /** Set when one reading of an otherwise accepted payload was refused. */
    readingIndex: Type.Optional(Type.Integer({ minimum: 0 })),
    /** The MQTT topic it arrived on (ingest stage). */
    mqttTopic: Type.Optional(Type.String()),
    /** Where it was read from (writer stage): topic/partition/offset. */
    source: Type.Optional(Type.String()),
    /** The device the topic names (the authenticated publisher under the broker ACL). */
    topicDeviceId: Type.Optional(Type.String()),
    /** READING_CONFLICT: the value that stands and the one refused, both in the point's unit. */
    conflict: Type.Optional(
      Type.Object(
        {
          pointId: Type.String(),
          tsMs: Type.Integer(),
          unit: Type.String(),
          standingValue: Type.Number(),
          /** The device that sent the standing value, when known. */
          standingDeviceId: Type.Optional(Type.String()),
          /** `stored`: it was already in the store; `batch`: an earlier reading of the same batch. */
          standingFrom: Type.Union([Type.Literal('stored'), Type.Literal('batch')]),
          refusedValue: Type.Number(),
          refusedDeviceId: Type.String(),
        },
        { additionalProperties: false },
      ),
    ),
    receivedAt: Type.String(),
    payloadBase64: Type.String(),
  },
  { additionalProperties: false },
);
export type DeadLetterV1 = Static<typeof DeadLetterV1>;
