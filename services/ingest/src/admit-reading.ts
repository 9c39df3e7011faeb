import type { DeadLetterReason, ReadingMessageV1 } from '@meterline/contracts';
import { isCumulative, parseInstant, tryConvertUnit, type RegistryIndex } from '@meterline/domain';
import type { AdmissionRules } from './admit-payload.ts';
import { earliestReadingOf } from './earliest-reading.ts';

/** One value a device reports, in its own unit, before the registry's rules. */
export interface ClaimedReading {
  point: string;
  /** The quantity the device says it measures; absent when its format has none (Sparkplug). */
  quantity?: string;
  value: number;
  unit: string;
  ts: string;
  quality?: ReadingMessageV1['quality'];
}

/** Who sent the reading, and in which message: becomes the reading's provenance. */
export interface ReadingSource {
  deviceId: string;
  seq: number;
  index: number;
  receivedAt: Date;
  verified: boolean;
}

/** Why one reading was refused; `field` names the claimed reading's member at fault. */
export interface ReadingFault {
  reason: DeadLetterReason;
  detail: string;
  field: 'point' | 'quantity' | 'unit' | 'value' | 'ts';
}

/**
 * The rules every reading from a device meets whatever its format (Meterline payload v1 or
 * Sparkplug B): the device may report the point; quantity and unit are the point's; the value is
 * finite, not negative on a register, below its wrap; the time is real, not ahead of the ingest
 * clock, not before the point's commissioning nor the horizon. Pure: no I/O, never throws.
 */
export function admitReading(claimed: ClaimedReading, source: ReadingSource, registry: RegistryIndex, rules: AdmissionRules): ReadingMessageV1 | ReadingFault {
  const { deviceId } = source;
  const location = registry.point(claimed.point);
  if (!location || !registry.mayReport(deviceId, claimed.point)) {
    return { reason: 'POINT_NOT_AUTHORISED', detail: `device "${deviceId}" may not report metering point "${claimed.point}"`, field: 'point' };
  }
  const { point } = location;
  if (claimed.quantity !== undefined && claimed.quantity !== point.quantity) {
    return { reason: 'QUANTITY_MISMATCH', detail: `metering point "${point.id}" measures ${point.quantity}, not ${claimed.quantity}`, field: 'quantity' };
  }
  const converted = tryConvertUnit(claimed.value, claimed.unit, point.unit);
  if (!converted.ok) return { reason: 'UNIT_MISMATCH', detail: `metering point "${point.id}" is in ${point.unit}: ${converted.error.message}`, field: 'unit' };
  // JSON can spell a number too large for a double (1e400 parses as Infinity), and a
  // conversion can overflow (1e306 MWh in Wh): neither can be stored or sent as JSON.
  if (!Number.isFinite(claimed.value) || !Number.isFinite(converted.value)) {
    return { reason: 'VALUE_NOT_FINITE', detail: `${claimed.value} ${claimed.unit} is not a finite number in ${point.unit}`, field: 'value' };
  }
  if (isCumulative(point.quantity) && converted.value < 0) {
    return { reason: 'VALUE_NEGATIVE', detail: `metering point "${point.id}" is a register (${point.quantity}); ${claimed.value} ${claimed.unit} is negative`, field: 'value' };
  }
  if (point.registerMax !== undefined && converted.value >= point.registerMax) {
    return {
      reason: 'VALUE_OUT_OF_RANGE',
      detail: `metering point "${point.id}" has a register that wraps at ${point.registerMax} ${point.unit}; ${converted.value} ${point.unit} cannot be displayed on it`,
      field: 'value',
    };
  }
  const tsMs = parseInstant(claimed.ts);
  if (tsMs === undefined) return { reason: 'TIMESTAMP_INVALID', detail: `"${claimed.ts}" is not a valid date and time`, field: 'ts' };
  const receivedMs = source.receivedAt.getTime();
  if (tsMs > receivedMs + rules.maxFutureSkewMs) {
    return { reason: 'TIMESTAMP_IN_FUTURE', detail: `"${claimed.ts}" is ${Math.round((tsMs - receivedMs) / 1000)} s ahead of the ingest clock`, field: 'ts' };
  }
  const enterprise = registry.enterprise(location.enterpriseId);
  const pointStart = enterprise ? earliestReadingOf(point, enterprise.timeZone) : undefined;
  if (pointStart !== undefined && pointStart.ms > rules.horizonMs && tsMs < pointStart.ms) {
    return {
      reason: 'TIMESTAMP_BEFORE_COMMISSIONING',
      detail: `"${claimed.ts}" is before metering point "${point.id}" was ${pointStart.since === 'commissioned' ? 'commissioned' : 'calibrated'} (${pointStart.date})`,
      field: 'ts',
    };
  }
  if (tsMs < rules.horizonMs) {
    return { reason: 'TIMESTAMP_BEFORE_HORIZON', detail: `"${claimed.ts}" is before ${new Date(rules.horizonMs).toISOString()}, the earliest instant a device may report`, field: 'ts' };
  }
  return {
    v: 1,
    readingId: `${deviceId}:${source.seq}:${source.index}`,
    deviceId,
    seq: source.seq,
    index: source.index,
    enterpriseId: location.enterpriseId,
    siteId: location.siteId,
    pointId: point.id,
    carrier: point.carrier,
    quantity: point.quantity,
    value: converted.value,
    unit: point.unit,
    sourceValue: claimed.value,
    sourceUnit: claimed.unit,
    ts: claimed.ts,
    tsMs,
    quality: claimed.quality ?? 'good',
    receivedAt: source.receivedAt.toISOString(),
    verified: source.verified,
  };
}

export const isReadingFault = (result: ReadingMessageV1 | ReadingFault): result is ReadingFault => 'reason' in result;
