import type { ReadingMessageV1 } from '@meterline/contracts';
import type { SeriesPoint } from '@meterline/store';

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
