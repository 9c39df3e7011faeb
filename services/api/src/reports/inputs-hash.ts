import { createHash } from 'node:crypto';
import type { Enterprise } from '@meterline/domain';
import type { ReadingsByPoint } from './report-readings.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };

/**
 * JSON Canonicalization Scheme (RFC 8785): object members sorted by their UTF-16 code
 * units, no whitespace, numbers and strings as ECMAScript serialises them (which is what
 * RFC 8785 prescribes). Members whose value is undefined are left out, as JSON.stringify does.
 */
function canonicalJson(value: Json): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`not a JSON number: ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const members = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] as Json)}`);
  return `{${members.join(',')}}`;
}

/** Readings used, as [point, instant (ISO 8601, UTC, ms), value] sorted by point, instant, value. */
function readingRows(readings: ReadingsByPoint): Json[] {
  const rows = [...readings].flatMap(([point, list]) => list.map((r) => ({ point, at: r.at, value: r.value })));
  rows.sort((a, b) => (a.point < b.point ? -1 : a.point > b.point ? 1 : a.at - b.at || a.value - b.value));
  return rows.map((r) => [r.point, new Date(r.at).toISOString(), r.value]);
}

export interface ReportInputs {
  schema: string;
  enterprise: Enterprise;
  factorSet: string;
  /** The readings used, by the period (YYYY-MM) they were used for: the month and, for year-on-year, the month a year earlier. */
  readings: ReadonlyArray<{ period: string; readings: ReadingsByPoint }>;
}

/** The canonical text of a report's inputs; its SHA-256 names them. */
function canonicalInputs(inputs: ReportInputs): string {
  return canonicalJson({
    schema: inputs.schema,
    enterprise: inputs.enterprise as unknown as Json,
    factorSet: inputs.factorSet,
    readings: Object.fromEntries(inputs.readings.map((r) => [r.period, readingRows(r.readings)])),
  });
}

/** SHA-256 (hex) of the canonical inputs: the same inputs give the same hash, byte for byte. */
export const inputsHash = (inputs: ReportInputs): string => createHash('sha256').update(canonicalInputs(inputs), 'utf8').digest('hex');
