import { accountEnterprise, calendarPeriod, subPeriods, type Enterprise, type FactorSet } from '@meterline/domain';
import { ACCOUNTING, carrierFigures, type CarrierGroup } from './report-carriers.ts';
import type { ReadingsByPoint } from './report-readings.ts';
import type { MonthlyReport } from './report-schema.ts';

/**
 * The month's local days (23 or 25 hours on DST change days), each accounted as the month is:
 * the enterprise's comprehensive energy consumption and location-based CO₂ net of exports,
 * and the same two figures per carrier group. Exactly `meterline account --period <month>
 * --by day --equal-value`; the readings of the month bracket every one of its days.
 */
export function dailyFigures(enterprise: Enterprise, month: string, factorSet: FactorSet, readings: ReadingsByPoint, groups: readonly CarrierGroup[]): MonthlyReport['daily'] {
  return subPeriods(calendarPeriod(month, enterprise.timeZone), 'day').map((day) => {
    const f = accountEnterprise(enterprise, readings, day, factorSet, ACCOUNTING);
    return {
      day: day.key,
      tceEquivalent: f.tceEquivalent,
      tCO2LocationNet: f.carbon.totalLocationNetOfExports,
      byCarrier: groups.map((g) => {
        const part = carrierFigures(enterprise, g, readings, day, factorSet);
        return { carrier: g.carrier, direction: g.direction, tceEquivalent: part.tceEquivalent, tCO2LocationNet: part.tCO2LocationNet };
      }),
    };
  });
}
