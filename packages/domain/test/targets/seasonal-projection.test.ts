import { expect, it } from 'vitest';
import { projectYear, type Measured } from '../../src/index.ts';

const previous = (values: readonly number[]): Map<number, number> => new Map(values.map((v, i) => [i + 1, v]));

it('projects over the share the months counted carried, even with a month between them missing (issue 16)', () => {
  // Previous year: 100 a month except 200 in July and August, Σ = 10 × 100 + 2 × 200 = 1400.
  // Counted: January 110 and March 132 (February missing), u 0. Their previous share: (100 + 100) / 1400 = 1/7.
  // Projection 242 × 7 = 1694. g = 242 / 200 = 1.21; residuals 110 − 121 = −11, 132 − 121 = 11;
  // σ² = (121/100 + 121/100) / 1 = 2.42; u² = 2.42 × (1400 − 200) × 1400 / 200 = 20 328, u = 142.576
  const counted = new Map<number, Measured>([[1, { value: 110, u: 0 }], [3, { value: 132, u: 0 }]]);
  const p = projectYear(counted, previous([100, 100, 100, 100, 100, 100, 200, 200, 100, 100, 100, 100]));
  expect(p.profile).toBe('previous-year');
  expect(p.share).toBeCloseTo(1 / 7, 12);
  expect(p.value).toBeCloseTo(1694, 9);
  expect(p.uMeasurement).toBe(0);
  expect(p.uProfile).toBeCloseTo(142.576, 3);
});

it('does not take a previous year with a month at zero as the profile (issue 16)', () => {
  const counted = new Map<number, Measured>([[1, { value: 10, u: 0 }], [2, { value: 10, u: 0 }]]);
  const p = projectYear(counted, previous([100, 0, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100]));
  // Uniform: 20 / (2/12) = 120; equal months leave no scatter.
  expect(p.profile).toBe('uniform');
  expect(p.profileNote).toBe('the previous year is not above zero in month 2: uniform profile');
  expect(p.value).toBeCloseTo(120, 9);
  expect(p.uProfile).toBe(0);
});
