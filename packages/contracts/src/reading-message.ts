import { Type, type Static } from '@sinclair/typebox';
import { DeviceQuality, Id, Quantity, TimestampWithOffset } from './common.ts';
import { jsonRecordCodec, parseRecordJson, type DecodedRecord, type EncodedRecord } from './kafka-record.ts';

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

/**
 * Kafka readings v2: the readings of one payload that share a partition, in one record. A
 * record per reading cost the pipeline more than the readings themselves (ingest's record
 * encoding, the broker's per-record work, every consumer's per-record decoding). The record is
 * keyed by its first reading's point, and every reading in it maps to the same partition as
 * that key, so each point's readings stay on one partition, in order, as with v1.
 */
export const READING_BATCH_SCHEMA_ID = 'meterline.reading-batch.v2';

/** A reading of a v2 record: v1 without what the record holds once for all its readings. */
const ReadingEntry = Type.Omit(ReadingMessageV1, ['v', 'readingId', 'deviceId', 'seq', 'receivedAt', 'verified'], { additionalProperties: false });

const ReadingBatchV2 = Type.Object(
  {
    v: Type.Literal(2),
    deviceId: Id,
    seq: ReadingMessageV1.properties.seq,
    receivedAt: Type.String(),
    verified: Type.Optional(Type.Boolean()),
    readings: Type.Array(ReadingEntry, { minItems: 1 }),
  },
  { additionalProperties: false },
);
type ReadingBatchV2 = Static<typeof ReadingBatchV2>;

const readingBatchCodec = jsonRecordCodec(READING_BATCH_SCHEMA_ID, ReadingBatchV2);

/** Readings per v2 record at most: a payload's 1 000 readings stay well under Kafka's 1 MiB record limit. */
export const READINGS_PER_RECORD = 250;

/** Where the bus puts a record of a given key; the same partitions as the producer's. */
export type PartitionOfKey = (key: string) => number;

/**
 * The readings topic's records for admitted readings: one v2 record per payload and partition
 * (at most READINGS_PER_RECORD readings), in the readings' order.
 */
export function encodeReadingRecords(readings: readonly ReadingMessageV1[], partitionOf: PartitionOfKey): EncodedRecord[] {
  const groups = new Map<string, ReadingBatchV2>();
  const records: EncodedRecord[] = [];
  const flush = (key: string, batch: ReadingBatchV2) => {
    records.push(readingBatchCodec.encode(batch, batch.readings[0]!.pointId));
    groups.delete(key);
  };
  for (const r of readings) {
    // Readings of one payload share their header; a caller mixing payloads still gets them apart.
    const key = `${partitionOf(r.pointId)}|${r.deviceId}|${r.seq}|${r.receivedAt}|${r.verified}`;
    let batch = groups.get(key);
    if (!batch) {
      batch = { v: 2, deviceId: r.deviceId, seq: r.seq, receivedAt: r.receivedAt, ...(r.verified === undefined ? {} : { verified: r.verified }), readings: [] };
      groups.set(key, batch);
    }
    batch.readings.push({
      index: r.index, enterpriseId: r.enterpriseId, siteId: r.siteId, pointId: r.pointId, carrier: r.carrier, quantity: r.quantity,
      value: r.value, unit: r.unit, sourceValue: r.sourceValue, sourceUnit: r.sourceUnit, ts: r.ts, tsMs: r.tsMs, quality: r.quality,
    });
    if (batch.readings.length >= READINGS_PER_RECORD) flush(key, batch);
  }
  for (const [key, batch] of groups) flush(key, batch);
  return records;
}

function expand(batch: ReadingBatchV2): ReadingMessageV1[] {
  const { deviceId, seq, receivedAt, verified } = batch;
  return batch.readings.map((entry) => ({
    v: 1,
    readingId: `${deviceId}:${seq}:${entry.index}`,
    deviceId,
    seq,
    ...entry,
    receivedAt,
    ...(verified === undefined ? {} : { verified }),
  }));
}

/** The readings a record of the readings topic holds, v1 (one reading) or v2 (a payload's share); never throws. */
export function decodeReadingRecord(bytes: Buffer): DecodedRecord<ReadingMessageV1[]> {
  const parsed = parseRecordJson(bytes);
  if (!parsed.ok) return parsed;
  if ((parsed.json as { v?: unknown } | null)?.v === 2) {
    const batch = readingBatchCodec.check(parsed.json);
    return batch.ok ? { ok: true, value: expand(batch.value) } : batch;
  }
  const reading = readingMessageCodec.check(parsed.json);
  return reading.ok ? { ok: true, value: [reading.value] } : reading;
}

export type ReadingLiveness = Pick<ReadingMessageV1, 'pointId' | 'enterpriseId' | 'tsMs'>;

function livenessOf(r: Partial<Record<keyof ReadingLiveness, unknown>> | null | undefined): ReadingLiveness | undefined {
  if (typeof r !== 'object' || r === null || typeof r.pointId !== 'string' || typeof r.enterpriseId !== 'string' || !Number.isInteger(r.tsMs)) return undefined;
  return { pointId: r.pointId, enterpriseId: r.enterpriseId, tsMs: r.tsMs as number };
}

/**
 * The three members a sign of life needs, of each reading in a record (v1 or v2), read without
 * checking the whole record: for a reader that only learns that a point reported (the alerter),
 * not what it reported, where checking every reading would cost more than the rest of its work.
 * The writer checks them whole.
 */
export function decodeReadingLiveness(bytes: Buffer): DecodedRecord<ReadingLiveness[]> {
  const parsed = parseRecordJson(bytes);
  if (!parsed.ok) return parsed;
  const json = parsed.json as { v?: unknown; readings?: unknown } | null;
  const candidates: unknown[] = json?.v === 2 && Array.isArray(json.readings) ? json.readings : [json];
  const found: ReadingLiveness[] = [];
  for (const candidate of candidates) {
    const liveness = livenessOf(candidate as Partial<Record<keyof ReadingLiveness, unknown>> | null);
    if (!liveness) return { ok: false, detail: `${json?.v === 2 ? READING_BATCH_SCHEMA_ID : READING_SCHEMA_ID} without pointId, enterpriseId or an integer tsMs` };
    found.push(liveness);
  }
  return { ok: true, value: found };
}
