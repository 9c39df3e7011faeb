import { Type, type Static } from '@sinclair/typebox';
import { Id } from './common.ts';
import { jsonRecordCodec } from './kafka-record.ts';

export const DEVICE_SEQUENCE_SCHEMA_ID = 'meterline.device-sequence.v1';

/** What became of the payload: as ingest's `meterline_ingest_payloads_total{outcome}` counts it. */
export const PayloadOutcome = Type.Union([Type.Literal('admitted'), Type.Literal('partly-admitted'), Type.Literal('dead-lettered')]);
export type PayloadOutcome = Static<typeof PayloadOutcome>;

/**
 * Kafka device sequence v1, keyed by device id: one per readings payload whose device the
 * topic vouches for (the payload's `deviceId` equals the topic's, the device is in the
 * registry) and whose `seq` could be read, sent by ingest with the payload's readings or dead
 * letter, so it exists exactly when they do. The digest tells a resent message (same bytes)
 * from a replay (same `seq`, other bytes).
 */
export const DeviceSequenceV1 = Type.Object(
  {
    v: Type.Literal(1),
    deviceId: Id,
    /** The enterprise owning the device in the registry when the payload arrived. */
    enterpriseId: Id,
    seq: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    /** SHA-256 of the payload's bytes as received, lower-case hex. */
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    outcome: PayloadOutcome,
    receivedAt: Type.String(),
    receivedMs: Type.Integer(),
  },
  { additionalProperties: false },
);
export type DeviceSequenceV1 = Static<typeof DeviceSequenceV1>;

/** The device-sequence topic's records, keyed by device. */
export const deviceSequenceCodec = jsonRecordCodec(DEVICE_SEQUENCE_SCHEMA_ID, DeviceSequenceV1);
