import type { Quantity } from './quantities.ts';

/**
 * Energy carriers, named after the rows of GB/T 2589-2020 (standard coal) and the fuel
 * table of GB/T 32150 (combustion emissions), plus the energy-carrying media that plants
 * meter (water, compressed air, oxygen). `heat` is hot water or other heat bought or
 * sold by enthalpy; `steam` may be metered by enthalpy or by mass.
 */
export const CARRIERS = [
  'electricity',
  'natural-gas',
  'coke-oven-gas',
  'refinery-dry-gas',
  'raw-coal',
  'washed-coal',
  'coke',
  'crude-oil',
  'fuel-oil',
  'gasoline',
  'kerosene',
  'diesel',
  'lpg',
  'steam',
  'heat',
  'water',
  'compressed-air',
  'oxygen',
] as const;

export type Carrier = (typeof CARRIERS)[number];

const FUEL_BY_MASS: readonly Quantity[] = ['mass'];
const ELECTRIC: readonly Quantity[] = [
  'active-energy-import',
  'active-energy-export',
  'reactive-energy-import',
  'reactive-energy-export',
  'active-power',
];

// Which quantities make sense for each carrier. Liquid and solid fuels are accounted by
// mass because both GB/T 2589 and GB/T 32150 give their coefficients per kg or t.
const ALLOWED: Readonly<Record<Carrier, readonly Quantity[]>> = Object.freeze({
  electricity: ELECTRIC,
  'natural-gas': ['volume', 'heat-energy'],
  'coke-oven-gas': ['volume'],
  'refinery-dry-gas': FUEL_BY_MASS,
  'raw-coal': FUEL_BY_MASS,
  'washed-coal': FUEL_BY_MASS,
  coke: FUEL_BY_MASS,
  'crude-oil': FUEL_BY_MASS,
  'fuel-oil': FUEL_BY_MASS,
  gasoline: FUEL_BY_MASS,
  kerosene: FUEL_BY_MASS,
  diesel: FUEL_BY_MASS,
  lpg: FUEL_BY_MASS,
  steam: ['heat-energy', 'mass'],
  heat: ['heat-energy'],
  water: ['volume', 'mass'],
  'compressed-air': ['volume'],
  oxygen: ['volume'],
});

export function quantitiesForCarrier(carrier: Carrier): readonly Quantity[] {
  return ALLOWED[carrier];
}
