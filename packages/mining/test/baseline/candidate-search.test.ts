import { expect, it } from 'vitest';
import { coolingDegreeDays, heatingDegreeDays, searchCandidates, withDegreeDays, type DayObservation } from '../../src/index.ts';
import { DAY_MS } from './worked-example.ts';

// 20 days, mean temperatures 0 … 19 °C; energy = 50 + 4·HDD(15 °C) + 10·production, plus ±1 alternating.
const days: DayObservation[] = Array.from({ length: 20 }, (_, i) => {
  const production = i % 3;
  return {
    startMs: Date.UTC(2026, 0, 1) + i * DAY_MS,
    meanTemperature: i,
    energy: 50 + 4 * Math.max(0, 15 - i) + 10 * production + (i % 2 === 0 ? 1 : -1),
    energyU: 0,
    vars: { production },
  };
});

it('computes degree days from the daily mean and the balance point', () => {
  expect(heatingDegreeDays(12, 15)).toBe(3);
  expect(heatingDegreeDays(18, 15)).toBe(0);
  expect(coolingDegreeDays(27.5, 24)).toBe(3.5);
  expect(coolingDegreeDays(20, 24)).toBe(0);
  expect(withDegreeDays(days.slice(0, 1), { heating: 15, cooling: 18 })[0]!.vars).toEqual({ production: 0, hdd: 15, cdd: 0 });
});

it('finds the HDD model at the balance point the data were made with, with the fixed regressor', () => {
  const result = searchCandidates(days, {
    heatingBalancePoints: [10, 12, 15, 17],
    coolingBalancePoints: [16, 18],
    pValueMax: 0.1,
    fixedVariables: ['production'],
    granularity: 'daily',
  });
  expect(result.best.kind).toBe('hdd');
  expect(result.best.balancePoints).toEqual({ heating: 15, cooling: null });
  expect(result.best.model!.coefficients.find((c) => c.name === 'hdd')!.estimate).toBeCloseTo(4, 1);
  expect(result.best.model!.coefficients.find((c) => c.name === 'production')!.estimate).toBeCloseTo(10, 0);
  expect(result.temperatureUnit).toBe('°C');
  // 1 intercept-only + 4 HDD + 2 CDD + HDD+CDD pairs with cooling ≥ heating (10·2 + 12·2 + 15·2 + 17·1 = 7).
  expect(result.candidates).toHaveLength(14);
});

it('disqualifies a degree-day model whose coefficient is not positive, saying why', () => {
  const result = searchCandidates(days, { heatingBalancePoints: [], coolingBalancePoints: [10], pValueMax: 0.1, granularity: 'daily' });
  const cdd = result.candidates.find((c) => c.kind === 'cdd')!;
  expect(cdd.qualified).toBe(false);
  expect(cdd.reason).toMatch(/^cdd coefficient -?[0-9.e-]+ is not above zero/);
  expect(result.best.kind).toBe('intercept-only');
});

it('disqualifies a candidate whose degree days never vary, with the singular-design message', () => {
  const result = searchCandidates(days, { heatingBalancePoints: [-5], coolingBalancePoints: [], pValueMax: 0.1, granularity: 'daily' });
  const hdd = result.candidates.find((c) => c.kind === 'hdd')!;
  expect(hdd.qualified).toBe(false);
  expect(hdd.model).toBeNull();
  expect(hdd.reason).toContain('regressor hdd is constant');
});

it('holds a p-value threshold: a weak degree-day effect qualifies at a loose threshold only', () => {
  // Energy alternates 100 ± 5 with a tiny heating slope: the HDD coefficient is positive but not significant.
  const weak = days.map((d, i) => ({ ...d, energy: 100 + 0.05 * Math.max(0, 15 - i) + (i % 2 === 0 ? 5 : -5) }));
  const strict = searchCandidates(weak, { heatingBalancePoints: [15], coolingBalancePoints: [], pValueMax: 0.01, granularity: 'daily' });
  expect(strict.best.kind).toBe('intercept-only');
  expect(strict.candidates[1]!.reason).toMatch(/hdd p-value .* is not below 0.01/);
  const loose = searchCandidates(weak, { heatingBalancePoints: [15], coolingBalancePoints: [], pValueMax: 0.99, granularity: 'daily' });
  expect(loose.candidates[1]!.qualified).toBe(loose.candidates[1]!.model!.coefficients[1]!.estimate > 0);
});
