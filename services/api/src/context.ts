import type { DeviceAccounts } from '@meterline/broker-accounts';
import type { FactorCatalog } from '@meterline/domain';
import type { AggregationJobV1 } from '@meterline/contracts';
import type { TimeSeriesStore } from '@meterline/store';
import type { AlertingDirectory } from './alerting/alerting-directory.ts';
import type { CustomFactorSets } from './factor-sets/custom-factor-sets.ts';
import type { FigurePageCache } from './figure-cache/figure-page-cache.ts';
import type { PdfRenderer } from './reports/report-pdf.ts';
import type { RegistryUploads } from './registry/registry-uploads.ts';
import type { SeriesPageReader } from './series/series-page-reader.ts';

/**
 * What the route plugins read from besides the request's registry view (registry-view.ts):
 * the factor catalogue, the store, the alerting topic, registry uploads and broker accounts.
 */
export interface ApiContext {
  /** Shipped sets, and with Kafka the custom sets of the factor-set topic as read. */
  factorCatalog: FactorCatalog;
  /** Custom factor sets on the factor-set topic; undefined without Kafka: POST /v1/factor-sets is not registered. */
  customFactorSets: CustomFactorSets | undefined;
  series: SeriesPageReader;
  /** Pages of figures of closed periods, invalidated by the aggregator's announcements; undefined without Kafka (or turned off): every page is read from the store. */
  figureCache: FigurePageCache | undefined;
  /** Whole-range reads: the alerter's current alerts and the webhook delivery log. */
  store: TimeSeriesStore;
  /** Webhook subscriptions and silences; undefined when the API has no Kafka (MTL_KAFKA_BROKERS unset): their routes are not registered. */
  alerting: AlertingDirectory | undefined;
  /** Registry uploads; undefined unless the API reads the registry topic (MTL_REGISTRY_TOPIC): their routes are not registered. */
  registryUploads: RegistryUploads | undefined;
  /** Devices' broker credentials; undefined without the broker admin account (MTL_BROKER_ADMIN_*): their routes are not registered. */
  deviceAccounts: DeviceAccounts | undefined;
  /** Prints the monthly report's HTML page to PDF (headless Chromium in main.ts). */
  reportPdf: PdfRenderer;
  readingsMeasurement: string;
  /** Where recomputations are asked for (the aggregation jobs topic); undefined without Kafka: a manual entry waits for the scheduled runs. */
  aggregationJobs: AggregationJobRequests | undefined;
  now: () => number;
}

/** Asks the aggregators to recompute an enterprise's periods (a job on their topic, keyed by enterprise). */
export interface AggregationJobRequests {
  request(job: AggregationJobV1): Promise<void>;
}
