import fc from 'fast-check';
import { expect, it } from 'vitest';
import { fitOls, INTERCEPT, lagOneAutocorrelation } from '../../src/index.ts';
import { HDD, PRODUCTION, RESIDUALS } from './worked-example.ts';

const y = PRODUCTION.map((p, i) => 100 + 2 * p + 3 * HDD[i]! + RESIDUALS[i]!);

it('fits the hand-worked two-variable example exactly (see worked-example.ts)', () => {
  const fit = fitOls(y, [{ name: 'production', values: PRODUCTION }, { name: 'hdd', values: HDD }]);
  if (!fit.ok) throw new Error(fit.error.message);
  const f = fit.value;
  expect(f.coefficients.map((c) => c.name)).toEqual([INTERCEPT, 'production', 'hdd']);
  // e ⟂ X, so b = (100, 2, 3) and the residuals are e.
  expect(f.coefficients[0]!.estimate).toBeCloseTo(100, 10);
  expect(f.coefficients[1]!.estimate).toBeCloseTo(2, 10);
  expect(f.coefficients[2]!.estimate).toBeCloseTo(3, 10);
  f.residuals.forEach((e, i) => expect(e).toBeCloseTo(RESIDUALS[i]!, 10));
  // SSE = 8 · 2² = 32, n − p = 8 − 3 = 5, s² = 32/5 = 6.4, s = √6.4 = 2.529822.
  expect(f.n).toBe(8);
  expect(f.p).toBe(3);
  expect(f.degreesOfFreedom).toBe(5);
  expect(f.sumOfSquaredErrors).toBeCloseTo(32, 10);
  expect(f.residualStandardError).toBeCloseTo(2.529822, 6);
  // Centred columns are orthogonal: var(b_P) = s²/Σ(P − P̄)² = 6.4/200 = 0.032, SE = 0.178885,
  // the same for H; t_P = 2/0.178885 = 11.1803, t_H = 3/0.178885 = 16.7705.
  // (XᵀX)⁻¹₀₀ = 1/n + P̄²/200 + H̄²/200 = 0.125 + 225/200 + 25/200 = 1.375, SE₀ = 2.529822·√1.375 = 2.966479.
  expect(f.xtxInverse[0]![0]).toBeCloseTo(1.375, 10);
  expect(f.xtxInverse[1]![1]).toBeCloseTo(1 / 200, 12);
  expect(f.xtxInverse[1]![2]).toBeCloseTo(0, 12);
  expect(f.coefficients[0]!.standardError).toBeCloseTo(2.966479, 6);
  expect(f.coefficients[1]!.standardError).toBeCloseTo(0.178885, 6);
  expect(f.coefficients[2]!.standardError).toBeCloseTo(0.178885, 6);
  expect(f.coefficients[1]!.t).toBeCloseTo(11.180340, 5);
  expect(f.coefficients[2]!.t).toBeCloseTo(16.770510, 5);
  // |t| = 11.18 with 5 degrees of freedom is far beyond t(0.9995, 5) = 6.869: p < 0.001.
  expect(f.coefficients[1]!.pValue).toBeLessThan(0.001);
  expect(f.coefficients[1]!.pValue).toBeGreaterThan(0);
  // ŷ − ȳ = 2(P − 15) + 3(H − 5) ∈ {−25, 5, −5, 25}, each twice: SSR = 2·(625 + 25 + 25 + 625) = 2600.
  // SST = SSR + SSE = 2632; R² = 2600/2632 = 0.987842; adjusted 1 − (32/2632)·(7/5) = 0.982979.
  expect(f.rSquared).toBeCloseTo(0.987842, 6);
  expect(f.adjustedRSquared).toBeCloseTo(0.982979, 6);
  // e = 2·(+ − − + − + + −): Σeₜeₜ₋₁ = 4·(−1 + 1 − 1 − 1 − 1 + 1 − 1) = −12, Σe² = 32, ρ = −0.375.
  expect(f.residualAutocorrelation).toBeCloseTo(-0.375, 12);
});

it('refuses a constant regressor naming it, rather than returning NaN', () => {
  const fit = fitOls(y, [{ name: 'production', values: PRODUCTION }, { name: 'workingDay', values: PRODUCTION.map(() => 1) }]);
  expect(fit.ok).toBe(false);
  if (fit.ok) return;
  expect(fit.error.code).toBe('MTL_MINING_SINGULAR_DESIGN');
  expect(fit.error.variable).toBe('workingDay');
});

it('refuses a regressor that is a linear combination of the others, naming it', () => {
  const fit = fitOls(y, [
    { name: 'production', values: PRODUCTION },
    { name: 'hdd', values: HDD },
    { name: 'shifted', values: PRODUCTION.map((p, i) => 2 * p - HDD[i]! + 7) },
  ]);
  expect(fit.ok).toBe(false);
  if (!fit.ok) expect(fit.error).toMatchObject({ code: 'MTL_MINING_SINGULAR_DESIGN', variable: 'shifted' });
});

it('refuses a fit without a residual degree of freedom, and values that are not finite', () => {
  const tooFew = fitOls([1, 2, 3], [{ name: 'a', values: [1, 2, 4] }, { name: 'b', values: [0, 1, 0] }]);
  expect(!tooFew.ok && tooFew.error.code).toBe('MTL_MINING_TOO_FEW_OBSERVATIONS');
  const notFinite = fitOls([1, 2, 3, 4], [{ name: 'a', values: [1, Number.NaN, 3, 5] }]);
  expect(!notFinite.ok && notFinite.error).toMatchObject({ code: 'MTL_MINING_INVALID_INPUT', variable: 'a' });
});

it('is exact on a large offset where the normal equations lose digits', () => {
  // x around 1e6: XᵀX has entries near 1e13 and a condition number near 1e13; QR works on X.
  const x = [1e6, 1e6 + 1, 1e6 + 2, 1e6 + 3, 1e6 + 4];
  const e = [1, -1, 0, -1, 1]; // Σe = 0, Σ(x − x̄)e = −2 + 1 + 0 − 1 + 2 = 0
  const fit = fitOls(x.map((v, i) => 5 + 0.5 * v + e[i]!), [{ name: 'x', values: x }]);
  if (!fit.ok) throw new Error(fit.error.message);
  expect(fit.value.coefficients[1]!.estimate).toBeCloseTo(0.5, 8);
  expect(fit.value.sumOfSquaredErrors).toBeCloseTo(4, 6);
});

it('recovers any plane when the residuals are orthogonal to the regressors (property)', () => {
  const n = 12;
  fc.assert(
    fc.property(
      fc.tuple(fc.double({ min: -50, max: 50, noNaN: true }), fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: -5, max: 5, noNaN: true })),
      fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: n, maxLength: n }),
      ([b0, b1, b2], noise) => {
        const x1 = Array.from({ length: n }, (_, i) => i);
        const x2 = Array.from({ length: n }, (_, i) => (i * i) % 7);
        // Project the noise off span{1, x1, x2} by a first fit, so the true residuals are known.
        const projection = fitOls(noise, [{ name: 'x1', values: x1 }, { name: 'x2', values: x2 }]);
        if (!projection.ok) throw new Error(projection.error.message);
        const e = projection.value.residuals;
        const fit = fitOls(x1.map((v, i) => b0 + b1 * v + b2 * x2[i]! + e[i]!), [{ name: 'x1', values: x1 }, { name: 'x2', values: x2 }]);
        if (!fit.ok) throw new Error(fit.error.message);
        expect(fit.value.coefficients[0]!.estimate).toBeCloseTo(b0, 7);
        expect(fit.value.coefficients[1]!.estimate).toBeCloseTo(b1, 7);
        expect(fit.value.coefficients[2]!.estimate).toBeCloseTo(b2, 7);
        expect(fit.value.residuals.reduce((s, r) => s + r, 0)).toBeCloseTo(0, 8);
      },
    ),
  );
});

it('reads the lag-1 autocorrelation of a perfect fit as 0', () => {
  expect(lagOneAutocorrelation([0, 0, 0])).toBe(0);
  expect(lagOneAutocorrelation([1, 1, 1, 1])).toBeCloseTo(0.75, 12);
});
