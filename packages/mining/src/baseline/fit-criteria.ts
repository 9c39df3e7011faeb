import criteriaFile from './reference/ashrae-guideline-14-criteria.json' with { type: 'json' };

export type Granularity = 'hourly' | 'daily' | 'monthly';

interface CriterionSource {
  standard: string;
  edition: string | null;
  clause: string | null;
  clauseVerified: boolean;
}

interface Criterion {
  value: number;
  /** True when the number is common practice, not the cited standard's requirement. */
  convention: boolean;
  source: CriterionSource;
  note: string;
}

interface GranularityCriteria {
  cvRmsePercentMax: Criterion;
  nmbeAbsPercentMax: Criterion;
  rSquaredMin: Criterion;
}

export interface FitCriteria {
  id: string;
  version: string;
  granularities: Record<Granularity, GranularityCriteria>;
  savingsUncertainty: { maxFractionOfSavings: Criterion; confidenceLevel: Criterion };
}

/** The criteria shipped with Meterline (reference/ashrae-guideline-14-criteria.json). */
export const ASHRAE_GUIDELINE_14_CRITERIA: FitCriteria = criteriaFile;

/**
 * Goodness-of-fit indices after ASHRAE Guideline 14-2014 (statistical indices of a baseline
 * model), in percent, with n − p in the denominators:
 *   CV(RMSE) = 100 · √(Σ(yᵢ − ŷᵢ)² / (n − p)) / ȳ
 *   NMBE     = 100 · Σ(yᵢ − ŷᵢ) / ((n − p) · ȳ)
 * An OLS fit with an intercept has Σ(yᵢ − ŷᵢ) = 0 on its own data, so its NMBE is zero up to
 * rounding; the index matters for data the model was not fitted to.
 */
export interface FitStatistics {
  cvRmsePercent: number;
  nmbePercent: number;
  rSquared: number | null;
  n: number;
  p: number;
  meanActual: number;
}

export function fitStatistics(actual: readonly number[], predicted: readonly number[], p: number, rSquared: number | null): FitStatistics {
  const n = actual.length;
  const meanActual = actual.reduce((s, v) => s + v, 0) / n;
  let sse = 0;
  let sumError = 0;
  for (let i = 0; i < n; i++) {
    const e = actual[i]! - predicted[i]!;
    sse += e * e;
    sumError += e;
  }
  return {
    cvRmsePercent: (100 * Math.sqrt(sse / (n - p))) / meanActual,
    nmbePercent: (100 * sumError) / ((n - p) * meanActual),
    rSquared,
    n,
    p,
    meanActual,
  };
}

type CriterionName = 'cv-rmse' | 'nmbe' | 'r-squared';

interface FailedCriterion {
  criterion: CriterionName;
  value: number | null;
  limit: number;
  /** How the value must stand to the limit to pass. */
  requirement: '≤' | '|x| ≤' | '≥';
  convention: boolean;
  source: CriterionSource;
  explanation: string;
}

export interface FitVerdict {
  passed: boolean;
  granularity: Granularity;
  criteriaId: string;
  criteriaVersion: string;
  failures: FailedCriterion[];
}

/** Judges a fit against the criteria for its data granularity; each failure names its value, limit and source. */
export function judgeFit(stats: FitStatistics, granularity: Granularity, criteria: FitCriteria = ASHRAE_GUIDELINE_14_CRITERIA): FitVerdict {
  const c = criteria.granularities[granularity];
  const failures: FailedCriterion[] = [];
  const fail = (criterion: CriterionName, value: number | null, limit: Criterion, requirement: FailedCriterion['requirement'], explanation: string): void => {
    failures.push({ criterion, value, limit: limit.value, requirement, convention: limit.convention, source: limit.source, explanation });
  };
  const cv = stats.cvRmsePercent;
  if (!(cv <= c.cvRmsePercentMax.value)) {
    fail('cv-rmse', Number.isFinite(cv) ? cv : null, c.cvRmsePercentMax, '≤', `CV(RMSE) ${formatValue(cv)} % exceeds ${c.cvRmsePercentMax.value} %`);
  }
  const nmbe = stats.nmbePercent;
  if (!(Math.abs(nmbe) <= c.nmbeAbsPercentMax.value)) {
    fail('nmbe', Number.isFinite(nmbe) ? nmbe : null, c.nmbeAbsPercentMax, '|x| ≤', `NMBE ${formatValue(nmbe)} % is outside ±${c.nmbeAbsPercentMax.value} %`);
  }
  // An intercept-only model explains no variance by construction (R² = 0): R² says nothing
  // about it, so only CV(RMSE) and NMBE judge it.
  if (stats.p === 1) {
    // not judged
  } else if (stats.rSquared === null) {
    fail('r-squared', null, c.rSquaredMin, '≥', 'R² is undefined: the energy does not vary over the baseline period');
  } else if (!(stats.rSquared >= c.rSquaredMin.value)) {
    fail('r-squared', stats.rSquared, c.rSquaredMin, '≥', `R² ${stats.rSquared.toFixed(3)} is below ${c.rSquaredMin.value}`);
  }
  return { passed: failures.length === 0, granularity, criteriaId: criteria.id, criteriaVersion: criteria.version, failures };
}

function formatValue(v: number): string {
  return Number.isFinite(v) ? v.toFixed(2) : 'undefined (mean energy is zero)';
}
