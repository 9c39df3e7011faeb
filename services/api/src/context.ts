import type { FactorCatalog, Manifest, RegistryIndex } from '@meterline/domain';
import type { TimeSeriesStore } from '@meterline/store';
import type { AlertingDirectory } from './alerting/alerting-directory.ts';
import type { SeriesPageReader } from './series/series-page-reader.ts';

/** What the route plugins read from: the registry, the factor catalogue, the store and the alerting topic. */
export interface ApiContext {
  manifest: Manifest;
  registry: RegistryIndex;
  factorCatalog: FactorCatalog;
  series: SeriesPageReader;
  /** Whole-range reads: the alerter's current alerts and the webhook delivery log. */
  store: TimeSeriesStore;
  /** Webhook subscriptions and silences; undefined when the API has no Kafka (MTL_KAFKA_BROKERS unset): their routes are not registered. */
  alerting: AlertingDirectory | undefined;
  readingsMeasurement: string;
  now: () => number;
}
