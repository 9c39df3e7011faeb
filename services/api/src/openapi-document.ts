import type { DeviceAccounts } from '@meterline/broker-accounts';
import { createFactorCatalog } from '@meterline/domain';
import { createMetricsRegistry } from '@meterline/service-kit';
import { InMemoryStore } from '@meterline/store';
import type { AlertingDirectory } from './alerting/alerting-directory.ts';
import { buildApi } from './app.ts';
import type { CustomFactorSets } from './factor-sets/custom-factor-sets.ts';
import type { RegistryUploads } from './registry/registry-uploads.ts';
import { fixedRegistry } from './registry/registry-view.ts';
import { storeSeriesPageReader } from './series/series-page-reader.ts';

export const OPENAPI_FILE = 'services/api/openapi.json';
export const OPENAPI_COMMAND = 'pnpm api:openapi';

const notServing = (): never => {
  throw new Error('no request is served while the OpenAPI document is generated');
};
/**
 * The document describes the API with everything configured: Kafka with the registry and factor-set topics,
 * and the broker's admin account (those routes are registered only then); none of it is called.
 */
const DESCRIBED_ONLY_ALERTING: AlertingDirectory = {
  subscriptions: notServing,
  subscription: notServing,
  silences: notServing,
  silence: notServing,
  put: notServing,
  remove: notServing,
  exclusive: notServing,
  ready: notServing,
};
const DESCRIBED_ONLY_UPLOADS: RegistryUploads = { entry: notServing, upload: notServing, amend: notServing };
const DESCRIBED_ONLY_FACTOR_SETS: CustomFactorSets = { custom: notServing, create: notServing };
const DESCRIBED_ONLY_ACCOUNTS: DeviceAccounts = { create: notServing, rotate: notServing, revoke: notServing, exists: notServing, close: notServing };

/** The OpenAPI document as @fastify/swagger generates it from the route schemas; data plays no part in it. */
export async function openApiDocument(): Promise<string> {
  const store = new InMemoryStore();
  const app = buildApi({
    registry: fixedRegistry({ version: 1, enterprises: [] }),
    apiKeys: { version: 1, keys: [] },
    factorCatalog: createFactorCatalog(),
    series: storeSeriesPageReader(store),
    store,
    customFactorSets: DESCRIBED_ONLY_FACTOR_SETS,
    alerting: DESCRIBED_ONLY_ALERTING,
    registryUploads: DESCRIBED_ONLY_UPLOADS,
    deviceAccounts: DESCRIBED_ONLY_ACCOUNTS,
    metrics: createMetricsRegistry('api'),
    bodyLimitBytes: 1_048_576,
    rateLimit: { max: 1, windowMs: 60_000 },
  });
  await app.ready();
  const document = app.swagger();
  await app.close();
  return `${JSON.stringify(document, null, 2)}\n`;
}
