import type { Enterprise, MeteringPoint } from '../registry/manifest-schema.ts';
import type { FactorSet } from '../reference/factor-set.ts';
import { tryConvertUnit, unitDimension } from '../units.ts';

/** One unit of a point's quantity (its registry unit) in tce or tCO2, with the factor it rests on. */
interface PointConversion {
  /** tce or tCO2 per one of the point's units. */
  perPointUnit: number;
  /** The factor's relative standard uncertainty; 0 when its source gives none, and then `uncertaintyKnown` is false. */
  relativeStandardUncertainty: number;
  uncertaintyKnown: boolean;
  /** The factor's key in the set, e.g. `standard-coal/electricity`, and the set, name@version. */
  factor: string;
  /** Which scope a CO2 conversion counts in (GHG Protocol), absent for tce. */
  scope?: 'scope1' | 'scope2-location';
}

export type PointConversionResult = { ok: true; conversion: PointConversion } | { ok: false; reason: string };

const FUEL_CARRIERS = new Set(['natural-gas', 'diesel', 'gasoline', 'kerosene', 'fuel-oil', 'crude-oil', 'lpg', 'coke']);
const HEAT_CARRIERS = new Set(['steam', 'heat']);

const perPointUnit = (point: MeteringPoint, perUnit: string, value: number): number | undefined => {
  const r = tryConvertUnit(1, point.unit, perUnit);
  return r.ok ? r.value * value : undefined;
};

/**
 * A point's unit in tce at equivalent value, by the set's standard-coal coefficient for its
 * carrier (GB/T 2589-2020), as the accounting converts it (standard-coal.ts).
 */
export function tceOfPointUnit(point: MeteringPoint, factorSet: FactorSet): PointConversionResult {
  const dim = unitDimension(point.unit);
  const r = factorSet.standardCoal(point.carrier, dim === 'energy' ? 'energy' : dim === 'mass' ? 'mass' : 'volume', point.steamPressureMPa);
  if (!r.ok) return { ok: false, reason: r.error.message };
  // kgce → tce.
  const value = perPointUnit(point, r.factor.perUnit, r.factor.value / 1000);
  if (value === undefined) return { ok: false, reason: `${point.unit} does not convert to ${r.factor.perUnit}, the unit of the ${r.factor.key} coefficient` };
  return { ok: true, conversion: { perPointUnit: value, relativeStandardUncertainty: r.factor.relativeUncertainty ?? 0, uncertaintyKnown: r.factor.relativeUncertainty !== undefined, factor: `${r.factor.key}@${factorSet.id}` } };
}

/**
 * A point's unit in tCO2, as the carbon accounting converts the carrier (carbon.ts): a fuel by
 * its combustion factor (GB/T 32150, scope 1), imported electricity by the grid factor of the
 * enterprise's level and region on `date` (scope 2, location-based), purchased heat and steam
 * in GJ by the purchased-heat factor (scope 2). Other carriers have no CO2 of their own here.
 */
export function co2OfPointUnit(point: MeteringPoint, enterprise: Enterprise, factorSet: FactorSet, date: string): PointConversionResult {
  const convert = (perUnit: string, value: number, key: string, relU: number | undefined, scope: PointConversion['scope']): PointConversionResult => {
    const v = perPointUnit(point, perUnit, value);
    if (v === undefined) return { ok: false, reason: `${point.unit} does not convert to ${perUnit}, the unit of the ${key} factor` };
    return { ok: true, conversion: { perPointUnit: v, relativeStandardUncertainty: relU ?? 0, uncertaintyKnown: relU !== undefined, factor: `${key}@${factorSet.id}`, ...(scope ? { scope } : {}) } };
  };
  if (FUEL_CARRIERS.has(point.carrier)) {
    const fuel = factorSet.fuel(point.carrier);
    return fuel.ok ? convert(fuel.factor.perUnit, fuel.factor.co2PerUnit, `fuel/${point.carrier}`, fuel.factor.relativeUncertainty, 'scope1') : { ok: false, reason: fuel.error.message };
  }
  if (point.carrier === 'electricity' && point.quantity.startsWith('active-energy')) {
    const grid = factorSet.gridFactor({ level: enterprise.scope2Level, region: enterprise.region, gridRegion: enterprise.gridRegion, date });
    return grid.ok ? convert(grid.factor.perUnit, grid.factor.value, grid.factor.key, grid.factor.relativeUncertainty, 'scope2-location') : { ok: false, reason: grid.error.message };
  }
  if (HEAT_CARRIERS.has(point.carrier)) {
    const heat = factorSet.purchasedHeatFactor();
    return convert(heat.perUnit, heat.value, heat.key, heat.relativeUncertainty, 'scope2-location');
  }
  return { ok: false, reason: `carrier ${point.carrier} has no CO2 factor of its own (its emissions are counted where it is made)` };
}
