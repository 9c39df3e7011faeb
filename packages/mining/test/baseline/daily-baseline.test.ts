import { describe, expect, it } from 'vitest';
import { dailyBaseline, type DailyInput } from '../../src/index.ts';

const DAY = 86_400_000;
const START = Date.UTC(2025, 0, 1);
const dateOf = (i: number) => new Date(START + i * DAY).toISOString().slice(0, 10);

/** Deterministic noise in [−0.5, 0.5). */
function noise(seed: number) {
  let a = seed;
  return () => {
    a = (a * 1_103_515_245 + 12_345) % 2_147_483_648;
    return a / 2_147_483_648 - 0.5;
  };
}

/**
 * Two years of days made by a known law: 500 kWh + 0.8 kWh per unit produced + 12 kWh per
 * heating degree day below 15 °C, ±20 kWh of noise; the second year 10 % below it (the
 * savings to find). The law is the generator's, so what the fit should give is known
 * without the code under test.
 */
function days(options: { withTemperatureOn?: (i: number) => boolean } = {}): DailyInput[] {
  const random = noise(7);
  return Array.from({ length: 730 }, (_, i) => {
    const temperatureC = 12 - 10 * Math.cos((2 * Math.PI * i) / 365) + 4 * random();
    const production = 400 + 300 * (random() + 0.5);
    const law = 500 + 0.8 * production + 12 * Math.max(0, 15 - temperatureC);
    const energy = (i < 365 ? 1 : 0.9) * law + 40 * random();
    const withTemperature = options.withTemperatureOn?.(i) ?? true;
    return { date: dateOf(i), startMs: START + i * DAY, energy, energyU: energy * 0.01, production, ...(withTemperature ? { temperatureC } : {}) };
  });
}

const YEAR_1 = { from: dateOf(0), to: dateOf(364) };
const YEAR_2 = { from: dateOf(365), to: dateOf(729) };

describe('dailyBaseline', () => {
  it('finds the law the days were made by: production, and heating below 15 °C', () => {
    const result = dailyBaseline(days(), { baseline: YEAR_1 });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { model, degreeDays } = result.value;
    expect(result.value.variables).toEqual(['hdd', 'production']);
    expect(degreeDays?.kind).toBe('hdd');
    // The search's 0.1 °C grid and the noise put the balance point near 15 °C, not on it.
    expect(degreeDays?.balancePoints.heating).toBeGreaterThanOrEqual(14);
    expect(degreeDays?.balancePoints.heating).toBeLessThanOrEqual(16);
    const coefficient = (name: string) => model.coefficients.find((c) => c.name === name)!;
    expect(coefficient('production').estimate).toBeCloseTo(0.8, 1);
    expect(Math.abs(coefficient('hdd').estimate - 12)).toBeLessThan(1);
    expect(model.verdict.passed).toBe(true);
  });

  it('measures the reporting year’s 10 % cut within its uncertainty and lets it be claimed', () => {
    const result = dailyBaseline(days(), { baseline: YEAR_1, reporting: YEAR_2 });
    if (!result.ok) throw new Error(result.error.message);
    const { savings } = result.value.reporting!;
    expect(savings.claim).toEqual({ allowed: true, reasons: [] });
    expect(savings.savingsFraction).toBeGreaterThan(0.1 - savings.U / savings.adjustedBaseline);
    expect(savings.savingsFraction).toBeLessThan(0.1 + savings.U / savings.adjustedBaseline);
    // The cut is a step down from the first reporting day: the CUSUM signals a downward change soon after it.
    const [change] = result.value.anomalies.cusum.changePoints;
    expect(change?.direction).toBe('down');
    expect(change!.signalDate < dateOf(380)).toBe(true);
    // The EnPI normalised for production and weather: about 0.9.
    expect(result.value.reporting!.enpi!.modelEnpi).toBeCloseTo(0.9, 1);
  });

  it('leaves out the days without a temperature and names them', () => {
    const result = dailyBaseline(days({ withTemperatureOn: (i) => i % 50 !== 3 }), { baseline: YEAR_1 });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.excludedDays).toEqual([3, 53, 103, 153, 203, 253, 303, 353].map((i) => ({ date: dateOf(i), missing: ['temperatureC'] })));
    expect(result.value.baselineDays).toBe(365 - 8);
  });

  it('refuses to claim savings from a baseline that fails the criteria, saying which', () => {
    // Energy unrelated to anything given: pure noise around 1 000 kWh ± 500.
    const random = noise(11);
    const inputs = days().map((d) => ({ ...d, energy: 1000 + 1000 * random() }));
    const result = dailyBaseline(inputs, { baseline: YEAR_1, reporting: YEAR_2, variables: ['production'] });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.model.verdict.passed).toBe(false);
    const { claim } = result.value.reporting!.savings;
    expect(claim.allowed).toBe(false);
    expect(claim.reasons.join(' ')).toMatch(/R²/);
  });

  it('says so when the baseline period has no day', () => {
    const result = dailyBaseline(days(), { baseline: { from: '2030-01-01', to: '2030-12-31' } });
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'MTL_MINING_TOO_FEW_OBSERVATIONS' }) as unknown });
  });
});
