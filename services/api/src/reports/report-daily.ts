import type { EnterpriseFigures, Enterprise, FactorSet } from '@meterline/domain';
import { carrierFigures, type CarrierGroup } from './report-carriers.ts';
import type { ReadingsByPoint } from './report-readings.ts';
import type { MonthlyReport } from './report-schema.ts';

/**
 * The month's local days (23 or 25 hours on DST change days), each accounted as the month is:
 * the enterprise's comprehensive energy consumption and location-based CO₂ net of exports,
 * and the same two figures per carrier group. Exactly `meterline account --period <month>
 * --by day --equal-value`; the readings of the month bracket every one of its days. A fuel
 * known only by monthly deliveries and stock has no daily share.
 */
export function dailyFigures(enterprise: Enterprise, days: readonly EnterpriseFigures[], factorSet: FactorSet, readings: ReadingsByPoint, groups: readonly CarrierGroup[]): MonthlyReport['daily'] {
  return days.map((f) => ({
    day: f.period.key,
    tceEquivalent: f.tceEquivalent,
    tCO2LocationNet: f.carbon.totalLocationNetOfExports,
    byCarrier: groups.map((g) => {
      const part = carrierFigures(enterprise, g, readings, f.period.key, factorSet);
      return { carrier: g.carrier, direction: g.direction, tceEquivalent: part.tceEquivalent, tCO2LocationNet: part.tCO2LocationNet };
    }),
  }));
}
