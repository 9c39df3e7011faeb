/**
 * Uncertainty propagation after the GUM (JCGM 100:2008 = JJF 1059.1-2012).
 * All functions are first-order (law of propagation of uncertainty, GUM 5.1.2) and assume
 * independent inputs; callers must not combine correlated quantities with them.
 */

/** Coverage factor for an expanded uncertainty of about 95 % (GUM 6.3). */
export const COVERAGE_FACTOR_95 = 2;

/**
 * A maximum permissible error ±a read as a rectangular distribution has standard
 * uncertainty a/√3 (GUM 4.3.7). The accuracy class is a in percent, so class 0.5 gives a
 * relative standard uncertainty of 0.5 % / √3 = 0.2887 %.
 */
export function relativeUncertaintyFromAccuracyClass(accuracyClassPercent: number): number {
  return accuracyClassPercent / 100 / Math.sqrt(3);
}

/** u(Σxᵢ) = √Σu(xᵢ)² for independent terms (GUM 5.1.2 with unit sensitivity coefficients). */
export function combineSum(standardUncertainties: readonly number[]): number {
  return Math.sqrt(standardUncertainties.reduce((s, u) => s + u * u, 0));
}

/** U = k·u_c (GUM 6.2.1), k = 2 by default. */
export function expandedUncertainty(standardUncertainty: number, k: number = COVERAGE_FACTOR_95): number {
  return k * standardUncertainty;
}

/**
 * An estimate whose true value could lie anywhere between 0 and twice itself is read as a
 * rectangular distribution with half-width equal to the estimate: u = E/√3. Used for
 * estimated consumption (gap filling), so a figure with more estimate is less certain.
 */
export function estimateStandardUncertainty(estimate: number): number {
  return Math.abs(estimate) / Math.sqrt(3);
}
