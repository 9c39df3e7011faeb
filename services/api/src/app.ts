import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { DeviceAccounts } from '@meterline/broker-accounts';
import type { FactorCatalog } from '@meterline/domain';
import type { RegistrySource } from '@meterline/feeds';
import { READINGS_MEASUREMENT } from '@meterline/series';
import type { Registry } from '@meterline/service-kit';
import type { MemberPing, TimeSeriesStore } from '@meterline/store';
import type { AlertingDirectory } from './alerting/alerting-directory.ts';
import { authenticateRequests, principalOf } from './auth/authenticate.ts';
import { createKeyring, type ApiKeysFile } from './auth/api-keys.ts';
import type { AggregationJobRequests, ApiContext } from './context.ts';
import { ApiError } from './errors.ts';
import type { CustomFactorSets } from './factor-sets/custom-factor-sets.ts';
import type { FigureChangeFollower } from './figure-cache/figure-change-follower.ts';
import type { FigurePageCache } from './figure-cache/figure-page-cache.ts';
import { instrumentRequests } from './http/request-metrics.ts';
import { installProblemHandlers, ProblemSchema } from './problem.ts';
import type { RegistryUploads } from './registry/registry-uploads.ts';
import { chromiumPdf, type PdfRenderer } from './reports/report-pdf.ts';
import { attachRegistry, registryViews } from './registry/registry-view.ts';
import { alertRoutes } from './routes/alert-routes.ts';
import { deviceCredentialRoutes } from './routes/device-credential-routes.ts';
import { deviceSequenceRoutes } from './routes/device-sequence-routes.ts';
import { enterpriseRoutes } from './routes/enterprise-routes.ts';
import { factorSetPinRoutes } from './routes/factor-set-pin-routes.ts';
import { factorSetRoutes } from './routes/factor-set-routes.ts';
import { manualEntryRoutes } from './routes/manual-entry-routes.ts';
import { opsRoutes } from './routes/ops-routes.ts';
import { registryRoutes } from './routes/registry-routes.ts';
import { reportRoutes } from './routes/reports.ts';
import { seriesRoutes } from './routes/series-routes.ts';
import { silenceRoutes } from './routes/silence-routes.ts';
import { subscriptionRoutes } from './routes/subscription-routes.ts';
import { targetRoutes } from './routes/target-routes.ts';
import { targetProgressRoutes } from './routes/target-progress-routes.ts';
import { baselineRoutes } from './routes/baseline-routes.ts';
import { findingsRoutes } from './routes/findings-routes.ts';
import { baseLoadRoutes } from './routes/base-load-routes.ts';
import { limitComplianceRoutes } from './routes/limit-compliance-routes.ts';
import type { SeriesPageReader } from './series/series-page-reader.ts';

export interface ApiDeps {
  /** The registry: service-kit's file or topic source (registrySourceFromConfig); each request is answered from its latest manifest. */
  registry: RegistrySource;
  /** How long the registry's latest manifest is used before the source is asked again (registryViews): 0 for the topic, about a second for a file. */
  registryRecheckMs?: number;
  apiKeys: ApiKeysFile;
  /** With Kafka, the factor-set topic's catalogue (customFactorSets reads the same); else the shipped sets. */
  factorCatalog: FactorCatalog;
  /** Custom factor sets on the factor-set topic; without it (no Kafka) none can be added. */
  customFactorSets?: CustomFactorSets;
  series: SeriesPageReader;
  /**
   * Pages of figures of closed periods kept in memory, and the follower of the aggregator's
   * announcements that invalidates them and says whether they may be used; without it every
   * figure page is read from the store.
   */
  figureCache?: { cache: FigurePageCache; changes: Pick<FigureChangeFollower, 'status'> };
  /** The same store as `series` reads, for what is read as a whole: current alerts, the delivery log. */
  store: TimeSeriesStore;
  /** With InfluxDB replicas (ADR 0010): each InfluxDB's answer to its ping, the primary first, for `/ready` to name who is down. */
  influxMembers?: () => Promise<MemberPing[]>;
  /** Webhook subscriptions and silences on the alerting topic; without it their routes are not served. */
  alerting?: AlertingDirectory;
  /** Registry uploads to the registry topic; without it (the registry is a file) their routes are not served. */
  registryUploads?: RegistryUploads;
  /** Devices' broker accounts; without them the credential routes are not served. */
  deviceAccounts?: DeviceAccounts;
  /** The aggregation jobs topic, for the recomputation a manual entry asks for; without it the scheduled runs pick it up. */
  aggregationJobs?: AggregationJobRequests;
  metrics: Registry;
  /** Largest request body accepted, in bytes. */
  bodyLimitBytes: number;
  /** Requests each API key may make per window. */
  rateLimit: { max: number; windowMs: number };
  /** Prints the monthly report to PDF; Chromium found on PATH (60 s, 2 at a time) if not given. */
  reportPdf?: PdfRenderer;
  readingsMeasurement?: string;
  /** A pino logger (service-kit's, with its redaction); none in tests. */
  logger?: FastifyBaseLogger;
  now?: () => number;
}

const API_VERSION = '0.1.0';

/**
 * Where @fastify/swagger-ui's static files are. It finds them from its own __dirname, which
 * an ES module bundle (scripts/build.mjs) does not have; resolving the package at run time
 * works from the sources and from services/api/dist alike, wherever node_modules is beside.
 */
const DOCS_LOGO = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="32"><text x="0" y="24" font-family="sans-serif" font-size="22" fill="#fff">Meterline API</text></svg>',
);

function swaggerUiFiles(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@fastify/swagger-ui')), 'static');
  } catch (error) {
    void error; // not installed beside the bundle: no UI, said in the log
    return undefined;
  }
}

/**
 * The API as a fastify instance, not yet listening: main.ts listens, tests use inject().
 * Ops routes and the OpenAPI document are public; everything under /v1 is authenticated,
 * rate-limited per API key and scoped by scopeFor().
 */
export function buildApi(deps: ApiDeps): FastifyInstance {
  const app = fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: deps.bodyLimitBytes,
    // Every failing field, and unknown query parameters refused rather than silently dropped (a typo is not a filter).
    ajv: { customOptions: { allErrors: true, removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.decorateRequest('principal', undefined);
  app.decorateRequest('registry', undefined);
  installProblemHandlers(app);
  instrumentRequests(app, deps.metrics);
  app.addSchema(ProblemSchema);

  const context: ApiContext = {
    factorCatalog: deps.factorCatalog,
    customFactorSets: deps.customFactorSets,
    series: deps.series,
    figureCache: deps.figureCache?.cache,
    store: deps.store,
    alerting: deps.alerting,
    registryUploads: deps.registryUploads,
    deviceAccounts: deps.deviceAccounts,
    reportPdf: deps.reportPdf ?? chromiumPdf({ command: 'chromium', timeoutMs: 60_000, concurrency: 2 }),
    readingsMeasurement: deps.readingsMeasurement ?? READINGS_MEASUREMENT,
    aggregationJobs: deps.aggregationJobs,
    now: deps.now ?? Date.now,
  };

  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Meterline API',
        version: API_VERSION,
        description:
          'Enterprises, factor sets, figures, restatements and readings; manual entries (deliveries, stock, production, output value, value added); dual-control targets of regions and enterprises; alerts, webhook subscriptions, silences and the webhook delivery log; registry uploads and devices’ broker credentials. Errors are application/problem+json (RFC 9457).',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'an API key from the keys file' } } },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  const uiFiles = swaggerUiFiles();
  // A logo of our own keeps swagger-ui from reading its logo file beside its module (absent in a bundle).
  if (uiFiles) void app.register(swaggerUi, { routePrefix: '/docs', baseDir: uiFiles, logo: { type: 'image/svg+xml', content: DOCS_LOGO } });
  else app.log.warn('@fastify/swagger-ui static files not found: /docs is not served (the OpenAPI document is, at /openapi.json)');
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  void app.register(opsRoutes, { series: deps.series, influxMembers: deps.influxMembers, alerting: deps.alerting, metrics: deps.metrics, figureChanges: deps.figureCache?.changes });

  const keyring = createKeyring(deps.apiKeys);
  const registry = registryViews(deps.registry, { recheckMs: deps.registryRecheckMs ?? 0 });
  void app.register(async (v1) => {
    // The registry first: authentication judges writes against it, and the request keeps it to its answer.
    attachRegistry(v1, registry);
    authenticateRequests(v1, keyring);
    await v1.register(rateLimit, {
      // After authentication: the limit is per API key, not per address.
      hook: 'preHandler',
      max: deps.rateLimit.max,
      timeWindow: deps.rateLimit.windowMs,
      keyGenerator: (request) => principalOf(request).keyId,
      errorResponseBuilder: (_request, context) =>
        new ApiError('MTL_API_RATE_LIMITED', `more than ${context.max} requests in ${context.after}; retry after the window`),
    });
    await v1.register(enterpriseRoutes, context);
    await v1.register(factorSetRoutes, context);
    await v1.register(seriesRoutes, context);
    await v1.register(reportRoutes, context);
    await v1.register(alertRoutes, context);
    await v1.register(deviceSequenceRoutes, context);
    await v1.register(manualEntryRoutes, context);
    await v1.register(targetRoutes, context);
    await v1.register(targetProgressRoutes, context);
    await v1.register(limitComplianceRoutes, context);
    await v1.register(baselineRoutes, context);
    await v1.register(findingsRoutes, context);
    await v1.register(baseLoadRoutes, context);
    // Without Kafka there is nothing to manage them with: the routes are absent (404), and absent from this instance's /openapi.json.
    if (context.alerting) {
      await v1.register(subscriptionRoutes, context);
      await v1.register(silenceRoutes, context);
    }
    // Likewise: uploads only onto the registry topic (a registry file is edited where it lies), credentials only with the broker's admin account.
    if (context.registryUploads) {
      await v1.register(registryRoutes, context);
      await v1.register(factorSetPinRoutes, context);
    }
    if (context.deviceAccounts) await v1.register(deviceCredentialRoutes, context);
  });
  return app;
}
