/** One colour per carrier, the same on every chart; exports get a lighter shade of their carrier's. */
const COLOURS: Record<string, string> = {
  electricity: '#2b6cb0',
  'natural-gas': '#dd6b20',
  'coke-oven-gas': '#b7791f',
  'refinery-dry-gas': '#975a16',
  'raw-coal': '#1a202c',
  'washed-coal': '#4a5568',
  coke: '#2d3748',
  'crude-oil': '#553c9a',
  'fuel-oil': '#6b46c1',
  gasoline: '#9f7aea',
  kerosene: '#805ad5',
  diesel: '#718096',
  lpg: '#d53f8c',
  steam: '#c53030',
  heat: '#e53e3e',
  water: '#3182ce',
  'compressed-air': '#38a169',
  oxygen: '#319795',
};
const EXPORT_COLOURS: Record<string, string> = { electricity: '#90cdf4' };
const FALLBACK = ['#2c7a7b', '#b83280', '#744210', '#276749'];

export function carrierColour(carrier: string, direction: 'input' | 'output', index: number): string {
  if (direction === 'output') return EXPORT_COLOURS[carrier] ?? '#a0aec0';
  return COLOURS[carrier] ?? FALLBACK[index % FALLBACK.length]!;
}

/** How a carrier group is named on charts and tables. */
export const carrierLabel = (carrier: string, direction: 'input' | 'output'): string => (direction === 'output' ? `${carrier} (exported)` : carrier);
