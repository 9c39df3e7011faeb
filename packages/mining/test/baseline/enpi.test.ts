import { expect, it } from 'vitest';
import { enpiChange, fitBaseline, periodEnpis, ratioEnpi } from '../../src/index.ts';
import { DAY_MS, workedExample } from './worked-example.ts';

it('gives the ratio EnPI with its uncertainty, relative uncertainties in quadrature', () => {
  // 1000 ± 30 kWh over 50 ± 2 t: 20 kWh/t, relative √(0.03² + 0.04²) = 0.05, u = 1.
  const r = ratioEnpi({ value: 1000, u: 30 }, { value: 50, u: 2 });
  expect(r.value).toBe(20);
  expect(r.u).toBeCloseTo(1, 12);
});

it('gives the measured-ratio and model EnPIs of a period against the hand-worked baseline (ISO 50006)', () => {
  const fit = fitBaseline(workedExample(), { variables: ['production', 'hdd'], granularity: 'daily' });
  if (!fit.ok) throw new Error(fit.error.message);
  // Baseline ratio: Σ energy 8·145 = 1160 over Σ production 120 = 9.666667 kWh per unit.
  const baselineRatio = 1160 / 120;
  const observations = [0, 1, 2, 3].map((i) => ({ startMs: Date.UTC(2026, 1, 2) + i * DAY_MS, energy: 153, energyU: 0, vars: { production: 20, hdd: 10 } }));
  const r = periodEnpis(fit.value, [{ label: '2026-02', observations }], 'production', baselineRatio);
  if (!r.ok) throw new Error(r.error.message);
  const [p] = r.value;
  // 612 kWh over 80 units = 7.65; against 9.666667: 7.65/9.666667 − 1 = −20.862 %.
  expect(p!.measuredRatio).toBeCloseTo(7.65, 12);
  expect(p!.ratioChange.changePercent).toBeCloseTo(-20.862069, 5);
  // Model EnPI 612/680 = 0.9: 10 % better than the baseline at the same production and weather.
  expect(p!.adjustedBaseline).toBeCloseTo(680, 9);
  expect(p!.modelEnpi).toBeCloseTo(0.9, 12);
  expect(p!.normalisedChangePercent).toBeCloseTo(-10, 10);
});

it('states a change as a ratio and a percentage', () => {
  expect(enpiChange(10, 12)).toEqual({ baseline: 10, reporting: 12, ratio: 1.2, changePercent: 19.999999999999996 });
});
