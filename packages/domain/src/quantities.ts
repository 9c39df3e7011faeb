import type { Dimension } from './units.ts';

/**
 * What a metering point measures. Cumulative quantities are read as registers (a
 * counter that only grows, apart from rollover and replacement); consumption is a
 * difference of register readings, never a sum of readings.
 */
export const QUANTITIES = [
  'active-energy-import',
  'active-energy-export',
  'reactive-energy-import',
  'reactive-energy-export',
  'active-power',
  'heat-energy',
  'volume',
  'mass',
] as const;

export type Quantity = (typeof QUANTITIES)[number];

interface QuantityDefinition {
  readonly dimensions: readonly Dimension[];
  readonly cumulative: boolean;
}

const DEFINITIONS: Readonly<Record<Quantity, QuantityDefinition>> = Object.freeze({
  'active-energy-import': { dimensions: ['energy'], cumulative: true },
  'active-energy-export': { dimensions: ['energy'], cumulative: true },
  'reactive-energy-import': { dimensions: ['reactive-energy'], cumulative: true },
  'reactive-energy-export': { dimensions: ['reactive-energy'], cumulative: true },
  'active-power': { dimensions: ['power'], cumulative: false },
  'heat-energy': { dimensions: ['energy'], cumulative: true },
  // Gas meters read either line volume or, with a volume corrector, normal volume.
  volume: { dimensions: ['volume', 'normal-volume'], cumulative: true },
  mass: { dimensions: ['mass'], cumulative: true },
});

export function quantityDimensions(quantity: Quantity): readonly Dimension[] {
  return DEFINITIONS[quantity].dimensions;
}

/** True when readings of the quantity are cumulative registers. */
export function isCumulative(quantity: Quantity): boolean {
  return DEFINITIONS[quantity].cumulative;
}
