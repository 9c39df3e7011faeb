import { Type, type Static } from '@sinclair/typebox';
import { loadConfigWithRegistry, RegistryConfigProperties } from '@meterline/feeds';
import { ConfigError, envName, InfluxConfigProperties } from '@meterline/service-kit';

const ApiConfigSchema = Type.Object({
  ...InfluxConfigProperties,
  /**
   * InfluxDB replicas fed from Kafka (ADR 0010), same token and database as MTL_INFLUX_URL:
   * readings and figures are read from the first of the primary and these that answers. Empty:
   * the primary alone.
   */
  influxReplicaUrls: Type.Array(Type.String({ pattern: '^https?://' }), { default: [] }),
  /**
   * Exactly one: MTL_REGISTRY_FILE (reread when it changes) or MTL_REGISTRY_TOPIC (followed
   * without restarts; needs MTL_KAFKA_BROKERS, and only then are registry uploads served).
   */
  ...RegistryConfigProperties,
  /** YAML or JSON: key ids, SHA-256 hashes of the secrets, roles (services/api/README.md). */
  apiKeysFile: Type.String({ minLength: 1 }),
  host: Type.String({ default: '127.0.0.1' }),
  port: Type.Integer({ minimum: 0, maximum: 65_535, default: 8_080 }),
  bodyLimitBytes: Type.Integer({ minimum: 1_024, maximum: 64 * 1_048_576, default: 1_048_576 }),
  /** Requests per API key per window. */
  rateLimitMax: Type.Integer({ minimum: 1, default: 600 }),
  rateLimitWindowMs: Type.Integer({ minimum: 1_000, default: 60_000 }),
  /**
   * Kafka, for webhook subscriptions and silences (the alerting topic) and for the registry
   * topic. Without it the API serves everything else and not those routes (404), saying so in
   * its log at start.
   */
  kafkaBrokers: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
  /** The compacted topic the alerters read subscriptions and silences from (infra/local/src/topics.ts). */
  alertingTopic: Type.String({ minLength: 1, default: 'meterline.alerting.v1' }),
  /**
   * The compacted topic of custom factor sets (infra/local/src/topics.ts): with Kafka, the API's
   * catalogue is the shipped sets plus those on it, read to its end before the API serves, and
   * POST /v1/factor-sets publishes to it.
   */
  factorSetsTopic: Type.String({ minLength: 1, default: 'meterline.factor-sets.v1' }),
  /** The aggregators' jobs topic (infra/local/src/topics.ts): with Kafka, a manual entry queues the recomputation of the months it changes there. */
  aggregationJobsTopic: Type.String({ minLength: 1, default: 'meterline.aggregation-jobs.v1' }),
  /**
   * The aggregator's announcements of figures (services/aggregator: MTL_RESTATEMENTS_TOPIC,
   * MTL_FIGURES_TOPIC). With Kafka, each instance follows both in a consumer group of its own
   * and drops the cached figure pages a restated or new figure may change.
   */
  restatementsTopic: Type.String({ minLength: 1, default: 'meterline.restatements.v1' }),
  figuresTopic: Type.String({ minLength: 1, default: 'meterline.figures.v1' }),
  /** Figure pages of closed periods kept in memory (least recently used dropped first); 0 turns the figure cache off. Needs Kafka. */
  figureCacheMaxEntries: Type.Integer({ minimum: 0, maximum: 10_000_000, default: 10_000 }),
  /** Bytes the kept pages may take (their JSON plus about 0.5 KiB each); the least recently used go first. */
  figureCacheMaxBytes: Type.Integer({ minimum: 1_048_576, maximum: 16 * 1_073_741_824, default: 64 * 1_048_576 }),
  /**
   * How long after a figure change is announced the store may still lack it (the aggregator
   * announces a unit's figures, then writes them: tens of seconds for a large enterprise's
   * day): the pages it may touch are read from the store for this long. Also how far back
   * the announcements are read at start.
   */
  figureCacheSettleMs: Type.Integer({ minimum: 0, maximum: 3_600_000, default: 120_000 }),
  /** Names this process's consumer groups (registry and factor-set topics, figure announcements), each with a part unique to the start; the host name if unset. */
  instanceId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._-]{1,48}$' })),
  /**
   * The admin account of the MQTT broker's dynamic security plugin, for devices' broker
   * credentials (packages/broker-accounts-dynsec). All three or none: without them the
   * credential routes are not served. The password is a secret: no default, never logged.
   */
  brokerAdminUrl: Type.Optional(Type.String({ pattern: '^(mqtts?|wss?)://' })),
  brokerAdminUsername: Type.Optional(Type.String({ minLength: 1 })),
  brokerAdminPassword: Type.Optional(Type.String({ minLength: 1 })),
  /** How long a credential call waits for the broker's answer before a 503. */
  brokerAdminCommandTimeoutMs: Type.Integer({ minimum: 1, default: 10_000 }),
  /**
   * Headless Chromium, which prints the monthly report as PDF: a path, or a name looked up on
   * PATH (Debian's package `chromium`, which ./meterline up and ./meterline test install).
   * Without it the API serves everything else; a PDF request answers 503 MTL_API_PDF_RENDERER_MISSING.
   */
  chromiumPath: Type.String({ minLength: 1, default: 'chromium' }),
  /** A PDF render still running after this is killed, and answered 503 MTL_API_PDF_RENDER_FAILED. */
  reportPdfTimeoutMs: Type.Integer({ minimum: 1_000, maximum: 600_000, default: 60_000 }),
  /** PDF renders at a time (each a Chromium process); up to eight times as many wait, more are answered 503. */
  reportPdfConcurrency: Type.Integer({ minimum: 1, maximum: 16, default: 2 }),
  logLevel: Type.Union([Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')], { default: 'info' }),
});

export type ApiConfig = Readonly<Static<typeof ApiConfigSchema>>;

const BROKER_ADMIN_KEYS = ['brokerAdminUrl', 'brokerAdminUsername', 'brokerAdminPassword'] as const;

/** Rules across keys, each problem naming its variables (never a value: one of them is a secret). */
function crossKeyProblems(env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  const set = (key: string) => env[envName(key)] !== undefined;
  if (set('registryTopic') && !set('kafkaBrokers')) {
    problems.push(`${envName('registryTopic')}: the registry topic is read through Kafka; set ${envName('kafkaBrokers')} too`);
  }
  const given = BROKER_ADMIN_KEYS.filter(set);
  if (given.length > 0 && given.length < BROKER_ADMIN_KEYS.length) {
    const missing = BROKER_ADMIN_KEYS.filter((key) => !set(key)).map(envName);
    problems.push(`${missing.join(', ')}: the broker admin account needs ${BROKER_ADMIN_KEYS.map(envName).join(', ')} together (or none, and no device credentials are served)`);
  }
  return problems;
}

/** Reads and validates the API's configuration once; ConfigError lists every bad key, the registry and cross-key rules included. */
export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const extra = crossKeyProblems(env);
  let config: ApiConfig;
  try {
    config = loadConfigWithRegistry(ApiConfigSchema, env);
  } catch (error) {
    if (error instanceof ConfigError && extra.length > 0) throw new ConfigError([...error.problems, ...extra]);
    throw error;
  }
  if (extra.length > 0) throw new ConfigError(extra);
  return config;
}

/** The broker admin account, when the configuration names one. */
export function brokerAdmin(config: ApiConfig): { url: string; username: string; password: string; commandTimeoutMs: number } | undefined {
  const { brokerAdminUrl: url, brokerAdminUsername: username, brokerAdminPassword: password } = config;
  if (url === undefined || username === undefined || password === undefined) return undefined;
  return { url, username, password, commandTimeoutMs: config.brokerAdminCommandTimeoutMs };
}

export function loadApiConfigOrExit(): ApiConfig {
  try {
    return loadApiConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`meterline api: ${error.message}\n`);
    process.exit(2);
  }
}
