import type { MonthlyReport } from '../report-schema.ts';

export type Figure = MonthlyReport['energy']['comprehensive']['tceEquivalent'];

// One formatter per precision (Intl.NumberFormat is costly to build).
const formats = new Map<number, Intl.NumberFormat>();
/** A number with thousands separators and exactly `digits` decimals, as the CLI's table prints it. */
export function num(value: number, digits: number): string {
  let f = formats.get(digits);
  if (!f) formats.set(digits, (f = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })));
  return f.format(value);
}

/**
 * Decimals that show the expanded uncertainty to two significant digits (GUM 7.2.6: U with
 * at most two), the value to the same decimal; between 0 and 6, and 3 for an exact figure.
 */
export function digitsFor(expandedUncertainty: number): number {
  if (!(expandedUncertainty > 0)) return 3;
  return Math.min(6, Math.max(0, 1 - Math.floor(Math.log10(expandedUncertainty))));
}

/** "no data" for a figure no reading bounds any of (0 % coverage, value 0), as the CLI's table says: a 0 ± 0 would read as a measured zero. */
export const isNoData = (f: Figure): boolean => f.coveragePercent === 0 && f.value === 0;

/** "61.45 ± 0.36 tce", "no data", or "—" for a figure that does not apply. */
export function formatFigure(f: Figure | null, withUnit = true): string {
  if (!f) return '—';
  if (isNoData(f)) return 'no data';
  const digits = digitsFor(f.expandedUncertainty);
  return `${num(f.value, digits)} ± ${num(f.expandedUncertainty, digits)}${withUnit ? ` ${f.unit}` : ''}`;
}

export const formatPercent = (percent: number | null): string => (percent === null ? '—' : `${num(percent, 1)} %`);
