import type { CarbonFigures } from './enterprise-figures.ts';

/**
 * The carbon figures an enterprise publishes, by the name a reader knows them under (a
 * figure's `scope`, an API filter, a report row) → where the accounting holds each. One list:
 * publication, reports and queries name the same scopes.
 */
export const CARBON_SCOPES = Object.freeze({
  scope1: 'scope1',
  'scope2-location': 'scope2Location',
  'scope2-market': 'scope2Market',
  'purchased-heat': 'purchasedHeat',
  'exported-electricity': 'exportedElectricity',
  'total-location': 'totalLocation',
  'total-market': 'totalMarket',
  'total-location-net': 'totalLocationNetOfExports',
} as const satisfies Record<string, keyof CarbonFigures>);

export type CarbonScope = keyof typeof CARBON_SCOPES;

/** The scope names, in publication order. */
export const CARBON_SCOPE_NAMES = Object.keys(CARBON_SCOPES) as CarbonScope[];
