import { FIGURE_MEASUREMENTS } from './figures.ts';
import { readingsLandedMeasurement } from './readings-landed.ts';
import { RESTATEMENT_MEASUREMENT } from './restatements.ts';

/**
 * The measurements an InfluxDB replica holds (ADR 0010): what its writers copy from Kafka, the
 * readings with their landing marks and the figures with their restatements. Everything else
 * (alerter state, manual entries, aggregation state, …) is written to the primary alone.
 */
export function replicatedMeasurements(readingsMeasurement: string): ReadonlySet<string> {
  return new Set([readingsMeasurement, readingsLandedMeasurement(readingsMeasurement), ...Object.values(FIGURE_MEASUREMENTS), RESTATEMENT_MEASUREMENT]);
}
