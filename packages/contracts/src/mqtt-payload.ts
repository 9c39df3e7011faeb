import { Type, type Static } from '@sinclair/typebox';
import { DeviceQuality, Id, Quantity, TimestampWithOffset } from './common.ts';
import { compileValidator, type Validation } from './validator.ts';

/** Topic a device publishes its readings on; the broker ACL lets it write only its own subtree. */
export const readingsTopic = (deviceId: string): string => `meterline/v1/${deviceId}/readings`;
export const statusTopic = (deviceId: string): string => `meterline/v1/${deviceId}/status`;
export const READINGS_TOPIC_FILTER = 'meterline/v1/+/readings';

const readingFields = {
  point: Id,
  ts: TimestampWithOffset,
  quantity: Quantity,
  value: Type.Number(),
  unit: Type.String({ minLength: 1, maxLength: 16 }),
  quality: Type.Optional(DeviceQuality),
};

export const MqttReading = Type.Object(readingFields, { additionalProperties: false });
export type MqttReading = Static<typeof MqttReading>;

const MAX_READINGS_PER_PAYLOAD = 1000;

/**
 * Optional Ed25519 signature (RFC 8032) of the payload, base64url without padding (64 bytes,
 * 86 characters): see payload-signature.ts for what is signed.
 */
const Signature = Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{86}$' }));

/** MQTT payload v1, batch form: a gateway sends the readings of many points at once. */
const MqttBatchPayloadV1 = Type.Object(
  {
    v: Type.Literal(1),
    deviceId: Id,
    seq: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    readings: Type.Array(MqttReading, { minItems: 1, maxItems: MAX_READINGS_PER_PAYLOAD }),
    sig: Signature,
  },
  { additionalProperties: false },
);

/** MQTT payload v1, single form: one reading, fields at the top level. */
const MqttSinglePayloadV1 = Type.Object(
  { v: Type.Literal(1), deviceId: Id, seq: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }), ...readingFields, sig: Signature },
  { additionalProperties: false },
);

export const MqttPayloadV1 = Type.Union([MqttBatchPayloadV1, MqttSinglePayloadV1]);
export type MqttPayloadV1 = Static<typeof MqttPayloadV1>;

export interface NormalisedPayload {
  deviceId: string;
  seq: number;
  readings: MqttReading[];
}

/** Both payload forms as one shape: a list of readings. */
export function normalisePayload(payload: MqttPayloadV1): NormalisedPayload {
  if ('readings' in payload) {
    return { deviceId: payload.deviceId, seq: payload.seq, readings: payload.readings };
  }
  const { v: _version, deviceId, seq, sig: _signature, ...reading } = payload;
  return { deviceId, seq, readings: [reading] };
}

const batchValidator = compileValidator(MqttBatchPayloadV1);
const singleValidator = compileValidator(MqttSinglePayloadV1);

/**
 * Validates either payload form. The form is chosen by the `readings` key first, so an
 * error names the field at fault rather than "matches no schema of the union".
 */
export function validateMqttPayload(input: unknown): Validation<MqttPayloadV1> {
  const isBatch = typeof input === 'object' && input !== null && 'readings' in input;
  return isBatch ? batchValidator.validate(input) : singleValidator.validate(input);
}
