import { createFactorCatalog } from '@meterline/domain';
import { createMetricsRegistry } from '@meterline/service-kit';
import { InMemoryStore } from '@meterline/store';
import type { AlertingDirectory } from './alerting/alerting-directory.ts';
import { buildApi } from './app.ts';
import { storeSeriesPageReader } from './series/series-page-reader.ts';

export const OPENAPI_FILE = 'services/api/openapi.json';
export const OPENAPI_COMMAND = 'pnpm api:openapi';

const notServing = (): never => {
  throw new Error('no request is served while the OpenAPI document is generated');
};
/** The document describes the API with Kafka (subscription and silence routes are registered only with a directory); none of it is called. */
const DESCRIBED_ONLY: AlertingDirectory = {
  subscriptions: notServing,
  subscription: notServing,
  silences: notServing,
  silence: notServing,
  put: notServing,
  remove: notServing,
  exclusive: notServing,
  ready: notServing,
};

/** The OpenAPI document as @fastify/swagger generates it from the route schemas; data plays no part in it. */
export async function openApiDocument(): Promise<string> {
  const store = new InMemoryStore();
  const app = buildApi({
    manifest: { version: 1, enterprises: [] },
    apiKeys: { version: 1, keys: [] },
    factorCatalog: createFactorCatalog(),
    series: storeSeriesPageReader(store),
    store,
    alerting: DESCRIBED_ONLY,
    metrics: createMetricsRegistry('api'),
    bodyLimitBytes: 1_048_576,
    rateLimit: { max: 1, windowMs: 60_000 },
  });
  await app.ready();
  const document = app.swagger();
  await app.close();
  return `${JSON.stringify(document, null, 2)}\n`;
}
