import { FIGURE_MEASUREMENTS } from '@meterline/contracts';
import { calendarPeriod, localDate, subPeriods, type Enterprise } from '@meterline/domain';
import type { TimeSeriesStore } from '@meterline/store';
import type { EnterpriseRules } from './alerting-config.ts';
import type { BudgetMetric, MonthToDate } from './rules/budget.ts';

/**
 * The month so far of one budget metric, from the aggregator's published day figures: tce
 * (standard coal, equivalent basis, GB/T 2589-2020) or tCO2 (scope 1 plus scope 2, location-
 * or market-based as the enterprise's budget setting says).
 */
export async function monthToDate(
  store: TimeSeriesStore,
  enterprise: Enterprise,
  tickMs: number,
  metric: BudgetMetric,
  settings: EnterpriseRules['budget'],
): Promise<MonthToDate> {
  const monthKey = localDate(tickMs, enterprise.timeZone).slice(0, 7);
  const month = calendarPeriod(monthKey, enterprise.timeZone);
  const range = { fromMs: month.start, toMs: Math.min(month.end, tickMs), fields: ['value'] };
  const base = { enterprise: enterprise.id, period: 'day' };
  const queries =
    metric === 'tce'
      ? [{ measurement: FIGURE_MEASUREMENTS.standardCoal, tags: { ...base, level: 'enterprise', basis: 'equivalent' } }]
      : ['scope1', `scope2-${settings.co2Scope2}`].map((scope) => ({ measurement: FIGURE_MEASUREMENTS.carbon, tags: { ...base, scope } }));
  const dayValues = new Map<string, number>();
  for (const query of queries) {
    for (const point of await store.readSeries({ ...query, ...range })) {
      const day = localDate(point.timestampMs, enterprise.timeZone);
      dayValues.set(day, (dayValues.get(day) ?? 0) + Number(point.fields.value));
    }
  }
  return { metric, month: monthKey, daysInMonth: subPeriods(month, 'day').length, dayValues };
}
