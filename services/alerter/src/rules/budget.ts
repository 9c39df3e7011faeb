import type { EnterpriseRules } from '../alerting-config.ts';
import type { Condition } from './condition.ts';

export type BudgetMetric = 'tce' | 'co2';

export interface MonthToDate {
  metric: BudgetMetric;
  /** YYYY-MM, local to the enterprise. */
  month: string;
  daysInMonth: number;
  /** Per closed local day of the month with a figure, its value. */
  dayValues: ReadonlyMap<string, number>;
}

const UNITS: Record<BudgetMetric, string> = { tce: 'tce', co2: 'tCO2' };

/**
 * Projects the month from its closed days at their mean daily rate and compares the
 * projection with the enterprise's monthly budget. A month without a closed day yet is
 * not judged (holds false).
 */
export function budgetOverrun(input: MonthToDate, tickMs: number, settings: EnterpriseRules['budget']): Condition | undefined {
  const budget = input.metric === 'tce' ? settings.tceMonthly : settings.co2MonthlyTonnes;
  if (budget === undefined) return undefined;
  const days = input.dayValues.size;
  const toDate = [...input.dayValues.values()].reduce((a, b) => a + b, 0);
  const projected = days === 0 ? 0 : (toDate / days) * input.daysInMonth;
  const unit = UNITS[input.metric];
  return {
    rule: 'budget-overrun',
    subject: { metric: input.metric },
    holds: days > 0 && projected > budget,
    sinceMs: tickMs,
    asOfMs: tickMs,
    summary: `${input.month}: ${round(toDate)} ${unit} in ${days} day(s), projected ${round(projected)} ${unit} for ${input.daysInMonth} days against a budget of ${budget} ${unit}`,
    value: round(projected),
    threshold: budget,
    unit,
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
