import type { Carrier } from '../carriers.ts';

/**
 * Primary energy is taken from nature unprocessed; secondary energy is made from it (GB/T
 * 2589-2020's terms). An enterprise counts its purchased electricity, heat and steam, and
 * refined fuels, as secondary. Water, compressed air and oxygen are energy-consuming working
 * media, neither primary nor secondary energy.
 */
export type EnergyClass = 'primary' | 'secondary' | 'working-medium';

const CLASS_OF: Readonly<Record<Carrier, EnergyClass>> = Object.freeze({
  'raw-coal': 'primary',
  'crude-oil': 'primary',
  'natural-gas': 'primary',
  electricity: 'secondary',
  'coke-oven-gas': 'secondary',
  'refinery-dry-gas': 'secondary',
  'washed-coal': 'secondary',
  coke: 'secondary',
  'fuel-oil': 'secondary',
  gasoline: 'secondary',
  kerosene: 'secondary',
  diesel: 'secondary',
  lpg: 'secondary',
  steam: 'secondary',
  heat: 'secondary',
  water: 'working-medium',
  'compressed-air': 'working-medium',
  oxygen: 'working-medium',
});

export const energyClassOf = (carrier: Carrier): EnergyClass => CLASS_OF[carrier];
