import {
  boundedDetail,
  normalisePayload,
  validateMqttPayload,
  type DeadLetterReason,
  type DeadLetterV2,
  type ReadingMessageV1,
  type ReadingRefusal,
} from '@meterline/contracts';
import { isCumulative, parseInstant, parseStrictJson, tryConvertUnit, type RegistryIndex } from '@meterline/domain';
import { ingestDeadLetter } from './dead-letter.ts';
import { checkDeviceSignature } from './device-signature.ts';
import { earliestReadingOf } from './earliest-reading.ts';

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
  const receivedAtIso = receivedAt.toISOString();
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
  const latestAllowedMs = receivedAt.getTime() + rules.maxFutureSkewMs;
  batch.readings.forEach((reading, index) => {
    const at = (field: string) => (isBatchForm ? `/readings/${index}/${field}` : `/${field}`);
    const refuseReading = (reason: DeadLetterReason, detail: string, field: string) =>
      refusals.push({ index, reason, detail: boundedDetail(detail), path: at(field) });

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
    // JSON can spell a number too large for a double (1e400 parses as Infinity), and a
    // conversion can overflow (1e306 MWh in Wh): neither can be stored or sent as JSON.
    if (!Number.isFinite(reading.value) || !Number.isFinite(converted.value)) {
      refuseReading('VALUE_NOT_FINITE', `${reading.value} ${reading.unit} is not a finite number in ${point.unit}`, 'value');
      return;
    }
    if (isCumulative(point.quantity) && converted.value < 0) {
      refuseReading('VALUE_NEGATIVE', `metering point "${point.id}" is a register (${point.quantity}); ${reading.value} ${reading.unit} is negative`, 'value');
      return;
    }
    if (point.registerMax !== undefined && converted.value >= point.registerMax) {
      refuseReading(
        'VALUE_OUT_OF_RANGE',
        `metering point "${point.id}" has a register that wraps at ${point.registerMax} ${point.unit}; ${converted.value} ${point.unit} cannot be displayed on it`,
        'value',
      );
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
    const enterprise = registry.enterprise(location.enterpriseId);
    const pointStart = enterprise ? earliestReadingOf(point, enterprise.timeZone) : undefined;
    if (pointStart !== undefined && pointStart.ms > rules.horizonMs && tsMs < pointStart.ms) {
      refuseReading(
        'TIMESTAMP_BEFORE_COMMISSIONING',
        `"${reading.ts}" is before metering point "${point.id}" was ${pointStart.since === 'commissioned' ? 'commissioned' : 'calibrated'} (${pointStart.date})`,
        'ts',
      );
      return;
    }
    if (tsMs < rules.horizonMs) {
      refuseReading('TIMESTAMP_BEFORE_HORIZON', `"${reading.ts}" is before ${new Date(rules.horizonMs).toISOString()}, the earliest instant a device may report`, 'ts');
      return;
    }
    readings.push({
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
      verified,
    });
  });
  const [first] = refusals;
  if (!first) return { readings, deadLetter: undefined };
  const summary = refusals.length === 1 ? first.detail : `${refusals.length} of ${batch.readings.length} readings refused; the first: ${first.detail}`;
  return {
    readings,
    deadLetter: ingestDeadLetter(origin, first.reason, summary, { path: first.path, refusals, admittedReadings: readings.length }),
  };
}
