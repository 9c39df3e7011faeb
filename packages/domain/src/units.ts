import { DomainError } from './errors.ts';

/**
 * Physical dimensions Meterline distinguishes. Electric and heat energy share one
 * dimension (a heat meter may well read kWh; 1 kWh = 3.6 MJ exactly, SI), while volume at
 * line conditions (m3) and normal volume (Nm3, at 0 °C and 101.325 kPa) are different
 * dimensions: converting one to the other needs pressure and temperature, which a unit
 * conversion does not know.
 */
export type Dimension =
  | 'energy'
  | 'power'
  | 'reactive-energy'
  | 'reactive-power'
  | 'volume'
  | 'normal-volume'
  | 'volume-flow'
  | 'normal-volume-flow'
  | 'mass'
  | 'mass-flow';

interface UnitDefinition {
  readonly dimension: Dimension;
  /** Size of one unit in the dimension's base unit (J, W, varh, var, m3, Nm3, kg, per hour for flows). */
  readonly toBase: number;
}

// Exact SI relations; no measured values here, so nothing to cite beyond the SI brochure.
const UNITS: Readonly<Record<string, UnitDefinition>> = Object.freeze({
  Wh: { dimension: 'energy', toBase: 3.6e3 },
  kWh: { dimension: 'energy', toBase: 3.6e6 },
  MWh: { dimension: 'energy', toBase: 3.6e9 },
  GWh: { dimension: 'energy', toBase: 3.6e12 },
  kJ: { dimension: 'energy', toBase: 1e3 },
  MJ: { dimension: 'energy', toBase: 1e6 },
  GJ: { dimension: 'energy', toBase: 1e9 },
  TJ: { dimension: 'energy', toBase: 1e12 },
  W: { dimension: 'power', toBase: 1 },
  kW: { dimension: 'power', toBase: 1e3 },
  MW: { dimension: 'power', toBase: 1e6 },
  'MJ/h': { dimension: 'power', toBase: 1e6 / 3600 },
  'GJ/h': { dimension: 'power', toBase: 1e9 / 3600 },
  varh: { dimension: 'reactive-energy', toBase: 1 },
  kvarh: { dimension: 'reactive-energy', toBase: 1e3 },
  Mvarh: { dimension: 'reactive-energy', toBase: 1e6 },
  var: { dimension: 'reactive-power', toBase: 1 },
  kvar: { dimension: 'reactive-power', toBase: 1e3 },
  Mvar: { dimension: 'reactive-power', toBase: 1e6 },
  L: { dimension: 'volume', toBase: 1e-3 },
  m3: { dimension: 'volume', toBase: 1 },
  Nm3: { dimension: 'normal-volume', toBase: 1 },
  '10^4 Nm3': { dimension: 'normal-volume', toBase: 1e4 },
  'm3/h': { dimension: 'volume-flow', toBase: 1 },
  'Nm3/h': { dimension: 'normal-volume-flow', toBase: 1 },
  kg: { dimension: 'mass', toBase: 1 },
  t: { dimension: 'mass', toBase: 1e3 },
  'kg/h': { dimension: 'mass-flow', toBase: 1 },
  't/h': { dimension: 'mass-flow', toBase: 1e3 },
});

/** Rates and the cumulative dimension they integrate to over one hour. */
const RATE_INTEGRAL: Readonly<Partial<Record<Dimension, { dimension: Dimension; rateUnit: string; perHourUnit: string }>>> = Object.freeze({
  power: { dimension: 'energy', rateUnit: 'W', perHourUnit: 'Wh' },
  'reactive-power': { dimension: 'reactive-energy', rateUnit: 'var', perHourUnit: 'varh' },
  'volume-flow': { dimension: 'volume', rateUnit: 'm3/h', perHourUnit: 'm3' },
  'normal-volume-flow': { dimension: 'normal-volume', rateUnit: 'Nm3/h', perHourUnit: 'Nm3' },
  'mass-flow': { dimension: 'mass', rateUnit: 'kg/h', perHourUnit: 'kg' },
});

export const KNOWN_UNITS: readonly string[] = Object.freeze(Object.keys(UNITS));

export function isKnownUnit(unit: string): boolean {
  return Object.hasOwn(UNITS, unit);
}

/** The dimension of a unit, or undefined when the unit is unknown (spellings are case-sensitive). */
export function unitDimension(unit: string): Dimension | undefined {
  return isKnownUnit(unit) ? UNITS[unit]!.dimension : undefined;
}

export function unitsOfDimension(dimension: Dimension): string[] {
  return KNOWN_UNITS.filter((u) => UNITS[u]!.dimension === dimension);
}

export type ConversionResult = { ok: true; value: number } | { ok: false; error: DomainError };

/** Like convertUnit, but returns the failure as a value. */
export function tryConvertUnit(value: number, from: string, to: string): ConversionResult {
  const f = isKnownUnit(from) ? UNITS[from] : undefined;
  const t = isKnownUnit(to) ? UNITS[to] : undefined;
  if (!f || !t) {
    const unknown = f ? to : from;
    return {
      ok: false,
      error: new DomainError('MTL_DOMAIN_UNKNOWN_UNIT', `unknown unit "${unknown}" (known: ${KNOWN_UNITS.join(', ')})`, { unit: unknown }),
    };
  }
  if (f.dimension !== t.dimension) {
    return {
      ok: false,
      error: new DomainError(
        'MTL_DOMAIN_INCOMPATIBLE_UNITS',
        `cannot convert ${from} (${f.dimension}) to ${to} (${t.dimension})`,
        { from, to, fromDimension: f.dimension, toDimension: t.dimension },
      ),
    };
  }
  if (from === to) return { ok: true, value };
  // Ratio first, so exact decimal relations (kWh -> Wh = 1000) stay exact.
  return { ok: true, value: value * (f.toBase / t.toBase) };
}

/** Converts a value between units of the same dimension; throws a DomainError otherwise. */
export function convertUnit(value: number, from: string, to: string): number {
  const result = tryConvertUnit(value, from, to);
  if (!result.ok) throw result.error;
  return result.value;
}

/**
 * The most a rate (power, flow) can accumulate over `hours`, expressed in `cumulativeUnit`.
 * Used for the physical-capacity check on register deltas.
 */
export function integrateRate(rate: { value: number; unit: string }, hours: number, cumulativeUnit: string): number {
  const dim = unitDimension(rate.unit);
  const integral = dim ? RATE_INTEGRAL[dim] : undefined;
  if (!integral) {
    throw new DomainError('MTL_DOMAIN_INCOMPATIBLE_UNITS', `"${rate.unit}" is not a rate unit`, { unit: rate.unit });
  }
  // e.g. 1 kW = 1000 W, and 1000 W for one hour is 1000 Wh.
  const perHour = convertUnit(rate.value, rate.unit, integral.rateUnit);
  return convertUnit(perHour * hours, integral.perHourUnit, cumulativeUnit);
}

export function rateDimensionIntegratesTo(rateUnit: string): Dimension | undefined {
  const dim = unitDimension(rateUnit);
  return dim ? RATE_INTEGRAL[dim]?.dimension : undefined;
}
