import { readFile } from 'node:fs/promises';
import { Type, type Static, type TObject } from '@sinclair/typebox';
import { loadLimitStandards, type LimitStandards } from '@meterline/domain';
import { RegistryConfigProperties, loadConfigWithRegistryOrExit } from '@meterline/feeds';
import { InfluxConfigProperties, KafkaProducerClientProperty, influxConnection, loadConfig } from '@meterline/service-kit';

const LogLevel = Type.Union([Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')], { default: 'info' });

/** What the aggregator and the backfill command both need: where readings, figures and jobs are. */
const StorageSchema = {
  kafkaBrokers: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
  figuresTopic: Type.String({ minLength: 1, default: 'meterline.figures.v1' }),
  restatementsTopic: Type.String({ minLength: 1, default: 'meterline.restatements.v1' }),
  ...InfluxConfigProperties,
  /** How far around a period to look for the readings that bound it; a longer silence is a gap. */
  boundSearchDays: Type.Integer({ minimum: 1, maximum: 366, default: 35 }),
  /** Also give standard coal with electricity at its equal value. */
  equalValue: Type.Boolean({ default: true }),
  /** Fill gaps at the period's mean rate, flagged estimated (off: a gap lowers coverage). */
  estimateGaps: Type.Boolean({ default: false }),
  writeChunkPoints: Type.Integer({ minimum: 1, default: 5_000 }),
  /**
   * Gzip the figure writes to InfluxDB. Off by default: on one machine or a fast link the
   * compression here and the decompression in InfluxDB cost more than the bytes they save
   * (bench:aggregate, first computation of a day: 20 158 figures/s gzipped, 26 780 uncompressed).
   */
  influxGzipWrites: Type.Boolean({ default: false }),
  /** Figures per Kafka record (about 600 bytes each; a record must stay under the broker's message.max.bytes). */
  maxFiguresPerMessage: Type.Integer({ minimum: 1, maximum: 800, default: 400 }),
  /**
   * A deployment's own energy-consumption limit standards (JSON, the shape of the shipped
   * energy-limit-standards.json), e.g. with the values its regulator confirmed; unset: the shipped set.
   */
  limitStandardsFile: Type.Optional(Type.String({ minLength: 1 })),
  logLevel: LogLevel,
};

const AggregatorConfigSchema = Type.Object({
  ...StorageSchema,
  /** Exactly one: MTL_REGISTRY_FILE (reread when it changes) or MTL_REGISTRY_TOPIC (followed without restarts). */
  ...RegistryConfigProperties,
  jobsTopic: Type.String({ minLength: 1, default: 'meterline.aggregation-jobs.v1' }),
  /** Custom factor sets (the API adds them), over the shipped ones; unset: the shipped sets only. */
  factorSetsTopic: Type.Optional(Type.String({ minLength: 1 })),
  groupId: Type.String({ minLength: 1, default: 'meterline-aggregator' }),
  kafkaSessionTimeoutMs: Type.Integer({ minimum: 6_000, default: 30_000 }),
  /** The figures' and jobs' producer (bench:aggregate: figures announced in 8.4 s through @platformatic/kafka, 20.3 s through kafkajs). */
  ...KafkaProducerClientProperty,
  instanceId: Type.String({ pattern: '^[A-Za-z0-9._-]{1,48}$' }),
  /** The quarter-hourly run recomputes quarter-hours and hours this far back. */
  recentLookbackMinutes: Type.Integer({ minimum: 15, default: 360 }),
  /** The daily run recomputes every period kind this far back: late data within it is restated. */
  dailyLookbackDays: Type.Integer({ minimum: 1, default: 3 }),
  /** How often landing marks are looked for, to compute late readings' periods within seconds (0: never). */
  landedPollSeconds: Type.Integer({ minimum: 0, maximum: 59, default: 5 }),
  retryBaseMs: Type.Integer({ minimum: 1, default: 1_000 }),
  retryMaxMs: Type.Integer({ minimum: 1, default: 30_000 }),
  opsHost: Type.String({ default: '127.0.0.1' }),
  opsPort: Type.Integer({ minimum: 0, maximum: 65_535, default: 9_466 }),
});

/** The backfill reads the registry from its file only. */
const BackfillConfigSchema = Type.Object({ ...StorageSchema, registryFile: Type.String({ minLength: 1 }) });
type StorageConfig = Static<TObject<typeof StorageSchema>>;

export const loadAggregatorConfig = () => loadConfigWithRegistryOrExit('aggregator', AggregatorConfigSchema);
export const loadBackfillConfig = (env: NodeJS.ProcessEnv) => loadConfig(BackfillConfigSchema, env);

/** The InfluxDB adapter's options; a month's figures of a large enterprise take time to read, hence the long timeout. */
export const influxOptions = (c: StorageConfig) => ({ ...influxConnection(c), timeoutMs: 60_000, gzipWrites: c.influxGzipWrites });

/**
 * The limit standards products are judged by: the deployment's file, checked like the shipped
 * set (a bad file stops the start, listing every problem), or the shipped set.
 */
export async function limitStandardsOf(c: StorageConfig): Promise<LimitStandards> {
  if (c.limitStandardsFile === undefined) return loadLimitStandards();
  let data: unknown;
  try {
    data = JSON.parse(await readFile(c.limitStandardsFile, 'utf8'));
  } catch (error) {
    throw new Error(`MTL_LIMIT_STANDARDS_FILE ${c.limitStandardsFile}: not a readable JSON file (${(error as Error).message})`, { cause: error });
  }
  return loadLimitStandards(data);
}

/** The interpolation limit is no option: it follows each metering point's declared cadence. */
export const accountingOptions = (c: StorageConfig) => ({
  equalValue: c.equalValue,
  estimateGaps: c.estimateGaps,
});
