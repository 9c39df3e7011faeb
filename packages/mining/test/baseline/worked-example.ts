import type { Observation } from '../../src/index.ts';

/**
 * The hand-worked baseline: 8 days, energy on production P and heating degree days H.
 *
 *   P = 10 10 20 20 10 10 20 20      (mean 15, Σ(P − 15)² = 8 · 25 = 200)
 *   H =  0 10  0 10  0 10  0 10      (mean  5, Σ(H −  5)² = 8 · 25 = 200)
 *   e = +2 −2 −2 +2 −2 +2 +2 −2      (Σe = 0, ΣP·e = 0, ΣH·e = 0: orthogonal to 1, P and H)
 *   y = 100 + 2·P + 3·H + e
 *
 * Because e is orthogonal to every column of X, OLS returns exactly b = (100, 2, 3) and the
 * residuals are e. P and H are balanced (each pair occurs twice), so the centred columns are
 * orthogonal to each other and to the intercept.
 */
export const PRODUCTION = [10, 10, 20, 20, 10, 10, 20, 20];
export const HDD = [0, 10, 0, 10, 0, 10, 0, 10];
export const RESIDUALS = [2, -2, -2, 2, -2, 2, 2, -2];
export const DAY_MS = 86_400_000;
const START_MS = Date.UTC(2026, 0, 5);

export function workedExample(residualScale = 1, energyU = 0): Observation[] {
  return PRODUCTION.map((p, i) => ({
    startMs: START_MS + i * DAY_MS,
    energy: 100 + 2 * p + 3 * HDD[i]! + residualScale * RESIDUALS[i]!,
    energyU,
    vars: { production: p, hdd: HDD[i]! },
  }));
}
