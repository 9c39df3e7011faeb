import { expect, it } from 'vitest';
import { ASHRAE_GUIDELINE_14_CRITERIA, fitBaseline, fitStatistics, judgeFit, predict, type BaselineModel, type FitVerdict } from '../../src/index.ts';
import { workedExample } from './worked-example.ts';

const fitted = (residualScale = 1): BaselineModel => {
  const r = fitBaseline(workedExample(residualScale), { variables: ['production', 'hdd'], granularity: 'daily' });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

it('gives the hand-worked CV(RMSE), NMBE and R² and passes the daily criteria', () => {
  const m = fitted();
  // ȳ = 100 + 2·15 + 3·5 = 145 (Σe = 0); CV(RMSE) = 100·√(32/5)/145 = 100·2.529822/145 = 1.744705 %.
  expect(m.statistics.meanActual).toBeCloseTo(145, 10);
  expect(m.statistics.cvRmsePercent).toBeCloseTo(1.744705, 6);
  // NMBE = 100·Σe/((n − p)·ȳ) = 0: OLS with an intercept has no bias on its own data.
  expect(m.statistics.nmbePercent).toBeCloseTo(0, 10);
  expect(m.statistics.rSquared).toBeCloseTo(0.987842, 6);
  expect(m.verdict).toMatchObject({ passed: true, granularity: 'daily', failures: [] });
});

it('fails a noisy fit, listing each failed criterion with its value and limit', () => {
  const m = fitted(20);
  // e scaled ×20 (±40): SSE = 8·1600 = 12 800, s = √(12 800/5) = 50.596443;
  // CV(RMSE) = 100·50.596443/145 = 34.894 % > 30 %; R² = 2600/(2600 + 12 800) = 0.168831 < 0.75.
  expect(m.verdict.passed).toBe(false);
  expect(m.verdict.failures.map((f) => f.criterion)).toEqual(['cv-rmse', 'r-squared']);
  const [cv, r2] = m.verdict.failures;
  expect(cv!.value).toBeCloseTo(34.894098, 5);
  expect(cv!.limit).toBe(30);
  expect(cv!.explanation).toBe('CV(RMSE) 34.89 % exceeds 30 %');
  expect(r2!.value).toBeCloseTo(0.168831, 6);
  expect(r2!.limit).toBe(0.75);
  expect(r2!.convention).toBe(true);
});

it('holds monthly data to CV(RMSE) ≤ 15 % and |NMBE| ≤ 5 %, and hourly to 30 % and 10 %', () => {
  const stats = { cvRmsePercent: 16, nmbePercent: -6, rSquared: 0.9, n: 24, p: 2, meanActual: 100 };
  const monthly: FitVerdict = judgeFit(stats, 'monthly');
  expect(monthly.failures.map((f) => [f.criterion, f.value, f.limit])).toEqual([['cv-rmse', 16, 15], ['nmbe', -6, 5]]);
  expect(judgeFit(stats, 'hourly').passed).toBe(true);
  expect(monthly.criteriaVersion).toBe(ASHRAE_GUIDELINE_14_CRITERIA.version);
});

it('does not judge an intercept-only model by R², and fails an undefined CV(RMSE)', () => {
  expect(judgeFit({ cvRmsePercent: 5, nmbePercent: 0, rSquared: 0, n: 30, p: 1, meanActual: 10 }, 'daily').passed).toBe(true);
  const zeroMean = fitStatistics([1, -1, 1, -1], [0, 0, 0, 0], 1, null);
  const verdict = judgeFit(zeroMean, 'daily');
  expect(verdict.failures[0]).toMatchObject({ criterion: 'cv-rmse', value: null });
});

it('gives every criterion in the reference file a source, and marks conventions', () => {
  for (const g of Object.values(ASHRAE_GUIDELINE_14_CRITERIA.granularities)) {
    for (const c of [g.cvRmsePercentMax, g.nmbeAbsPercentMax, g.rSquaredMin]) {
      expect(c.source.standard.length).toBeGreaterThan(0);
      if (!c.convention) expect(c.source.clause).not.toBeNull();
    }
    expect(g.rSquaredMin.convention).toBe(true);
  }
});

it('predicts with the hand-worked standard errors and 95 % prediction interval', () => {
  const m = fitted();
  // At the centroid P = 15, H = 5: ŷ = 145, x₀ᵀ(XᵀX)⁻¹x₀ = 1/n = 0.125 (centred columns orthogonal).
  // SE(mean) = s·√0.125 = 0.894427; SE(prediction) = s·√1.125 = 2.683282;
  // half-width = t(0.975, 5)·2.683282 = 2.570582·2.683282 = 6.897595.
  const p = predict(m, { production: 15, hdd: 5 });
  if (!p.ok) throw new Error(p.error.message);
  expect(p.value.value).toBeCloseTo(145, 10);
  expect(p.value.standardErrorOfMean).toBeCloseTo(0.894427, 6);
  expect(p.value.standardErrorOfPrediction).toBeCloseTo(2.683282, 6);
  expect(p.value.interval.t).toBeCloseTo(2.570582, 5);
  expect(p.value.interval.high - 145).toBeCloseTo(6.897595, 4);
  expect(145 - p.value.interval.low).toBeCloseTo(6.897595, 4);
  // Off the centroid, at P = 20, H = 10: ŷ = 170, leverage 0.125 + 25/200 + 25/200 = 0.375.
  const q = predict(m, { production: 20, hdd: 10 });
  if (!q.ok) throw new Error(q.error.message);
  expect(q.value.value).toBeCloseTo(170, 10);
  expect(q.value.standardErrorOfMean).toBeCloseTo(Math.sqrt(6.4 * 0.375), 10);
});

it('refuses a prediction without one of its variables, and a baseline day without one', () => {
  const m = fitted();
  const p = predict(m, { production: 15 });
  expect(!p.ok && p.error).toMatchObject({ code: 'MTL_MINING_INVALID_INPUT', variable: 'hdd' });
  const days = workedExample();
  days[3] = { ...days[3]!, vars: { production: 20 } };
  const r = fitBaseline(days, { variables: ['production', 'hdd'], granularity: 'daily' });
  expect(!r.ok && r.error).toMatchObject({ code: 'MTL_MINING_INVALID_INPUT', variable: 'hdd' });
});

it('puts observations in time order before fitting, so ρ does not depend on the order given', () => {
  const shuffled = workedExample().reverse();
  const r = fitBaseline(shuffled, { variables: ['production', 'hdd'], granularity: 'daily' });
  if (!r.ok) throw new Error(r.error.message);
  expect(r.value.residualAutocorrelation).toBeCloseTo(-0.375, 12);
});
