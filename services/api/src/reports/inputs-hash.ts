import { createHash } from 'node:crypto';
import { canonicalJson, type Json } from '@meterline/contracts';
import type { Enterprise, ManualEntry } from '@meterline/domain';
import type { DailyInput } from '@meterline/mining';
import type { ReadingsByPoint } from './report-readings.ts';

/**
 * Readings used, as [point, instant (ISO 8601, UTC, ms), value], and `true` after them when the
 * reading's signature was verified (the report shows that share), sorted by point, instant, value.
 */
function readingRows(readings: ReadingsByPoint): Json[] {
  const rows = [...readings].flatMap(([point, list]) => list.map((r) => ({ point, at: r.at, value: r.value, verified: r.verified })));
  rows.sort((a, b) => (a.point < b.point ? -1 : a.point > b.point ? 1 : a.at - b.at || a.value - b.value));
  return rows.map((r) => [r.point, new Date(r.at).toISOString(), r.value, ...(r.verified ? [true] : [])]);
}

export interface ReportInputs {
  schema: string;
  enterprise: Enterprise;
  factorSet: string;
  /** The readings used, by the period (YYYY-MM) they were used for: the month and, for year-on-year, the month a year earlier. */
  readings: ReadonlyArray<{ period: string; readings: ReadingsByPoint }>;
  /** The enterprise's manual entries on record, corrections included, by id. */
  manualEntries: readonly ManualEntry[];
  /**
   * The stored days each declared energy baseline is fitted on, by baseline id; absent when the
   * enterprise declares none, so the hash of such a report is what it was before baselines.
   */
  baselineDays?: Readonly<Record<string, readonly DailyInput[]>>;
}

/** The canonical text of a report's inputs; its SHA-256 names them. */
function canonicalInputs(inputs: ReportInputs): string {
  return canonicalJson({
    schema: inputs.schema,
    enterprise: inputs.enterprise as unknown as Json,
    factorSet: inputs.factorSet,
    readings: Object.fromEntries(inputs.readings.map((r) => [r.period, readingRows(r.readings)])),
    manualEntries: [...inputs.manualEntries].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) as unknown as Json,
    ...(inputs.baselineDays ? { baselineDays: inputs.baselineDays as unknown as Json } : {}),
  });
}

/** SHA-256 (hex) of the canonical inputs: the same inputs give the same hash, byte for byte. */
export const inputsHash = (inputs: ReportInputs): string => createHash('sha256').update(canonicalInputs(inputs), 'utf8').digest('hex');
