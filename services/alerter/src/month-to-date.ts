import { FIGURE_KINDS } from '@meterline/contracts';
import { calendarPeriod, localDate, subPeriods, type CarbonScope, type Enterprise } from '@meterline/domain';
import { FIGURE_TAGS, readFigureValues, STANDARD_COAL_BASES, STANDARD_COAL_LEVELS, type FigureSeriesQuery, type OnUnreadable } from '@meterline/series';
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
  onUnreadable: OnUnreadable,
): Promise<MonthToDate> {
  const monthKey = localDate(tickMs, enterprise.timeZone).slice(0, 7);
  const month = calendarPeriod(monthKey, enterprise.timeZone);
  const base = { enterpriseId: enterprise.id, periodKind: 'day', fromMs: month.start, toMs: Math.min(month.end, tickMs) } as const;
  const scopes: CarbonScope[] = ['scope1', `scope2-${settings.co2Scope2}`];
  const queries: FigureSeriesQuery[] =
    metric === 'tce'
      ? [{ ...base, kind: FIGURE_KINDS.standardCoal, subject: { [FIGURE_TAGS.level]: STANDARD_COAL_LEVELS.enterprise, [FIGURE_TAGS.basis]: STANDARD_COAL_BASES.equivalent } }]
      : scopes.map((scope) => ({ ...base, kind: FIGURE_KINDS.carbon, subject: { [FIGURE_TAGS.scope]: scope } }));
  const dayValues = new Map<string, number>();
  for (const query of queries) {
    for (const { startMs, value } of await readFigureValues(store, query, onUnreadable)) {
      const day = localDate(startMs, enterprise.timeZone);
      dayValues.set(day, (dayValues.get(day) ?? 0) + value);
    }
  }
  return { metric, month: monthKey, daysInMonth: subPeriods(month, 'day').length, dayValues };
}
