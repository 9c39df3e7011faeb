import fc from 'fast-check';
import { expect, it } from 'vitest';
import { regularizedIncompleteBeta, studentTCdf, studentTQuantile, twoSidedCriticalT, twoSidedPValue } from '../../src/index.ts';

it('gives the quantiles of the printed t tables (two-sided 95 % and one-sided 95 %)', () => {
  // Table values to three decimals, as printed in any statistics text.
  expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.228, 3);
  expect(studentTQuantile(0.95, 5)).toBeCloseTo(2.015, 3);
  expect(studentTQuantile(0.975, 5)).toBeCloseTo(2.571, 3);
  expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.706, 3);
  expect(studentTQuantile(0.995, 20)).toBeCloseTo(2.845, 3);
  expect(studentTQuantile(0.975, 120)).toBeCloseTo(1.98, 2);
  expect(studentTQuantile(0.975, Infinity)).toBeCloseTo(1.96, 3);
  expect(studentTQuantile(0.025, 10)).toBeCloseTo(-2.228, 3);
  expect(twoSidedCriticalT(0.95, 10)).toBeCloseTo(2.228, 3);
});

it('matches the closed forms for one and two degrees of freedom', () => {
  // ν = 1 is the Cauchy distribution: F(t) = ½ + atan(t)/π, so F(1) = 0.75.
  expect(studentTCdf(1, 1)).toBeCloseTo(0.75, 12);
  // ν = 2: F(t) = ½ + t / (2√(2 + t²)); F(2) = ½ + 1/√6.
  expect(studentTCdf(2, 2)).toBeCloseTo(0.5 + 1 / Math.sqrt(6), 12);
  expect(studentTCdf(0, 7)).toBe(0.5);
  // The normal distribution: Φ(1.959964) = 0.975, Φ(−1) = 0.158655.
  expect(studentTCdf(1.959964, Infinity)).toBeCloseTo(0.975, 6);
  expect(studentTCdf(-1, Infinity)).toBeCloseTo(0.158655, 6);
});

it('gives two-sided p-values: P(|T| ≥ 2.228) = 0.05 with 10 degrees of freedom', () => {
  expect(twoSidedPValue(2.228139, 10)).toBeCloseTo(0.05, 5);
  expect(twoSidedPValue(-2.228139, 10)).toBeCloseTo(0.05, 5);
  expect(twoSidedPValue(0, 10)).toBe(1);
  expect(twoSidedPValue(Infinity, 10)).toBe(0);
  expect(twoSidedPValue(1.959964, Infinity)).toBeCloseTo(0.05, 6);
});

it('has I_x(a, 1) = xᵃ and I_x(1, b) = 1 − (1 − x)ᵇ', () => {
  expect(regularizedIncompleteBeta(0.3, 2.5, 1)).toBeCloseTo(0.3 ** 2.5, 12);
  expect(regularizedIncompleteBeta(0.3, 1, 4)).toBeCloseTo(1 - 0.7 ** 4, 12);
});

it('refuses degrees of freedom that are not above zero and probabilities outside (0, 1)', () => {
  expect(() => studentTCdf(1, 0)).toThrow(RangeError);
  expect(() => studentTQuantile(1, 5)).toThrow(RangeError);
});

it('inverts its CDF: CDF(quantile(p)) = p, and the CDF is symmetric', () => {
  fc.assert(
    fc.property(fc.double({ min: 0.001, max: 0.999, noNaN: true }), fc.double({ min: 0.5, max: 500, noNaN: true }), (p, nu) => {
      expect(studentTCdf(studentTQuantile(p, nu), nu)).toBeCloseTo(p, 8);
      const t = studentTQuantile(p, nu);
      expect(studentTCdf(t, nu) + studentTCdf(-t, nu)).toBeCloseTo(1, 10);
    }),
  );
});
