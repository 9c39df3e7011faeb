import { Type, type Static } from '@sinclair/typebox';
import { Id } from './common.ts';
import { jsonRecordCodec } from './kafka-record.ts';

export const FIGURE_BATCH_SCHEMA_ID = 'meterline.figure-batch.v1';

/**
 * The kinds of figure, as a figure names its own (FigureV1.measurement) on the wire. Where and
 * how each kind is stored is @meterline/series's business, not the wire format's.
 */
export const FIGURE_KINDS = Object.freeze({
  /** Per metering point, in the point's unit; subject: site, point, carrier, quantity, role (its place in the topology). */
  consumption: 'consumption',
  /** Standard coal in tce (GB/T 2589-2020); subject: region, level (enterprise | site), site, basis. */
  standardCoal: 'standard_coal',
  /** Energy balance of one topology node: value is the gap; subject: site, node, carrier. */
  energyBalance: 'energy_balance',
  /** tCO2 by scope; subject: region, scope. */
  carbon: 'carbon',
  /** Per unit of production; subject: region, product, metric, and site when site-level. */
  intensity: 'intensity',
  /**
   * One rule of the regulator's upload data-quality scorecard for an enterprise's month
   * (monitoring-quality-rules.json): value 1 when it passes, 0 when it fails, unit `pass`;
   * subject: region, rule.
   */
  qualityRule: 'quality_rule',
  /**
   * A product's unit comprehensive energy consumption judged against its mandatory
   * energy-consumption limit standard: value in the standard's unit (kgce/t, …); subject:
   * region, product, standard (the limit data's product id), span (month | year-to-date), and
   * site when the product is made at one site.
   */
  limitCompliance: 'limit_compliance',
  /**
   * Progress on one of the enterprise's dual-control targets as of a month: value is the
   * projection to the year's end, in the target's unit; subject: region, metric (energy-total,
   * energy-intensity, co2-total, carbon-intensity), and basis for the energy metrics.
   */
  targetProgress: 'target_progress',
  /**
   * One day judged against one of the enterprise's declared energy baselines (ISO 50006;
   * registry `energyBaselines`): value is actual − expected, in the baseline's unit (tce, or the
   * point's); subject: baseline (its id), and point when it is a point's. Only days after the
   * baseline period; none while the baseline cannot be fitted.
   */
  baselineDeviation: 'baseline_deviation',
  /**
   * One fabrication detector's judgement of one metered point's month (issue 20): value 1 when
   * the detector found signs of fabricated or tampered data, 0 when not, unit `finding`;
   * subject: point, detector.
   */
  fabricationFinding: 'fabrication_finding',
} as const);
export type FigureKind = (typeof FIGURE_KINDS)[keyof typeof FIGURE_KINDS];

export const PeriodKindSchema = Type.Union([
  Type.Literal('quarter-hour'),
  Type.Literal('hour'),
  Type.Literal('day'),
  Type.Literal('month'),
  Type.Literal('year'),
]);

const Detail = Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]*$' }), Type.Union([Type.Number(), Type.String(), Type.Boolean()]));

/** One figure as published: enough to judge it (uncertainty, coverage, quality) and reproduce it. */
export const FigureV1 = Type.Object(
  {
    /** The kind of figure (named `measurement` since v1; the name stays for compatibility). */
    measurement: Type.Union(Object.values(FIGURE_KINDS).map((m) => Type.Literal(m))),
    enterpriseId: Id,
    /** The tags that, with enterprise and period kind, name the series (e.g. { site, point, carrier, quantity }). */
    subject: Type.Record(Type.String({ pattern: '^[a-z][a-z_]*$' }), Type.String({ minLength: 1 })),
    periodKind: PeriodKindSchema,
    /** The period in the enterprise's time zone: YYYY-MM-DD, YYYY-MM, or a local start with offset. */
    periodKey: Type.String(),
    startMs: Type.Integer(),
    endMs: Type.Integer(),
    value: Type.Number(),
    unit: Type.String(),
    /** U at k = 2, in `unit`. */
    expandedUncertainty: Type.Number({ minimum: 0 }),
    coveragePercent: Type.Number({ minimum: 0, maximum: 100 }),
    /** The estimated part of `value`. */
    estimated: Type.Number(),
    flags: Type.Array(Type.String()),
    /** name@version of the factor set. */
    factorSet: Type.String(),
    /** Hash of the enterprise's registry entry the figure was computed from. */
    registryVersion: Type.String(),
    /** 0 when first published; each restatement adds one. */
    revision: Type.Integer({ minimum: 0 }),
    /** Figure-specific numbers (tce of a point, a balance's input and loss percent, …). */
    detail: Detail,
  },
  { additionalProperties: false },
);
export type FigureV1 = Static<typeof FigureV1>;

/** Kafka figures v1, keyed by enterprise: new or changed figures of one computation, in parts of bounded size. */
export const FigureBatchV1 = Type.Object(
  {
    v: Type.Literal(1),
    enterpriseId: Id,
    computedAt: Type.String(),
    figures: Type.Array(FigureV1),
  },
  { additionalProperties: false },
);
export type FigureBatchV1 = Static<typeof FigureBatchV1>;
/** The figures topic's records. */
export const figureBatchCodec = jsonRecordCodec(FIGURE_BATCH_SCHEMA_ID, FigureBatchV1);
