import { Type, type Static } from '@sinclair/typebox';
import { Id } from './common.ts';
import { PeriodKindSchema } from './figure.ts';
import { jsonRecordCodec } from './kafka-record.ts';

export const AGGREGATION_JOB_SCHEMA_ID = 'meterline.aggregation-job.v1';

/**
 * Kafka aggregation job v1, keyed by enterprise: compute the closed periods of `kinds`
 * that overlap [fromMs, toMs). Keying by enterprise puts all of one enterprise's jobs in
 * one partition, so one aggregator instance at a time works on it.
 */
export const AggregationJobV1 = Type.Object(
  {
    v: Type.Literal(1),
    /** Deterministic for scheduled jobs (enterprise, kinds, slot), so instances that all schedule it can tell a repeat. */
    jobId: Type.String({ minLength: 1 }),
    enterpriseId: Id,
    kinds: Type.Array(PeriodKindSchema, { minItems: 1 }),
    fromMs: Type.Integer(),
    toMs: Type.Integer(),
    origin: Type.Union([Type.Literal('schedule'), Type.Literal('on-demand')]),
    requestedAt: Type.String(),
  },
  { additionalProperties: false },
);
export type AggregationJobV1 = Static<typeof AggregationJobV1>;
/** The jobs topic's records. */
export const aggregationJobCodec = jsonRecordCodec(AGGREGATION_JOB_SCHEMA_ID, AggregationJobV1);
