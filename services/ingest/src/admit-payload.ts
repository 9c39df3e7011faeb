import {
  normalisePayload,
  parseInstant,
  validateMqttPayload,
  type DeadLetterReason,
  type DeadLetterV1,
  type ReadingMessageV1,
} from '@meterline/contracts';
import { tryConvertUnit, type RegistryIndex } from '@meterline/domain';
import { ingestDeadLetter } from './dead-letter.ts';

export interface AdmissionRules {
  maxPayloadBytes: number;
  /** A reading stamped further than this ahead of the ingest clock is refused. */
  maxFutureSkewMs: number;
}

export interface Admission {
  readings: ReadingMessageV1[];
  deadLetters: DeadLetterV1[];
}

const TOPIC = /^meterline\/v1\/([^/]+)\/readings$/;

/**
 * Decides what becomes of one MQTT payload: every reading is either admitted (resolved
 * against the registry, its value in the point's unit) or dead-lettered with a reason.
 * A fault of the payload as a whole dead-letters it once; a fault of one reading
 * dead-letters that reading alone, and the others go on. Pure: no I/O, never throws.
 */
export function admitPayload(
  mqttTopic: string,
  payload: Buffer,
  receivedAt: Date,
  registry: RegistryIndex,
  rules: AdmissionRules,
): Admission {
  const topicDeviceId = TOPIC.exec(mqttTopic)?.[1];
  const receivedAtIso = receivedAt.toISOString();
  const origin = { mqttTopic, topicDeviceId, receivedAt, payload };
  const deadLetter = (reason: DeadLetterReason, detail: string, extra: { path?: string; readingIndex?: number } = {}): DeadLetterV1 =>
    ingestDeadLetter(origin, reason, detail, extra);
  const refuse = (reason: DeadLetterReason, detail: string, path?: string): Admission => ({
    readings: [],
    deadLetters: [deadLetter(reason, detail, path === undefined ? {} : { path })],
  });

  if (payload.length > rules.maxPayloadBytes) {
    return refuse('PAYLOAD_TOO_LARGE', `payload of ${payload.length} bytes exceeds the limit of ${rules.maxPayloadBytes}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch (error) {
    return refuse('MALFORMED_JSON', `not JSON: ${(error as Error).message}`);
  }
  const validation = validateMqttPayload(json);
  if (!validation.ok) {
    const issue = validation.issues[0];
    return refuse('SCHEMA_INVALID', `${issue?.path || '/'} ${issue?.message ?? 'invalid'}`, issue?.path ?? '');
  }
  const batch = normalisePayload(validation.value);
  const isBatchForm = 'readings' in validation.value;
  if (batch.deviceId !== topicDeviceId) {
    return refuse('DEVICE_MISMATCH', `payload deviceId "${batch.deviceId}" differs from the topic's device "${topicDeviceId ?? '?'}"`, '/deviceId');
  }
  if (!registry.device(batch.deviceId)) {
    return refuse('UNKNOWN_DEVICE', `device "${batch.deviceId}" is not in the registry`, '/deviceId');
  }

  const admission: Admission = { readings: [], deadLetters: [] };
  const latestAllowedMs = receivedAt.getTime() + rules.maxFutureSkewMs;
  batch.readings.forEach((reading, index) => {
    const at = (field: string) => (isBatchForm ? `/readings/${index}/${field}` : `/${field}`);
    const refuseReading = (reason: DeadLetterReason, detail: string, field: string) =>
      admission.deadLetters.push(deadLetter(reason, detail, { path: at(field), readingIndex: index }));

    const location = registry.point(reading.point);
    if (!location || !registry.mayReport(batch.deviceId, reading.point)) {
      refuseReading('POINT_NOT_AUTHORISED', `device "${batch.deviceId}" may not report metering point "${reading.point}"`, 'point');
      return;
    }
    const { point } = location;
    if (reading.quantity !== point.quantity) {
      refuseReading('QUANTITY_MISMATCH', `metering point "${point.id}" measures ${point.quantity}, not ${reading.quantity}`, 'quantity');
      return;
    }
    const converted = tryConvertUnit(reading.value, reading.unit, point.unit);
    if (!converted.ok) {
      refuseReading('UNIT_MISMATCH', `metering point "${point.id}" is in ${point.unit}: ${converted.error.message}`, 'unit');
      return;
    }
    const tsMs = parseInstant(reading.ts);
    if (tsMs === undefined) {
      refuseReading('TIMESTAMP_INVALID', `"${reading.ts}" is not a valid date and time`, 'ts');
      return;
    }
    if (tsMs > latestAllowedMs) {
      refuseReading('TIMESTAMP_IN_FUTURE', `"${reading.ts}" is ${Math.round((tsMs - receivedAt.getTime()) / 1000)} s ahead of the ingest clock`, 'ts');
      return;
    }
    admission.readings.push({
      v: 1,
      readingId: `${batch.deviceId}:${batch.seq}:${index}`,
      deviceId: batch.deviceId,
      seq: batch.seq,
      index,
      enterpriseId: location.enterpriseId,
      siteId: location.siteId,
      pointId: point.id,
      carrier: point.carrier,
      quantity: point.quantity,
      value: converted.value,
      unit: point.unit,
      sourceValue: reading.value,
      sourceUnit: reading.unit,
      ts: reading.ts,
      tsMs,
      quality: reading.quality ?? 'good',
      receivedAt: receivedAtIso,
    });
  });
  return admission;
}
