import { createHash } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { jsonRecordCodec, parseRecordJson, type RecordCodec } from './kafka-record.ts';
import { compileValidator } from './validator.ts';

/** The schema header of dead letters written now (v2); readers also accept v1 (see deadLetterCodec). */
export const DEAD_LETTER_SCHEMA_ID = 'meterline.dead-letter.v2';

/** The most of the original bytes a dead letter keeps: it must fit Kafka's record limit whatever a device sent. */
export const DEAD_LETTER_EXCERPT_BYTES = 4_096;
/** The most characters of one detail text (a device-chosen value may appear in it). */
const DEAD_LETTER_DETAIL_CHARS = 300;

/** Why a payload or one of its readings was not accepted. A closed list: dashboards count by it. */
export const DeadLetterReason = Type.Union([
  Type.Literal('PAYLOAD_TOO_LARGE'),
  Type.Literal('MALFORMED_JSON'),
  Type.Literal('DUPLICATE_KEY'),
  Type.Literal('SCHEMA_INVALID'),
  Type.Literal('DEVICE_MISMATCH'),
  Type.Literal('UNKNOWN_DEVICE'),
  // A device registered with a public key: its payload is unsigned, or the signature does not verify.
  Type.Literal('SIGNATURE_MISSING'),
  Type.Literal('SIGNATURE_INVALID'),
  Type.Literal('POINT_NOT_AUTHORISED'),
  Type.Literal('UNIT_MISMATCH'),
  Type.Literal('QUANTITY_MISMATCH'),
  Type.Literal('VALUE_NOT_FINITE'),
  Type.Literal('VALUE_NEGATIVE'),
  Type.Literal('VALUE_OUT_OF_RANGE'),
  Type.Literal('TIMESTAMP_INVALID'),
  Type.Literal('TIMESTAMP_IN_FUTURE'),
  Type.Literal('TIMESTAMP_BEFORE_COMMISSIONING'),
  Type.Literal('TIMESTAMP_BEFORE_HORIZON'),
  // Sparkplug B: bytes that are not a Sparkplug payload; a metric the registry maps to no point,
  // or one the node's birth does not make readable; a boolean, text or null for a point.
  Type.Literal('SPARKPLUG_UNREADABLE'),
  Type.Literal('METRIC_NOT_MAPPED'),
  Type.Literal('METRIC_UNREADABLE'),
  Type.Literal('VALUE_NOT_NUMERIC'),
  // Any stage: a record derived from the input that Kafka refused as too large.
  Type.Literal('RECORD_TOO_LARGE'),
  // Writer stage: a record on the readings topic it cannot read, or one InfluxDB refuses.
  Type.Literal('READING_UNREADABLE'),
  Type.Literal('STORE_REJECTED'),
  // A different value for a (point, instant) that already has one: the first value stands.
  Type.Literal('READING_CONFLICT'),
]);
export type DeadLetterReason = Static<typeof DeadLetterReason>;

const Stage = Type.Union([Type.Literal('ingest'), Type.Literal('writer')]);

/** Kafka dead-letter v1 (no longer written): it embedded the whole original, which could exceed Kafka's record limit. */
const DeadLetterV1 = Type.Object(
  {
    v: Type.Literal(1),
    stage: Stage,
    reason: DeadLetterReason,
    detail: Type.String(),
    path: Type.Optional(Type.String()),
    readingIndex: Type.Optional(Type.Integer({ minimum: 0 })),
    mqttTopic: Type.Optional(Type.String()),
    source: Type.Optional(Type.String()),
    topicDeviceId: Type.Optional(Type.String()),
    receivedAt: Type.String(),
    payloadBase64: Type.String(),
  },
  { additionalProperties: false },
);
type DeadLetterV1 = Static<typeof DeadLetterV1>;

/** READING_CONFLICT (writer stage): the value that stands for a (point, instant) and the one refused, both in the point's unit. */
export const ReadingConflict = Type.Object(
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
);
export type ReadingConflict = Static<typeof ReadingConflict>;

/** The original bytes as a dead letter keeps them: their size and digest, and at most DEAD_LETTER_EXCERPT_BYTES of them. */
export const OriginalBytes = Type.Object(
  {
    bytes: Type.Integer({ minimum: 0 }),
    /** SHA-256 of all the original bytes, hex: finds the payload in a device's local store or a broker capture. */
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    /** The first bytes (all of them when `truncated` is false), base64. */
    excerptBase64: Type.String(),
    truncated: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type OriginalBytes = Static<typeof OriginalBytes>;

/** One refused reading of a payload whose other readings may have been admitted. */
export const ReadingRefusal = Type.Object(
  {
    index: Type.Integer({ minimum: 0 }),
    reason: DeadLetterReason,
    detail: Type.String(),
    /** JSON pointer to the field at fault. */
    path: Type.String(),
  },
  { additionalProperties: false },
);
export type ReadingRefusal = Static<typeof ReadingRefusal>;

/**
 * Kafka dead-letter v2: one record per refused input (an MQTT payload, or a Kafka record),
 * bounded whatever the input was: a digest and an excerpt of the original instead of all of
 * it, and every refused reading of a payload listed in one record.
 */
export const DeadLetterV2 = Type.Object(
  {
    v: Type.Literal(2),
    /** Which service refused it. */
    stage: Stage,
    /** The payload's fault; for refused readings, the first refusal's reason (all are in `refusals`). */
    reason: DeadLetterReason,
    detail: Type.String(),
    /** JSON pointer into the payload, when the fault is in one field. */
    path: Type.Optional(Type.String()),
    /** The refused readings, in payload order, when the payload itself was sound. */
    refusals: Type.Optional(Type.Array(ReadingRefusal, { minItems: 1 })),
    /** How many readings of the payload were admitted besides the refused ones. */
    admittedReadings: Type.Optional(Type.Integer({ minimum: 0 })),
    /** The MQTT topic it arrived on (ingest stage). */
    mqttTopic: Type.Optional(Type.String()),
    /** Where it was read from (writer stage): topic/partition/offset. */
    source: Type.Optional(Type.String()),
    /** The device the topic names (the authenticated publisher under the broker ACL). */
    topicDeviceId: Type.Optional(Type.String()),
    conflict: Type.Optional(ReadingConflict),
    receivedAt: Type.String(),
    original: OriginalBytes,
  },
  { additionalProperties: false },
);
export type DeadLetterV2 = Static<typeof DeadLetterV2>;
/** The dead letter as every reader sees it, whichever version was written. */
export type DeadLetter = DeadLetterV2;

/** Size, digest and a bounded excerpt of the original bytes. */
export function describeOriginal(bytes: Buffer, maxExcerptBytes = DEAD_LETTER_EXCERPT_BYTES): OriginalBytes {
  return {
    bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    excerptBase64: bytes.subarray(0, maxExcerptBytes).toString('base64'),
    truncated: bytes.length > maxExcerptBytes,
  };
}

/** A detail text cut to DEAD_LETTER_DETAIL_CHARS, marked when cut. */
export function boundedDetail(detail: string): string {
  return detail.length <= DEAD_LETTER_DETAIL_CHARS ? detail : `${detail.slice(0, DEAD_LETTER_DETAIL_CHARS - 1)}…`;
}

const v1Validator = compileValidator(DeadLetterV1);
const v2 = jsonRecordCodec(DEAD_LETTER_SCHEMA_ID, DeadLetterV2);

/**
 * The dead-letter topic's records, keyed as the record they replace, with a `reason` header
 * besides the schema so a consumer can filter without decoding. Writes v2; reads either
 * version as v2: a v1 record's embedded payload becomes the excerpt (all of it, however
 * long: it is already on the topic) with its size and digest.
 */
export const deadLetterCodec: RecordCodec<DeadLetterV2> = {
  schema: DEAD_LETTER_SCHEMA_ID,
  encode: (letter, key, headers = {}) => v2.encode(letter, key, { ...headers, reason: letter.reason }),
  decode(bytes) {
    const decoded = v2.decode(bytes);
    if (decoded.ok) return decoded;
    const parsed = parseRecordJson(bytes);
    if (!parsed.ok) return parsed;
    const v1 = v1Validator.validate(parsed.json);
    if (!v1.ok) return { ok: false, detail: `not a dead letter v1 or v2: ${decoded.detail}` };
    const { v: _v, payloadBase64, readingIndex, path, ...rest } = v1.value;
    const original = Buffer.from(payloadBase64, 'base64');
    return {
      ok: true,
      value: {
        ...rest,
        v: 2,
        ...(path === undefined ? {} : { path }),
        ...(readingIndex === undefined ? {} : { refusals: [{ index: readingIndex, reason: rest.reason, detail: rest.detail, path: path ?? '' }] }),
        original: describeOriginal(original, original.length),
      },
    };
  },
};
