import { Type, type Static } from '@sinclair/typebox';
import { DeviceQuality, Id, Quantity, TimestampWithOffset } from './common.ts';
import { jsonRecordCodec, parseRecordJson, type DecodedRecord } from './kafka-record.ts';

export const READING_SCHEMA_ID = 'meterline.reading.v1';

/**
 * Kafka reading v1, keyed by metering point id so one point's readings keep their order.
 * Ingest resolves the point in the registry, so consumers need no registry to tag it.
 */
export const ReadingMessageV1 = Type.Object(
  {
    v: Type.Literal(1),
    /** deviceId:seq:index — the same MQTT redelivery yields the same id. */
    readingId: Type.String(),
    deviceId: Id,
    seq: Type.Integer({ minimum: 0 }),
    index: Type.Integer({ minimum: 0 }),
    enterpriseId: Id,
    siteId: Id,
    pointId: Id,
    carrier: Type.String(),
    quantity: Quantity,
    /** Value in the metering point's registered unit. */
    value: Type.Number(),
    unit: Type.String(),
    /** Value and unit exactly as the device sent them, kept for traceability. */
    sourceValue: Type.Number(),
    sourceUnit: Type.String(),
    ts: TimestampWithOffset,
    tsMs: Type.Integer(),
    quality: DeviceQuality,
    receivedAt: Type.String(),
    /**
     * True when the payload was signed and ingest verified the signature against the device's
     * registered public key (payload-signature.ts). Absent in records written before signing.
     */
    verified: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type ReadingMessageV1 = Static<typeof ReadingMessageV1>;
/** The readings topic's records, keyed by metering point. */
export const readingMessageCodec = jsonRecordCodec(READING_SCHEMA_ID, ReadingMessageV1);

export type ReadingLiveness = Pick<ReadingMessageV1, 'pointId' | 'enterpriseId' | 'tsMs'>;

/**
 * The three members a sign of life needs, read without checking the whole record: for a reader
 * that only learns that a point reported (the alerter), not what it reported, where checking
 * every reading would cost more than the rest of its work. The writer checks them whole.
 */
export function decodeReadingLiveness(bytes: Buffer): DecodedRecord<ReadingLiveness> {
  const parsed = parseRecordJson(bytes);
  if (!parsed.ok) return parsed;
  const r = parsed.json as Partial<Record<keyof ReadingLiveness, unknown>> | null;
  if (typeof r !== 'object' || r === null || typeof r.pointId !== 'string' || typeof r.enterpriseId !== 'string' || !Number.isInteger(r.tsMs)) {
    return { ok: false, detail: `${READING_SCHEMA_ID} without pointId, enterpriseId or an integer tsMs` };
  }
  return { ok: true, value: { pointId: r.pointId, enterpriseId: r.enterpriseId, tsMs: r.tsMs as number } };
}
