import { Type } from '@sinclair/typebox';
import { InfluxConfigProperties, loadConfigOrExit } from '@meterline/service-kit';

const ApiConfigSchema = Type.Object({
  ...InfluxConfigProperties,
  registryFile: Type.String({ minLength: 1 }),
  /** YAML or JSON: key ids, SHA-256 hashes of the secrets, roles (services/api/README.md). */
  apiKeysFile: Type.String({ minLength: 1 }),
  host: Type.String({ default: '127.0.0.1' }),
  port: Type.Integer({ minimum: 0, maximum: 65_535, default: 8_080 }),
  bodyLimitBytes: Type.Integer({ minimum: 1_024, maximum: 64 * 1_048_576, default: 1_048_576 }),
  /** Requests per API key per window. */
  rateLimitMax: Type.Integer({ minimum: 1, default: 600 }),
  rateLimitWindowMs: Type.Integer({ minimum: 1_000, default: 60_000 }),
  /**
   * Kafka, for webhook subscriptions and silences (the alerting topic). Without it the API
   * serves everything else and not those routes (404), saying so in its log at start.
   */
  kafkaBrokers: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
  /** The compacted topic the alerters read subscriptions and silences from (infra/local/src/topics.ts). */
  alertingTopic: Type.String({ minLength: 1, default: 'meterline.alerting.v1' }),
  logLevel: Type.Union([Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')], { default: 'info' }),
});

export const loadApiConfig = () => loadConfigOrExit('api', ApiConfigSchema);
