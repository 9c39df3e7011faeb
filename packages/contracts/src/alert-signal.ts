import { Type, type Static } from '@sinclair/typebox';
import { Id } from './common.ts';
import { FigureV1 } from './figure.ts';
import { jsonRecordCodec } from './kafka-record.ts';

export const ALERT_SIGNAL_SCHEMA_ID = 'meterline.alert-signal.v1';

/**
 * Kafka alert signal v1, the alerter's own input, keyed by enterprise so one alerter owns an
 * enterprise's alerts at a time. A tick asks the owner to evaluate the time-driven rules
 * (offline, calibration, budget) at `tickMs`; every instance publishes the same tick with the
 * same instant, and the owner evaluates each instant once.
 */
export const AlertSignalV1 = Type.Union([
  Type.Object(
    { v: Type.Literal(1), kind: Type.Literal('tick'), enterpriseId: Id, tickMs: Type.Integer() },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      v: Type.Literal(1),
      kind: Type.Literal('figures'),
      enterpriseId: Id,
      /** The figures the rules judge, from the aggregator's figure batches. */
      figures: Type.Array(FigureV1, { minItems: 1 }),
    },
    { additionalProperties: false },
  ),
]);
export type AlertSignalV1 = Static<typeof AlertSignalV1>;

/** The alert-signal topic's records, keyed by enterprise. */
export const alertSignalCodec = jsonRecordCodec(ALERT_SIGNAL_SCHEMA_ID, AlertSignalV1);
