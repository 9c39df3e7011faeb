import { expect, it } from 'vitest';
import { DEFAULT_RULES } from '../../src/alerting-config.ts';
import { budgetOverrun } from '../../src/rules/budget.ts';

const days = (values: number[]) => new Map(values.map((v, i) => [`2026-11-${String(i + 1).padStart(2, '0')}`, v]));
const settings = { ...DEFAULT_RULES.budget, tceMonthly: 300, co2MonthlyTonnes: 1_000 };

it('projects the month at the mean rate of its closed days and fires above the budget', () => {
  // 3 days of 10, 12, 11 tce: 11 a day, 330 in a 30-day month, above 300.
  const over = budgetOverrun({ metric: 'tce', month: '2026-11', daysInMonth: 30, dayValues: days([10, 12, 11]) }, 0, settings);
  expect(over).toMatchObject({ holds: true, value: 330, threshold: 300, unit: 'tce', subject: { metric: 'tce' } });
  // 9.9 a day: 297, within.
  expect(budgetOverrun({ metric: 'tce', month: '2026-11', daysInMonth: 30, dayValues: days([9.9, 9.9]) }, 0, settings)!.holds).toBe(false);
});

it('does not judge a month with no closed day, nor a metric without a budget', () => {
  expect(budgetOverrun({ metric: 'co2', month: '2026-11', daysInMonth: 30, dayValues: new Map() }, 0, settings)!.holds).toBe(false);
  expect(budgetOverrun({ metric: 'co2', month: '2026-11', daysInMonth: 30, dayValues: days([500]) }, 0, { ...DEFAULT_RULES.budget })).toBeUndefined();
});
