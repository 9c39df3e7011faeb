import { failure, type Result } from './errors.ts';
import { twoSidedPValue } from './student-t.ts';

/** The name the intercept's coefficient is reported under. */
export const INTERCEPT = 'intercept';

export interface Regressor {
  name: string;
  values: readonly number[];
}

export interface Coefficient {
  name: string;
  estimate: number;
  standardError: number;
  t: number;
  /** Two-sided: P(|T| ≥ |t|) with n − p degrees of freedom. */
  pValue: number;
}

export interface OlsFit {
  /** Intercept first, then the regressors in the order given. */
  coefficients: Coefficient[];
  n: number;
  /** Number of parameters, intercept included. */
  p: number;
  degreesOfFreedom: number;
  /** Residual standard error s = √(SSE / (n − p)). */
  residualStandardError: number;
  sumOfSquaredErrors: number;
  /** (XᵀX)⁻¹, rows and columns in coefficient order; s²·(XᵀX)⁻¹ is the coefficients' covariance. */
  xtxInverse: number[][];
  /** Null when y does not vary (R² is then undefined). */
  rSquared: number | null;
  adjustedRSquared: number | null;
  /** Lag-1 autocorrelation of the residuals in observation order: Σeₜeₜ₋₁ / Σeₜ² (0 for a perfect fit). */
  residualAutocorrelation: number;
  fitted: number[];
  residuals: number[];
}

/** Relative size below which a column is taken as lying in the span of the columns before it. */
const RANK_TOLERANCE = 1e-10;

/**
 * Ordinary least squares with an intercept, solved by Householder QR of the design matrix X
 * (never by inverting XᵀX, whose condition number is the square of X's). A column whose
 * remaining norm after the reflections of the columns before it is below 1e-10 of its own
 * norm is a linear combination of them (a constant regressor is one of the intercept): the
 * fit is refused naming it, rather than returning NaN or a huge coefficient.
 */
export function fitOls(y: readonly number[], regressors: readonly Regressor[]): Result<OlsFit> {
  const n = y.length;
  const names = [INTERCEPT, ...regressors.map((r) => r.name)];
  const p = names.length;
  if (n < p + 1) return failure('MTL_MINING_TOO_FEW_OBSERVATIONS', `${n} observations for ${p} parameters: at least ${p + 1} needed`);
  if (y.some((v) => !Number.isFinite(v))) return failure('MTL_MINING_INVALID_INPUT', 'the dependent variable has a value that is not a finite number', 'energy');
  for (const r of regressors) {
    if (r.values.length !== n) return failure('MTL_MINING_INVALID_INPUT', `regressor ${r.name} has ${r.values.length} values for ${n} observations`, r.name);
    if (r.values.some((v) => !Number.isFinite(v))) return failure('MTL_MINING_INVALID_INPUT', `regressor ${r.name} has a value that is not a finite number`, r.name);
  }

  // Column-major copy of X; Householder reflections overwrite it with R and apply to qty = Qᵀy.
  const columns = [new Array<number>(n).fill(1), ...regressors.map((r) => [...r.values])];
  const qty = [...y];
  const r: number[][] = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let j = 0; j < p; j++) {
    const col = columns[j]!;
    const originalNorm = euclideanNorm(col);
    const norm = euclideanNorm(col.slice(j));
    if (originalNorm === 0 || norm <= RANK_TOLERANCE * originalNorm) {
      return failure('MTL_MINING_SINGULAR_DESIGN', `regressor ${names[j]} is constant or a linear combination of the intercept and the regressors before it`, names[j]);
    }
    const alpha = col[j]! > 0 ? -norm : norm;
    const v = col.slice(j);
    v[0]! -= alpha;
    const vNorm2 = v.reduce((s, x) => s + x * x, 0);
    const reflect = (target: number[]): void => {
      let dot = 0;
      for (let i = j; i < n; i++) dot += v[i - j]! * target[i]!;
      const f = (2 * dot) / vNorm2;
      for (let i = j; i < n; i++) target[i]! -= f * v[i - j]!;
    };
    for (let k = j; k < p; k++) reflect(columns[k]!);
    reflect(qty);
    for (let k = j; k < p; k++) r[j]![k] = columns[k]![j]!;
  }

  const rInverse = invertUpperTriangular(r);
  const beta = names.map((_, i) => rInverse[i]!.reduce((s, x, k) => s + x * qty[k]!, 0));
  // (XᵀX)⁻¹ = (RᵀR)⁻¹ = R⁻¹R⁻ᵀ.
  const xtxInverse = names.map((_, i) => names.map((_, k) => rInverse[i]!.reduce((s, x, m) => s + x * rInverse[k]![m]!, 0)));

  const fitted = y.map((_, i) => beta[0]! + regressors.reduce((s, reg, k) => s + beta[k + 1]! * reg.values[i]!, 0));
  const residuals = y.map((v, i) => v - fitted[i]!);
  const sse = residuals.reduce((s, e) => s + e * e, 0);
  const degreesOfFreedom = n - p;
  const s = Math.sqrt(sse / degreesOfFreedom);
  const mean = y.reduce((a, v) => a + v, 0) / n;
  const sst = y.reduce((a, v) => a + (v - mean) ** 2, 0);
  const rSquared = sst > 0 ? 1 - sse / sst : null;

  const coefficients = names.map((name, i): Coefficient => {
    const estimate = beta[i]!;
    const standardError = s * Math.sqrt(xtxInverse[i]![i]!);
    const t = standardError > 0 ? estimate / standardError : estimate === 0 ? 0 : Math.sign(estimate) * Infinity;
    return { name, estimate, standardError, t, pValue: twoSidedPValue(t, degreesOfFreedom) };
  });

  return {
    ok: true,
    value: {
      coefficients,
      n,
      p,
      degreesOfFreedom,
      residualStandardError: s,
      sumOfSquaredErrors: sse,
      xtxInverse,
      rSquared,
      adjustedRSquared: rSquared === null ? null : 1 - ((1 - rSquared) * (n - 1)) / degreesOfFreedom,
      residualAutocorrelation: lagOneAutocorrelation(residuals),
      fitted,
      residuals,
    },
  };
}

/** Σeₜeₜ₋₁ / Σeₜ², the usual estimator of the lag-1 autocorrelation of mean-zero residuals. */
export function lagOneAutocorrelation(residuals: readonly number[]): number {
  const denominator = residuals.reduce((s, e) => s + e * e, 0);
  if (denominator === 0) return 0;
  let numerator = 0;
  for (let i = 1; i < residuals.length; i++) numerator += residuals[i]! * residuals[i - 1]!;
  return numerator / denominator;
}

function invertUpperTriangular(r: readonly (readonly number[])[]): number[][] {
  const p = r.length;
  const inv: number[][] = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let j = p - 1; j >= 0; j--) {
    inv[j]![j] = 1 / r[j]![j]!;
    for (let i = j - 1; i >= 0; i--) {
      let s = 0;
      for (let k = i + 1; k <= j; k++) s += r[i]![k]! * inv[k]![j]!;
      inv[i]![j] = -s / r[i]![i]!;
    }
  }
  return inv;
}

function euclideanNorm(values: readonly number[]): number {
  return Math.sqrt(values.reduce((s, x) => s + x * x, 0));
}
