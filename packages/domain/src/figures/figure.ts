import { sortFlags, type QualityFlag } from '../quality/quality-flag.ts';
import { COVERAGE_FACTOR_95, combineSum, expandedUncertainty } from '../uncertainty/gum.ts';
import { completenessPercent } from '../quality/completeness.ts';

/** What a reader needs to judge a figure. */
interface QualitySummary {
  flags: QualityFlag[];
  /** The part of `value` that is estimated rather than measured, in the figure's unit. */
  estimated: number;
  suspectIntervals: number;
  readingsOutsideCalibration: number;
  /** Readings that arrived for the period, at most one per expected (see completenessPercent); for aggregates the sum over the parts. */
  readingsReceived: number;
  /** Readings the period expects at the declared cadence; for aggregates the sum over the parts. */
  readingsExpected: number;
  /** Register rollovers in the intervals the figure used; for aggregates the sum over the parts. */
  rollovers: number;
}

/** Every published number: value, expanded uncertainty (k = 2), coverage, quality and factor set. */
export interface Figure {
  value: number;
  unit: string;
  /** U = k·u_c with k = 2 (about 95 %), in `unit`. */
  expandedUncertainty: number;
  coverageFactor: number;
  /** Energy coverage: share of the period's time backed by measured data, 0-100; for aggregates the lowest of their parts. */
  coveragePercent: number;
  /**
   * Data completeness: readings received ÷ readings expected at each point's declared cadence,
   * 0-100; for aggregates received and expected pooled over the parts.
   */
  completenessPercent: number;
  quality: QualitySummary;
  /** Factor set id (name@version) the figure was computed with. */
  factorSet: string;
}

/** A figure under construction: standard uncertainty instead of expanded. */
export interface Term {
  value: number;
  /** Standard uncertainty u, in the term's unit. */
  u: number;
  coverage: number;
  flags: Set<QualityFlag>;
  estimated: number;
  suspectIntervals: number;
  readingsOutsideCalibration: number;
  readingsReceived: number;
  readingsExpected: number;
  rollovers: number;
}

export function emptyTerm(): Term {
  return { value: 0, u: 0, coverage: 1, flags: new Set(), estimated: 0, suspectIntervals: 0, readingsOutsideCalibration: 0, readingsReceived: 0, readingsExpected: 0, rollovers: 0 };
}

/** Scales a term by a factor with a relative standard uncertainty (undefined = unknown, flagged). */
export function scaleTerm(t: Term, factor: number, factorRelativeU: number | undefined): Term {
  const value = t.value * factor;
  const rel = t.value === 0 ? 0 : t.u / Math.abs(t.value);
  const flags = new Set(t.flags);
  if (factorRelativeU === undefined && t.value !== 0) flags.add('factor-uncertainty-unknown');
  // Relative quadrature for a product (GUM 5.1.6); an exact zero keeps the absolute u scaled.
  const u = t.value === 0 ? t.u * Math.abs(factor) : Math.abs(value) * combineSum([rel, factorRelativeU ?? 0]);
  return { ...t, value, u, flags, estimated: t.estimated * factor };
}

/**
 * Adds independent terms with signs (+1 in, -1 out). Coverage is the lowest of the parts:
 * it is a share of time, and an aggregate's energy is no better bounded than its worst part's.
 * Completeness pools the readings instead (received and expected summed): it is a count, and
 * the regulator's ratio for a set of points is uploads ÷ uploads due over all of them, which
 * the lowest part would understate for one quiet meter among hundreds.
 */
export function sumTerms(parts: ReadonlyArray<{ term: Term; sign?: 1 | -1 }>): Term {
  // Nothing to add is an exact, fully covered zero (an enterprise without fuels has no scope 1).
  if (parts.length === 0) return emptyTerm();
  const flags = new Set<QualityFlag>();
  for (const p of parts) for (const f of p.term.flags) flags.add(f);
  return {
    value: parts.reduce((s, p) => s + (p.sign ?? 1) * p.term.value, 0),
    u: combineSum(parts.map((p) => p.term.u)),
    coverage: Math.min(...parts.map((p) => p.term.coverage)),
    flags,
    estimated: parts.reduce((s, p) => s + (p.sign ?? 1) * p.term.estimated, 0),
    suspectIntervals: parts.reduce((s, p) => s + p.term.suspectIntervals, 0),
    readingsOutsideCalibration: parts.reduce((s, p) => s + p.term.readingsOutsideCalibration, 0),
    readingsReceived: parts.reduce((s, p) => s + p.term.readingsReceived, 0),
    readingsExpected: parts.reduce((s, p) => s + p.term.readingsExpected, 0),
    rollovers: parts.reduce((s, p) => s + p.term.rollovers, 0),
  };
}

export function toFigure(t: Term, unit: string, factorSet: string): Figure {
  return {
    // No "-0" in reports (an empty export deduction is 0, not -0).
    value: t.value === 0 ? 0 : t.value,
    unit,
    expandedUncertainty: expandedUncertainty(t.u),
    coverageFactor: COVERAGE_FACTOR_95,
    coveragePercent: t.coverage * 100,
    completenessPercent: completenessPercent({ received: t.readingsReceived, expected: t.readingsExpected }),
    quality: {
      flags: sortFlags(t.flags),
      estimated: t.estimated,
      suspectIntervals: t.suspectIntervals,
      readingsOutsideCalibration: t.readingsOutsideCalibration,
      readingsReceived: t.readingsReceived,
      readingsExpected: t.readingsExpected,
      rollovers: t.rollovers,
    },
    factorSet,
  };
}
