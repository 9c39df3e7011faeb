import { expect, it } from 'vitest';
import { convertSavings, fitBaseline, savingsWithUncertainty, type MeterErrorModel, type Observation, type Savings } from '../../src/index.ts';
import { DAY_MS, workedExample } from './worked-example.ts';

const model = (() => {
  const r = fitBaseline(workedExample(), { variables: ['production', 'hdd'], granularity: 'daily' });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
})();

// Reporting period: 4 days at P = 20, H = 10, each predicted 100 + 40 + 30 = 170 and measured 153 ± 3.06 (k = 2, 2 %).
const reporting: Observation[] = [0, 1, 2, 3].map((i) => ({ startMs: Date.UTC(2026, 1, 2) + i * DAY_MS, energy: 153, energyU: 3.06, vars: { production: 20, hdd: 10 } }));

it('gives the hand-worked savings and their uncertainty (ASHRAE Guideline 14 Annex B, meters systematic)', () => {
  const r = savingsWithUncertainty(model, reporting);
  if (!r.ok) throw new Error(r.error.message);
  const s: Savings = r.value;
  // Adjusted baseline 4·170 = 680, actual 4·153 = 612, savings 68, F = 68/680 = 0.1.
  expect(s.adjustedBaseline).toBeCloseTo(680, 9);
  expect(s.actual).toBe(612);
  expect(s.savings).toBeCloseTo(68, 9);
  expect(s.savingsFraction).toBeCloseTo(0.1, 12);
  // ρ = −0.375 is floored at 0, so n' = n = 8.
  expect(s.model.rho).toBe(0);
  expect(s.model.effectiveN).toBe(8);
  // u_model = 1.26·CV·E_adj·√((n/n')(1 + 2/n')/m) = 1.26 · (2.529822/145) · 680 · √(1 · 1.25 / 4)
  //         = 1.26 · 0.01744705 · 680 · 0.5590170 = 8.356539.
  expect(s.model.u).toBeCloseTo(8.356539, 5);
  // Meters, systematic: the days' standard uncertainties add linearly, 4 · 3.06/2 = 6.12; the baseline's U was 0.
  expect(s.meters.u).toBeCloseTo(6.12, 10);
  // u = √(8.356539² + 6.12²) = √(69.83175 + 37.4544) = 10.357903; U = 2u = 20.715805.
  expect(s.u).toBeCloseTo(10.357903, 5);
  expect(s.U).toBeCloseTo(20.715805, 5);
  // Fractional savings uncertainty at 68 %: t(0.84, 5)·8.356539/68, t(0.84, 5) = 1.1037 (two-sided 68 %, 5 degrees of freedom).
  expect(s.model.t).toBeCloseTo(1.1037, 3);
  expect(s.model.fractionalSavingsUncertainty).toBeCloseTo((1.1037 * 8.356539) / 68, 3);
  expect(s.claim).toEqual({ allowed: true, reasons: [] });
});

it('combines the meters as the error model says: in quadrature if random, on the savings if the same meter', () => {
  const random = savingsWithUncertainty(model, reporting, { meterErrors: 'random' satisfies MeterErrorModel });
  // √4 · 1.53 = 3.06.
  expect(random.ok && random.value.meters.u).toBeCloseTo(3.06, 10);
  const sameMeter = savingsWithUncertainty(model, reporting, { meterErrors: 'same-meter-systematic' });
  // Relative 6.12/612 = 1 % of the savings 68 = 0.68.
  expect(sameMeter.ok && sameMeter.value.meters.u).toBeCloseTo(0.68, 10);
});

it('adds the baseline meters\u2019 systematic error to the adjusted baseline when the meters are not the same', () => {
  const withU = fitBaseline(workedExample(1, 2.9), { variables: ['production', 'hdd'], granularity: 'daily' });
  if (!withU.ok) throw new Error(withU.error.message);
  // Baseline: Σ U = 8 · 2.9 = 23.2 on Σ energy 1160: 2 % expanded, 1 % standard; on E_adj 680 that is 6.8.
  const r = savingsWithUncertainty(withU.value, reporting);
  expect(r.ok && r.value.meters.u).toBeCloseTo(Math.sqrt(6.12 ** 2 + 6.8 ** 2), 10);
});

it('widens the model uncertainty by the autocorrelation correction n′ = n(1 − ρ)/(1 + ρ)', () => {
  // ρ = 0.6 with n = 8: n' = 8 · 0.4/1.6 = 2; √((8/2)(1 + 2/2)/4) = √2 against √(1.25/4) without it.
  const correlated = { ...model, residualAutocorrelation: 0.6 };
  const r = savingsWithUncertainty(correlated, reporting);
  if (!r.ok) throw new Error(r.error.message);
  expect(r.value.model.effectiveN).toBeCloseTo(2, 12);
  expect(r.value.model.u).toBeCloseTo(1.26 * (Math.sqrt(6.4) / 145) * 680 * Math.sqrt(2), 9);
});

it('refuses the claim from a model that failed its criteria, naming them, and when nothing was saved', () => {
  const noisy = fitBaseline(workedExample(20), { variables: ['production', 'hdd'], granularity: 'daily' });
  if (!noisy.ok) throw new Error(noisy.error.message);
  const r = savingsWithUncertainty(noisy.value, reporting);
  if (!r.ok) throw new Error(r.error.message);
  expect(r.value.claim.allowed).toBe(false);
  expect(r.value.claim.reasons).toContain('baseline fit: CV(RMSE) 34.89 % exceeds 30 %');
  expect(r.value.claim.reasons.some((x) => x.startsWith('savings uncertainty'))).toBe(true);
  const more = savingsWithUncertainty(model, reporting.map((o) => ({ ...o, energy: 180 })));
  expect(more.ok && more.value.claim.reasons).toEqual(['no savings: the actual is not below the adjusted baseline']);
});

it('converts savings through a caller-supplied coefficient, relative uncertainties in quadrature', () => {
  // 100 ± 4 × (0.5 ± 3 %): value 50, u = √((0.5·4)² + (50·0.03)²) = √(4 + 2.25) = 2.5, U = 5.
  expect(convertSavings({ value: 100, u: 4 }, { value: 0.5, relativeStandardUncertainty: 0.03 })).toEqual({ value: 50, u: 2.5, U: 5 });
});
