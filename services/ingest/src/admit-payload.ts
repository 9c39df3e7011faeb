import {
  boundedDetail,
  normalisePayload,
  validateMqttPayload,
  type DeadLetterReason,
  type DeadLetterV2,
  type ReadingMessageV1,
  type ReadingRefusal,
} from '@meterline/contracts';
import { parseStrictJson, type RegistryIndex } from '@meterline/domain';
import { admitReading, isReadingFault } from './admit-reading.ts';
import { ingestDeadLetter } from './dead-letter.ts';
import { checkDeviceSignature } from './device-signature.ts';

export interface AdmissionRules {
  maxPayloadBytes: number;
  /** A reading stamped further than this ahead of the ingest clock is refused. */
  maxFutureSkewMs: number;
  /**
   * No reading older than this instant is admitted from a device, whatever the registry says
   * of the point (older data is loaded by an operator, not published).
   */
  horizonMs: number;
}

export interface Admission {
  readings: ReadingMessageV1[];
  /** One per payload at most: the payload's own fault, or every refused reading of it. */
  deadLetter: DeadLetterV2 | undefined;
}

const TOPIC = /^meterline\/v1\/([^/]+)\/readings$/;

/** The device a readings topic names, or undefined. */
export const readingsTopicDevice = (mqttTopic: string): string | undefined => TOPIC.exec(mqttTopic)?.[1];

/**
 * Decides what becomes of one MQTT payload: every reading is either admitted (resolved
 * against the registry, its value in the point's unit) or refused with a reason. A fault of
 * the payload as a whole refuses all of it; a fault of one reading refuses that reading
 * alone, and the others go on. Either way the payload yields at most one dead letter.
 * Pure: no I/O, never throws.
 */
export function admitPayload(
  mqttTopic: string,
  payload: Buffer,
  receivedAt: Date,
  registry: RegistryIndex,
  rules: AdmissionRules,
): Admission {
  const topicDeviceId = readingsTopicDevice(mqttTopic);
  const origin = { mqttTopic, topicDeviceId, receivedAt, payload };
  const refuse = (reason: DeadLetterReason, detail: string, path?: string): Admission => ({
    readings: [],
    deadLetter: ingestDeadLetter(origin, reason, detail, path === undefined ? {} : { path }),
  });

  if (payload.length > rules.maxPayloadBytes) {
    return refuse('PAYLOAD_TOO_LARGE', `payload of ${payload.length} bytes exceeds the limit of ${rules.maxPayloadBytes}`);
  }
  const parsed = parseStrictJson(payload.toString('utf8'));
  if (!parsed.ok) {
    return parsed.fault === 'syntax'
      ? refuse('MALFORMED_JSON', `not JSON: ${parsed.message}`)
      : refuse('DUPLICATE_KEY', `member "${parsed.duplicate.key}" appears twice in one object`, parsed.duplicate.path);
  }
  const validation = validateMqttPayload(parsed.value);
  if (!validation.ok) {
    const issue = validation.issues[0];
    return refuse('SCHEMA_INVALID', `${issue?.path || '/'} ${issue?.message ?? 'invalid'}`, issue?.path ?? '');
  }
  const batch = normalisePayload(validation.value);
  const isBatchForm = 'readings' in validation.value;
  if (batch.deviceId !== topicDeviceId) {
    return refuse('DEVICE_MISMATCH', `payload deviceId "${batch.deviceId}" differs from the topic's device "${topicDeviceId ?? '?'}"`, '/deviceId');
  }
  const device = registry.device(batch.deviceId);
  if (!device) {
    return refuse('UNKNOWN_DEVICE', `device "${batch.deviceId}" is not in the registry`, '/deviceId');
  }
  const signature = checkDeviceSignature(device.device, validation.value);
  if (signature.kind === 'refused') return refuse(signature.reason, signature.detail, '/sig');
  const verified = signature.kind === 'verified';

  const readings: ReadingMessageV1[] = [];
  const refusals: ReadingRefusal[] = [];
  batch.readings.forEach((reading, index) => {
    const result = admitReading(reading, { deviceId: batch.deviceId, seq: batch.seq, index, receivedAt, verified }, registry, rules);
    if (!isReadingFault(result)) readings.push(result);
    else refusals.push({ index, reason: result.reason, detail: boundedDetail(result.detail), path: isBatchForm ? `/readings/${index}/${result.field}` : `/${result.field}` });
  });
  const [first] = refusals;
  if (!first) return { readings, deadLetter: undefined };
  const summary = refusals.length === 1 ? first.detail : `${refusals.length} of ${batch.readings.length} readings refused; the first: ${first.detail}`;
  return {
    readings,
    deadLetter: ingestDeadLetter(origin, first.reason, summary, { path: first.path, refusals, admittedReadings: readings.length }),
  };
}
