import { expect, it } from 'vitest';
import type { FigureV1 } from '@meterline/contracts';
import { DEFAULT_RULES, type EnterpriseRules } from '../../src/alerting-config.ts';
import { figureConditions } from '../../src/rules/figure-rules.ts';
import { hourFigure } from '../hour-figure.ts';

const start = Date.parse('2026-11-27T08:00:00Z');
const HOUR = 3_600_000;
const figure = (over: Partial<FigureV1>): FigureV1 => hourFigure({ enterpriseId: 'e1', site: 's1', point: 'p1', startMs: start }, over);
const rules: EnterpriseRules = {
  ...DEFAULT_RULES,
  consumptionThreshold: {
    ...DEFAULT_RULES.consumptionThreshold,
    thresholds: [
      { points: ['p1'], period: 'hour', measure: 'energy', max: 150 },
      { carrier: 'electricity', period: 'quarter-hour', measure: 'mean-power', max: 400 },
    ],
  },
};
const byRule = (f: FigureV1) => Object.fromEntries(figureConditions(f, rules).map((c) => [c.rule, c]));

it('judges coverage and suspect counters on the configured period kind only', () => {
  expect(byRule(figure({ coveragePercent: 89.5 }))['low-coverage']).toMatchObject({ holds: true, value: 89.5, threshold: 90, sinceMs: start, asOfMs: start + HOUR });
  expect(byRule(figure({ coveragePercent: 90 }))['low-coverage']!.holds).toBe(false);
  expect(byRule(figure({ flags: ['gap', 'suspect-drop'] }))['suspect-counter']).toMatchObject({ holds: true, subject: { site: 's1', point: 'p1' } });
  expect(byRule(figure({ flags: ['suspect-over-capacity'] }))['suspect-counter']!.holds).toBe(true);
  expect(byRule(figure({ flags: ['gap'] }))['suspect-counter']!.holds).toBe(false);
  expect(byRule(figure({ periodKind: 'day', coveragePercent: 10 }))['low-coverage']).toBeUndefined();
});

it('compares energy per period, or its mean power, with the thresholds that name the point or its carrier', () => {
  expect(byRule(figure({ value: 151 }))['consumption-threshold']).toMatchObject({ holds: true, value: 151, threshold: 150, unit: 'kWh' });
  expect(byRule(figure({ value: 150 }))['consumption-threshold']!.holds).toBe(false);
  expect(byRule(figure({ subject: { site: 's1', point: 'p2', carrier: 'steam' }, value: 1_000 }))['consumption-threshold']).toBeUndefined();
  // 101 kWh in a quarter-hour is a mean of 404 kW.
  const quarter = figure({ periodKind: 'quarter-hour', endMs: start + HOUR / 4, value: 101 });
  expect(byRule(quarter)['consumption-threshold']).toMatchObject({ holds: true, value: 404, threshold: 400, unit: 'kWh/h', subject: { period: 'quarter-hour', measure: 'mean-power' } });
});

it('fires on a balance gap beyond the expanded uncertainty of the gap, either sign', () => {
  const balance = (value: number) =>
    figureConditions(figure({ measurement: 'energy_balance', subject: { site: 's1', node: 'main', carrier: 'electricity' }, value, expandedUncertainty: 12 }), rules)[0]!;
  expect(balance(-12.5)).toMatchObject({ rule: 'balance-gap', holds: true, value: 12.5, threshold: 12, subject: { site: 's1', node: 'main', carrier: 'electricity' } });
  expect(balance(12).holds).toBe(false);
});
