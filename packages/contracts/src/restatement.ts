import { Type, type Static } from '@sinclair/typebox';
import { Id } from './common.ts';
import { FigureV1, PeriodKindSchema } from './figure.ts';
import { jsonRecordCodec } from './kafka-record.ts';

export const RESTATEMENT_SCHEMA_ID = 'meterline.restatement.v1';

/** Why a published figure changed. A closed list: reports and dashboards count by it. */
export const RestatementReason = Type.Union([
  /** Readings arrived late, or were corrected, after the figure was published. */
  Type.Literal('READINGS_CHANGED'),
  /** The enterprise's registry entry changed (a replacement recorded, a multiplier fixed, …). */
  Type.Literal('REGISTRY_CHANGED'),
  /** The enterprise's factor set changed. */
  Type.Literal('FACTOR_SET_CHANGED'),
  /** Manual entries the figure rests on were added or corrected (the restatement's detail names them and each correction's reason). */
  Type.Literal('MANUAL_ENTRIES_CHANGED'),
  /** A dual-control target the progress is judged against was set or replaced. */
  Type.Literal('TARGET_CHANGED'),
  /** The energy-consumption limit standards a compliance verdict is judged by changed version. */
  Type.Literal('LIMIT_STANDARDS_CHANGED'),
]);
export type RestatementReason = Static<typeof RestatementReason>;

const Published = Type.Pick(FigureV1, ['value', 'expandedUncertainty', 'coveragePercent', 'flags', 'factorSet', 'registryVersion', 'revision']);

/** Kafka restatement v1, keyed by enterprise: a published figure replaced by a new value. */
export const RestatementV1 = Type.Object(
  {
    v: Type.Literal(1),
    /** Deterministic: the same change restated twice (a rerun after a crash) has the same id. */
    restatementId: Type.String(),
    enterpriseId: Id,
    measurement: FigureV1.properties.measurement,
    subject: FigureV1.properties.subject,
    periodKind: PeriodKindSchema,
    periodKey: Type.String(),
    startMs: Type.Integer(),
    unit: Type.String(),
    old: Published,
    new: Published,
    reason: RestatementReason,
    detail: Type.String(),
    restatedAt: Type.String(),
  },
  { additionalProperties: false },
);
export type RestatementV1 = Static<typeof RestatementV1>;
/** The restatements topic's records. */
export const restatementCodec = jsonRecordCodec(RESTATEMENT_SCHEMA_ID, RestatementV1);
