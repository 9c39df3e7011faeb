import { compileValidator, ReadingMessageV1 } from '@meterline/contracts';
import type { SeriesPoint } from '@meterline/store';

const validateReading = compileValidator(ReadingMessageV1);

export type DecodedReading = { ok: true; reading: ReadingMessageV1 } | { ok: false; detail: string };

export function decodeReading(value: Buffer): DecodedReading {
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return { ok: false, detail: `not JSON: ${(error as Error).message}` };
  }
  const result = validateReading.validate(json);
  if (!result.ok) return { ok: false, detail: result.issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ') };
  return { ok: true, reading: result.value };
}

/**
 * One stored reading. The series is (enterprise, site, point, carrier, quantity) and the
 * timestamp the reading's own, so the same reading delivered twice overwrites itself.
 */
export function toSeriesPoint(measurement: string, reading: ReadingMessageV1): SeriesPoint {
  return {
    measurement,
    tags: {
      enterprise: reading.enterpriseId,
      site: reading.siteId,
      point: reading.pointId,
      carrier: reading.carrier,
      quantity: reading.quantity,
    },
    // `verified`: the payload's Ed25519 signature was checked by ingest; false for unsigned devices and older records.
    fields: { value: reading.value, quality: reading.quality, device: reading.deviceId, verified: reading.verified === true },
    timestampMs: reading.tsMs,
  };
}
