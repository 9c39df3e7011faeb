import { Type } from '@sinclair/typebox';
import { RegistryConfigProperties, loadConfigWithRegistryOrExit } from '@meterline/feeds';
import { InfluxConfigProperties } from '@meterline/service-kit';

const LogLevel = Type.Union([Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')], { default: 'info' });

const AlerterConfigSchema = Type.Object({
  kafkaBrokers: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
  readingsTopic: Type.String({ minLength: 1, default: 'meterline.readings.v1' }),
  deviceStatusTopic: Type.String({ minLength: 1, default: 'meterline.device-status.v1' }),
  /** Per readings payload, the device's seq and digest (from ingest), keyed by device id. */
  deviceSequenceTopic: Type.String({ minLength: 1, default: 'meterline.device-sequence.v1' }),
  figuresTopic: Type.String({ minLength: 1, default: 'meterline.figures.v1' }),
  signalsTopic: Type.String({ minLength: 1, default: 'meterline.alert-signals.v1' }),
  notificationsTopic: Type.String({ minLength: 1, default: 'meterline.alert-notifications.v1' }),
  notificationsDlqTopic: Type.String({ minLength: 1, default: 'meterline.alert-notifications.dlq.v1' }),
  /** Consumer groups of the three stages; instances of one deployment share them. */
  observerGroupId: Type.String({ minLength: 1, default: 'meterline-alerter-observer' }),
  managerGroupId: Type.String({ minLength: 1, default: 'meterline-alerter' }),
  dispatcherGroupId: Type.String({ minLength: 1, default: 'meterline-alerter-dispatcher' }),
  kafkaSessionTimeoutMs: Type.Integer({ minimum: 6_000, default: 30_000 }),
  ...InfluxConfigProperties,
  /** Exactly one: MTL_REGISTRY_FILE (reread when it changes) or MTL_REGISTRY_TOPIC (followed without restarts). */
  ...RegistryConfigProperties,
  /** Rules, budgets, subscriptions (with their secrets) and silences; reread when it changes. */
  alertingFile: Type.String({ minLength: 1 }),
  /** Subscriptions and silences managed through the API (compacted; every instance reads it whole), over the file's. */
  alertingTopic: Type.String({ minLength: 1, default: 'meterline.alerting.v1' }),
  /** How often the time-driven rules run (offline, calibration, budget); a divisor of 60 keeps ticks evenly spaced. */
  tickSeconds: Type.Integer({ minimum: 1, maximum: 60, default: 30 }),
  /** Figures of periods that ended longer ago are history (a backfill, a restatement): not alerted on. */
  figureMaxAgeHours: Type.Integer({ minimum: 1, default: 48 }),
  maxFiguresPerSignal: Type.Integer({ minimum: 1, maximum: 800, default: 400 }),
  /** Webhook retries: exponential backoff with full jitter from the base delay, capped, then a dead letter. */
  deliveryBaseDelayMs: Type.Integer({ minimum: 1, default: 1_000 }),
  deliveryMaxDelayMs: Type.Integer({ minimum: 1, default: 60_000 }),
  deliveryMaxAttempts: Type.Integer({ minimum: 1, default: 20 }),
  deliveryTimeoutMs: Type.Integer({ minimum: 100, default: 10_000 }),
  /** A receiver's Retry-After is honoured up to this long. */
  deliveryMaxRetryAfterMs: Type.Integer({ minimum: 1, default: 600_000 }),
  /** Notification partitions delivered at once (up to the topic's partitions). */
  dispatchPartitionsConcurrently: Type.Integer({ minimum: 1, maximum: 64, default: 6 }),
  /** Where receivers in Alertmanager format are pointed back to (externalURL, generatorURL); unset: ''. */
  webhookExternalUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
  instanceId: Type.String({ pattern: '^[A-Za-z0-9._-]{1,48}$' }),
  opsHost: Type.String({ default: '127.0.0.1' }),
  opsPort: Type.Integer({ minimum: 0, maximum: 65_535, default: 9_467 }),
  logLevel: LogLevel,
});

export const loadAlerterConfig = () => loadConfigWithRegistryOrExit('alerter', AlerterConfigSchema);
