import { readFile } from 'node:fs/promises';
import { createFactorCatalog, parseManifest } from '@meterline/domain';
import { createLogger, createMetricsRegistry, influxConnection, runUntilSignalled } from '@meterline/service-kit';
import { InfluxStore } from '@meterline/store-influx';
import { buildApi } from './app.ts';
import { parseApiKeys } from './auth/api-keys.ts';
import { loadApiConfig } from './config.ts';
import { influxSeriesPageReader } from './series/influx-series-page-reader.ts';

const config = loadApiConfig();
const log = createLogger('api', config.logLevel);

const fail = (message: string): never => {
  log.error(message);
  process.exit(2);
};
const manifestText = await readFile(config.registryFile, 'utf8');
const parsed = parseManifest(manifestText, config.registryFile);
const manifest = parsed.ok ? parsed.manifest : fail(`${config.registryFile}: invalid registry manifest\n  ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('\n  ')}`);
const apiKeys = parseApiKeys(await readFile(config.apiKeysFile, 'utf8'), config.apiKeysFile);

const store = new InfluxStore({ ...influxConnection(config), log: (level, message) => log[level]({ logger: 'influxdb-client' }, message) });
const app = buildApi({
  manifest,
  apiKeys,
  factorCatalog: createFactorCatalog(),
  series: influxSeriesPageReader(store),
  metrics: createMetricsRegistry('api'),
  bodyLimitBytes: config.bodyLimitBytes,
  rateLimit: { max: config.rateLimitMax, windowMs: config.rateLimitWindowMs },
  readingsMeasurement: config.readingsMeasurement,
  logger: log,
});
await app.listen({ host: config.host, port: config.port });
log.info({ host: config.host, port: config.port, enterprises: manifest.enterprises.length, keys: apiKeys.keys.length }, 'started');
runUntilSignalled({ close: async () => { await app.close(); await store.close(); } }, log);
