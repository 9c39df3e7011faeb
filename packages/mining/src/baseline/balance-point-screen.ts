import type { BalancePoints } from './candidate-search.ts';
import { coolingDegreeDays, heatingDegreeDays } from './degree-days.ts';
import { twoSidedCriticalT } from './student-t.ts';

/** The days a screen runs on, as columns: energy, mean temperature, and the fixed regressors. */
export interface ScreenColumns {
  energy: readonly number[];
  temperature: readonly number[];
  /** Regressors in every candidate (production, working day), each a column. */
  fixed: readonly (readonly number[])[];
}

export interface ScreenResult {
  /** The qualified candidate with the highest adjusted R²; both null: none beat the model without degree days. */
  best: BalancePoints;
  adjustedRSquared: number;
  tried: number;
  qualified: number;
}

/**
 * Screens degree-day candidates for the balance-point search: each candidate's OLS by its
 * normal equations (XᵀX β = Xᵀy, Cholesky), enough to rank by adjusted R² and to check that
 * its degree-day coefficients are positive with p below `pValueMax`, at a fraction of the
 * cost of a full fit (the cross-products of the intercept and the fixed regressors are
 * computed once). The winner is fitted again in full (QR, statistics, verdict) by the
 * caller: the screen only chooses, it reports nothing. The model without degree days is
 * the one to beat.
 */
export function screenBalancePoints(columns: ScreenColumns, candidates: readonly BalancePoints[], pValueMax: number): ScreenResult {
  const n = columns.energy.length;
  const base = [Array.from({ length: n }, () => 1), ...columns.fixed];
  const y = columns.energy;
  const dot = (a: readonly number[], b: readonly number[]) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
    return s;
  };
  const baseGram = base.map((a) => base.map((b) => dot(a, b)));
  const baseY = base.map((a) => dot(a, y));
  const yy = dot(y, y);
  const mean = baseY[0]! / n;
  const sst = yy - n * mean * mean;

  const withoutDegreeDays = solve(baseGram, baseY, yy);
  let best: ScreenResult['best'] = { heating: null, cooling: null };
  let bestAdjusted = withoutDegreeDays ? adjusted(withoutDegreeDays.sse, n, base.length, sst) : -Infinity;
  let qualified = 0;
  // A degree-day column with its cross-products with the base columns, y and itself: computed once per balance point, not per candidate.
  const cache = new Map<string, { values: number[]; withBase: number[]; withY: number; self: number }>();
  const column = (kind: 'h' | 'c', bp: number) => {
    const key = `${kind}${bp}`;
    let stats = cache.get(key);
    if (!stats) {
      const values = columns.temperature.map((t) => (kind === 'h' ? heatingDegreeDays(t, bp) : coolingDegreeDays(t, bp)));
      cache.set(key, (stats = { values, withBase: base.map((b) => dot(values, b)), withY: dot(values, y), self: dot(values, values) }));
    }
    return stats;
  };
  for (const candidate of candidates) {
    const added = [...(candidate.heating !== null ? [column('h', candidate.heating)] : []), ...(candidate.cooling !== null ? [column('c', candidate.cooling)] : [])];
    if (added.length === 0) continue;
    // The Gram matrix grown by the degree-day columns: [base | added] × [base | added].
    const q = base.length;
    const p = q + added.length;
    const gram = Array.from({ length: p }, (_, i) =>
      Array.from({ length: p }, (_, j) => {
        if (i < q && j < q) return baseGram[i]![j]!;
        if (i < q) return added[j - q]!.withBase[i]!;
        if (j < q) return added[i - q]!.withBase[j]!;
        // HDD below h and CDD above c ≥ h are never both above zero on a day: their product is 0, computed anyway for any grid.
        return i === j ? added[i - q]!.self : dot(added[i - q]!.values, added[j - q]!.values);
      }),
    );
    const xy = [...baseY, ...added.map((a) => a.withY)];
    const fit = solve(gram, xy, yy);
    if (!fit) continue;
    const s2 = fit.sse / (n - p);
    // p < pValueMax ⇔ t above the critical t of that two-sided level (cached): no p-value per candidate.
    const tCritical = twoSidedCriticalT(1 - pValueMax, n - p);
    const ok = added.every((_, k) => {
      const j = q + k;
      const estimate = fit.beta[j]!;
      return estimate > 0 && estimate / Math.sqrt(s2 * fit.inverseDiagonal[j]!) > tCritical;
    });
    if (!ok) continue;
    qualified++;
    const value = adjusted(fit.sse, n, p, sst);
    if (value > bestAdjusted) {
      bestAdjusted = value;
      best = candidate;
    }
  }
  return { best, adjustedRSquared: bestAdjusted, tried: candidates.length, qualified };
}

const adjusted = (sse: number, n: number, p: number, sst: number) => 1 - (sse / (n - p)) / (sst / (n - 1));

/** β, SSE and diag((XᵀX)⁻¹) from the normal equations by Cholesky; undefined when XᵀX is not positive definite (a singular design). */
function solve(gram: readonly (readonly number[])[], xy: readonly number[], yy: number): { beta: number[]; sse: number; inverseDiagonal: number[] } | undefined {
  const p = gram.length;
  const L = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = gram[i]![j]!;
      for (let k = 0; k < j; k++) s -= L[i]![k]! * L[j]![k]!;
      if (i === j) {
        // Relative to the diagonal: a column that is (nearly) a combination of the others.
        if (!(s > 1e-10 * gram[i]![i]!)) return undefined;
        L[i]![i] = Math.sqrt(s);
      } else L[i]![j] = s / L[j]![j]!;
    }
  }
  const forward = (b: readonly number[]) => {
    const z = new Array<number>(p);
    for (let i = 0; i < p; i++) {
      let s = b[i]!;
      for (let k = 0; k < i; k++) s -= L[i]![k]! * z[k]!;
      z[i] = s / L[i]![i]!;
    }
    return z;
  };
  const backward = (z: readonly number[]) => {
    const x = new Array<number>(p);
    for (let i = p - 1; i >= 0; i--) {
      let s = z[i]!;
      for (let k = i + 1; k < p; k++) s -= L[k]![i]! * x[k]!;
      x[i] = s / L[i]![i]!;
    }
    return x;
  };
  const beta = backward(forward(xy));
  const sse = Math.max(0, yy - beta.reduce((s, b, i) => s + b * xy[i]!, 0));
  const inverseDiagonal = Array.from({ length: p }, (_, j) => {
    const e = new Array<number>(p).fill(0);
    e[j] = 1;
    return backward(forward(e))[j]!;
  });
  return { beta, sse, inverseDiagonal };
}
