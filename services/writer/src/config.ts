import { Type } from '@sinclair/typebox';
import { InfluxConfigProperties, loadConfigOrExit } from '@meterline/service-kit';

const WriterConfigSchema = Type.Object({
  kafkaBrokers: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
  readingsTopic: Type.String({ minLength: 1, default: 'meterline.readings.v1' }),
  deadLetterTopic: Type.String({ minLength: 1, default: 'meterline.readings.dlq.v1' }),
  groupId: Type.String({ minLength: 1, default: 'meterline-writer' }),
  /**
   * On a replica's writers (ADR 0010): also copy the figures and restatements the aggregators
   * announce, in a consumer group `<groupId>-figures`. Empty: readings only.
   */
  figuresTopic: Type.String({ default: '' }),
  restatementsTopic: Type.String({ minLength: 1, default: 'meterline.restatements.v1' }),
  /** After a writer dies, its partitions wait this long for a successor; keep it above retryMaxMs. */
  kafkaSessionTimeoutMs: Type.Integer({ minimum: 6_000, default: 30_000 }),
  instanceId: Type.String({ pattern: '^[A-Za-z0-9._-]{1,48}$' }),
  ...InfluxConfigProperties,
  /**
   * A Kafka fetch waits for this many bytes of readings or this many ms, whichever comes first:
   * at low rates, many tiny batches would each cost an InfluxDB write and an offset commit.
   */
  kafkaFetchMinBytes: Type.Integer({ minimum: 1, default: 262_144 }),
  kafkaFetchMaxWaitMs: Type.Integer({ minimum: 0, default: 100 }),
  /**
   * Partitions' batches handled at once. The batches of one fetch reach InfluxDB in one request
   * (up to writeChunkPoints), not one each; keep it at least the readings topic's partitions.
   */
  kafkaPartitionsConcurrently: Type.Integer({ minimum: 1, default: 12 }),
  /** Points per InfluxDB request; a Kafka batch larger than this is written in several requests. */
  writeChunkPoints: Type.Integer({ minimum: 1, default: 5_000 }),
  retryBaseMs: Type.Integer({ minimum: 1, default: 250 }),
  retryMaxMs: Type.Integer({ minimum: 1, default: 10_000 }),
  opsHost: Type.String({ default: '127.0.0.1' }),
  opsPort: Type.Integer({ minimum: 0, maximum: 65_535, default: 9_465 }),
  logLevel: Type.Union([Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')], { default: 'info' }),
});

export const loadWriterConfig = () => loadConfigOrExit('writer', WriterConfigSchema);
