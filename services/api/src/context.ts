import type { FactorCatalog, Manifest, RegistryIndex } from '@meterline/domain';
import type { SeriesPageReader } from './series/series-page-reader.ts';

/** What the route plugins read from: the registry, the factor catalogue and the store. */
export interface ApiContext {
  manifest: Manifest;
  registry: RegistryIndex;
  factorCatalog: FactorCatalog;
  series: SeriesPageReader;
  readingsMeasurement: string;
  now: () => number;
}
