import { accountEnterprise, cumulativePoints, type Enterprise, type FactorSet, type Figure, type ManualEntry, type Period } from '@meterline/domain';
import type { ReadingsByPoint } from './report-readings.ts';

/** The options `meterline account --equal-value` runs with: the report's numbers are its numbers. */
export const ACCOUNTING = { equalValue: true, estimateGaps: false } as const;
const BOUNDARY_ROLES = { 'boundary-input': 'input', 'boundary-output': 'output' } as const;

/** The boundary points of one carrier and direction, and the manual entries of that fuel. */
export interface CarrierGroup {
  carrier: string;
  direction: 'input' | 'output';
  points: string[];
  /** Deliveries and stock of this fuel entered by hand (inputs only): accounted where no meter of it stands at the site. */
  manualEntries: readonly ManualEntry[];
}

const isFuelEntry = (e: ManualEntry): boolean => e.kind === 'fuel-delivery' || e.kind === 'fuel-stock';

/** One carrier group's standard coal (GB/T 2589-2020) and CO₂ over a period. */
export interface CarrierFigures {
  tceEquivalent: Figure;
  tceEqualValue: Figure;
  /**
   * Location-based CO₂ net of exports: for a fuel its scope 1, for purchased electricity its
   * scope 2 (location), for heat and steam the purchased-heat CO₂, for exported electricity
   * the (negative) deduction. The groups add up to the enterprise's totalLocationNetOfExports.
   */
  tCO2LocationNet: Figure;
}

/**
 * The boundary points of an enterprise grouped by direction and carrier, with each fuel's manual
 * deliveries and stock (a fuel known only by them is a group of its own): inputs first, carriers
 * in alphabetical order. Each group is accounted with only its carrier's entries, so the domain
 * books a manual fuel in exactly one group.
 */
export function carrierGroups(enterprise: Enterprise, manualEntries: readonly ManualEntry[]): CarrierGroup[] {
  const groups = new Map<string, CarrierGroup>();
  const fuelEntries = (carrier: string) => manualEntries.filter((e) => isFuelEntry(e) && e.carrier === carrier);
  for (const { point } of cumulativePoints(enterprise)) {
    const direction = BOUNDARY_ROLES[point.topology.role as keyof typeof BOUNDARY_ROLES];
    // Reactive energy has no standard coal (the domain leaves it out of the comprehensive figure too).
    if (direction === undefined || point.quantity.startsWith('reactive')) continue;
    const key = `${direction}|${point.carrier}`;
    const group = groups.get(key) ?? { carrier: point.carrier, direction, points: [], manualEntries: direction === 'input' ? fuelEntries(point.carrier) : [] };
    group.points.push(point.id);
    groups.set(key, group);
  }
  for (const carrier of new Set(manualEntries.filter(isFuelEntry).map((e) => e.carrier!))) {
    if (!groups.has(`input|${carrier}`)) groups.set(`input|${carrier}`, { carrier, direction: 'input', points: [], manualEntries: fuelEntries(carrier) });
  }
  return [...groups.values()].sort((a, b) => (a.direction === b.direction ? a.carrier.localeCompare(b.carrier) : a.direction === 'input' ? -1 : 1));
}

/** The enterprise reduced to some of its points: the domain then sums exactly their standard coal and carbon. */
function restrictedTo(enterprise: Enterprise, pointIds: ReadonlySet<string>): Enterprise {
  return { ...enterprise, sites: enterprise.sites.map((s) => ({ ...s, meteringPoints: s.meteringPoints.filter((p) => pointIds.has(p.id)) })) };
}

/** A carrier group's figures over a period (a month or one of its days), by the domain's own accounting of just those points. */
export function carrierFigures(enterprise: Enterprise, group: CarrierGroup, readings: ReadingsByPoint, period: string | Period, factorSet: FactorSet): CarrierFigures {
  const part = accountEnterprise(restrictedTo(enterprise, new Set(group.points)), readings, period, factorSet, { ...ACCOUNTING, manualEntries: group.manualEntries });
  return { tceEquivalent: part.tceEquivalent, tceEqualValue: part.tceEqualValue!, tCO2LocationNet: part.carbon.totalLocationNetOfExports };
}
