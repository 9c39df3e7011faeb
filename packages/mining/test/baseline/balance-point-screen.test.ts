import { describe, expect, it } from 'vitest';
import { searchCandidates, type DayObservation } from '../../src/index.ts';
import { screenBalancePoints } from '../../src/baseline/balance-point-screen.ts';

/** Days of a law with heating below 14 °C and cooling above 24 °C, and a production term; noise from a fixed sequence. */
function days(): DayObservation[] {
  let a = 3;
  const random = () => ((a = (a * 1_103_515_245 + 12_345) % 2_147_483_648), a / 2_147_483_648 - 0.5);
  return Array.from({ length: 300 }, (_, i) => {
    const meanTemperature = 18 - 14 * Math.cos((2 * Math.PI * i) / 300) + 3 * random();
    const production = 100 + 50 * random();
    const energy = 200 + 1.5 * production + 9 * Math.max(0, 14 - meanTemperature) + 14 * Math.max(0, meanTemperature - 24) + 25 * random();
    return { startMs: i * 86_400_000, energy, energyU: 0, meanTemperature, vars: { production } };
  });
}

describe('screenBalancePoints', () => {
  it('chooses what the full search (QR, p-values) chooses on the same grid, with the same adjusted R²', () => {
    const grid = Array.from({ length: 21 }, (_, i) => 8 + i);
    const d = days();
    const full = searchCandidates(d, { heatingBalancePoints: grid, coolingBalancePoints: grid, pValueMax: 0.1, fixedVariables: ['production'], granularity: 'daily' });
    const screened = screenBalancePoints(
      { energy: d.map((x) => x.energy), temperature: d.map((x) => x.meanTemperature), fixed: [d.map((x) => x.vars.production!)] },
      full.candidates.filter((c) => c.kind !== 'intercept-only').map((c) => c.balancePoints),
      0.1,
    );
    expect(screened.best).toEqual(full.best.balancePoints);
    expect(screened.adjustedRSquared).toBeCloseTo(full.best.adjustedRSquared!, 9);
    expect(screened.qualified).toBe(full.candidates.filter((c) => c.qualified && c.kind !== 'intercept-only').length);
    // The law's own form wins, near its balance points.
    expect(full.best.kind).toBe('hdd-cdd');
  });

  it('keeps the model without degree days when no candidate qualifies', () => {
    const flat = days().map((x, i) => ({ ...x, energy: 500 + (i % 7) }));
    const screened = screenBalancePoints({ energy: flat.map((x) => x.energy), temperature: flat.map((x) => x.meanTemperature), fixed: [] }, [{ heating: 15, cooling: null }, { heating: null, cooling: 22 }], 0.1);
    expect(screened.best).toEqual({ heating: null, cooling: null });
    expect(screened.qualified).toBe(0);
  });
});
