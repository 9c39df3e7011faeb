import { sortFlags, type QualityFlag } from '../quality/quality-flag.ts';
import { COVERAGE_FACTOR_95, combineSum, expandedUncertainty } from '../uncertainty/gum.ts';

/** What a reader needs to judge a figure. */
interface QualitySummary {
  flags: QualityFlag[];
  /** The part of `value` that is estimated rather than measured, in the figure's unit. */
  estimated: number;
  suspectIntervals: number;
  readingsOutsideCalibration: number;
}

/** Every published number: value, expanded uncertainty (k = 2), coverage, quality and factor set. */
export interface Figure {
  value: number;
  unit: string;
  /** U = k·u_c with k = 2 (about 95 %), in `unit`. */
  expandedUncertainty: number;
  coverageFactor: number;
  /** Share of the period's time backed by measured data, 0-100; for aggregates the lowest of their parts. */
  coveragePercent: number;
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
}

export function emptyTerm(): Term {
  return { value: 0, u: 0, coverage: 1, flags: new Set(), estimated: 0, suspectIntervals: 0, readingsOutsideCalibration: 0 };
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
 * an aggregate is no better covered than its worst-covered input.
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
    quality: {
      flags: sortFlags(t.flags),
      estimated: t.estimated,
      suspectIntervals: t.suspectIntervals,
      readingsOutsideCalibration: t.readingsOutsideCalibration,
    },
    factorSet,
  };
}
