import { Type, type Static } from '@sinclair/typebox';
import { QUALITY_FLAGS } from '@meterline/domain';
import { stringEnum } from '../http/schemas.ts';

export const REPORT_SCHEMA = 'meterline.report/v1';
const CALIBRATION_STATUSES = ['valid', 'expiring', 'expired', 'not-yet-valid'] as const;

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

/** A figure exactly as `meterline account` prints it (meterline.account/v1). */
const FigureSchema = Type.Object(
  {
    value: Type.Number(),
    unit: Type.String(),
    expandedUncertainty: Type.Number({ description: 'U = k·u_c, k = 2, in unit' }),
    coverageFactor: Type.Number({ description: 'k' }),
    coveragePercent: Type.Number({ description: 'time backed by measured data, 0–100; aggregates: the lowest part' }),
    completenessPercent: Type.Number({ description: 'readings received ÷ expected at the declared cadence, 0–100; aggregates: pooled over the parts' }),
    quality: Type.Object({
      flags: Type.Array(stringEnum(QUALITY_FLAGS)),
      estimated: Type.Number({ description: 'the estimated part of value' }),
      suspectIntervals: Type.Integer(),
      readingsOutsideCalibration: Type.Integer(),
      readingsReceived: Type.Integer({ description: 'readings that came, at most one per expected' }),
      readingsExpected: Type.Integer({ description: "readings expected at each point's cadence" }),
      rollovers: Type.Integer({ description: 'register rollovers in the intervals used' }),
    }),
    factorSet: Type.String({ description: 'name@version' }),
  },
  { additionalProperties: false },
);
const Figure = FigureSchema;

const CarrierRow = Type.Object({
  carrier: Type.String(),
  direction: stringEnum(['input', 'output'] as const, { description: 'boundary input, or boundary output (deducted: its tce is negative)' }),
  points: Type.Array(Type.String(), { description: 'the boundary metering points of this carrier and direction' }),
  manualEntries: Type.Array(Type.String(), { description: 'ids of the manual deliveries and stock of this fuel on record: the month books them where no meter of the fuel stands at the site (flag manual)' }),
  tceEquivalent: Figure,
  tceEqualValue: Figure,
  tCO2LocationNet: Figure,
});

const DailyRow = Type.Object({
  day: Type.String({ description: 'YYYY-MM-DD, a local day of the month (23 or 25 hours on DST change days)' }),
  tceEquivalent: Figure,
  tCO2LocationNet: Figure,
  byCarrier: Type.Array(
    Type.Object({ carrier: Type.String(), direction: stringEnum(['input', 'output'] as const), tceEquivalent: Figure, tCO2LocationNet: Figure }),
    { description: 'the rows of energy.byCarrier, for this day' },
  ),
});

const BalanceRow = Type.Object({
  node: Type.String({ description: 'the metering point whose sub-meters are balanced against it' }),
  siteId: Type.String(),
  carrier: Type.String(),
  unit: Type.String({ description: "the node's unit; children are converted to it" }),
  children: Type.Array(Type.String()),
  input: Type.Number({ description: "the node's consumption" }),
  childrenSum: Type.Number(),
  gap: Type.Number({ description: 'input − Σ children: losses and unmetered loads' }),
  gapPercent: Nullable(Type.Number({ description: 'gap / input × 100; null when the input is 0' })),
  gapExpandedUncertainty: Type.Number({ description: 'U(gap) = 2·√(u_node² + Σu_child²), in unit' }),
  significant: Type.Boolean({ description: '|gap| > U(gap) (and the site threshold, if any)' }),
  coveragePercent: Type.Number({ description: 'the lowest coverage of the node and its children' }),
});

/** One rule of the regulator's data-quality scorecard for the month (packages/domain scorecard). */
const ScorecardRow = Type.Object({
  rule: Type.String(),
  requirement: Type.String({ description: 'what the rule asks, with its threshold' }),
  source: Type.String({ description: 'where the rule is published' }),
  confidence: stringEnum(['H', 'M', 'L'] as const, { description: 'how sure the reference data is of the rule' }),
  passed: Type.Boolean(),
  detail: Type.String(),
  findings: Type.Array(Type.String(), { description: 'each subject that fails (at most 50)' }),
});

const Scorecard = Type.Object(
  {
    rules: Type.String({ description: 'the rules’ reference data, id@version' }),
    passed: Type.Boolean({ description: 'every rule passed' }),
    outcomes: Type.Array(ScorecardRow),
  },
  { description: "the regulator's upload data-quality rules, judged on the month's figures and its days'" },
);

const YearOnYearRow = Type.Object({
  metric: Type.String({ description: 'tceEquivalent, tceEqualValue, carbon.totalLocation, carbon.totalMarket, or intensity.<product>[@site].tce|tco2' }),
  unit: Type.String(),
  current: Type.Number(),
  currentExpandedUncertainty: Type.Number(),
  previous: Type.Number(),
  previousExpandedUncertainty: Type.Number(),
  previousCoveragePercent: Type.Number(),
  change: Type.Number({ description: 'current − previous' }),
  changePercent: Nullable(Type.Number({ description: 'change / |previous| × 100; null when previous is 0' })),
});

export const ReportSchema = Type.Object(
  {
    schema: Type.Literal(REPORT_SCHEMA),
    inputsHash: Type.String({
      description: 'SHA-256 (hex) of the canonical JSON (RFC 8785) of the inputs: report schema, registry entry, factor set id, readings used',
    }),
    enterprise: Type.Object({
      id: Type.String(),
      name: Type.String(),
      region: Type.String(),
      gridRegion: Type.String(),
      timeZone: Type.String(),
      scope2Level: Type.String(),
    }),
    month: Type.String({ description: "YYYY-MM in the enterprise's time zone" }),
    period: Type.Object({ start: Type.String({ description: 'local ISO 8601 with offset' }), end: Type.String() }),
    factorSet: Type.String({ description: 'name@version' }),
    readingsUsed: Type.Integer({ description: 'readings of the month, with the two that bracket it per point' }),
    energy: Type.Object({
      standard: Type.Literal('GB/T 2589-2020'),
      byCarrier: Type.Array(CarrierRow),
      comprehensive: Type.Object({ tceEquivalent: Figure, tceEqualValue: Figure }, { description: 'boundary inputs − boundary outputs, tce' }),
      sites: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), tceEquivalent: Figure })),
    }),
    daily: Type.Array(DailyRow, { description: "the month's days, each accounted as the month is (meterline account --by day)" }),
    balances: Type.Array(BalanceRow, { description: 'energy balance of every node with sub-meters (GB/T 3484-2009)' }),
    carbon: Type.Object({
      scope1: Figure,
      scope2Location: Figure,
      scope2Market: Figure,
      purchasedHeat: Figure,
      exportedElectricity: Figure,
      totalLocation: Figure,
      totalMarket: Figure,
      totalLocationNetOfExports: Figure,
      scope2LocationFactor: Nullable(Type.Object({ level: Type.String(), value: Type.Number(), unit: Type.String(), source: Type.String() })),
    }),
    intensities: Type.Array(
      Type.Object({
        product: Type.String(),
        siteId: Nullable(Type.String()),
        production: Type.Number(),
        productionUnit: Type.String(),
        productionRelativeU: Type.Number({ description: 'relative standard uncertainty of production (0: booked without a declared error)' }),
        tcePerUnit: Figure,
        tCO2PerUnit: Nullable(Figure),
      }),
    ),
    yearOnYear: Type.Object({
      month: Type.String({ description: 'the same month a year earlier' }),
      comparison: Nullable(Type.Array(YearOnYearRow)),
      reason: Nullable(Type.String({ description: 'why there is no comparison' })),
    }),
    coverage: Type.Object({
      percent: Type.Number({ description: 'of comprehensive energy consumption: the lowest of its boundary points' }),
      points: Type.Array(Type.Object({ pointId: Type.String(), percent: Type.Number() })),
    }),
    meteringPoints: Type.Array(
      Type.Object({
        id: Type.String(),
        name: Nullable(Type.String()),
        siteId: Type.String(),
        carrier: Type.String(),
        quantity: Type.String(),
        role: Type.String(),
        parent: Nullable(Type.String()),
        consumption: Figure,
        tceEquivalent: Nullable(Figure),
        verifiedReadings: Type.Object(
          {
            used: Type.Integer({ description: "the point's readings used for the month, with the two that bracket it" }),
            verified: Type.Integer({ description: "of them, readings whose payload's Ed25519 signature ingest verified against the device's registered public key" }),
            percent: Nullable(Type.Number({ description: '100 × verified / used; null when no reading was used' })),
          },
          { description: 'tamper evidence: the share of signature-verified readings (devices without a registered key send unverified readings)' },
        ),
      }),
    ),
    calibration: Type.Array(
      Type.Object({
        pointId: Type.String(),
        certificate: Type.String(),
        validFrom: Type.String(),
        validUntil: Type.String(),
        status: stringEnum(CALIBRATION_STATUSES, {
          description: 'over the month: expired (ends before its last day), not-yet-valid (starts after its first day), expiring (ends within 90 days after it), else valid',
        }),
        readingsOutsideCalibration: Type.Integer({ description: 'readings used in the month taken outside the validity (from the figures)' }),
      }),
    ),
    dataQuality: Type.Object({
      flags: Type.Array(Type.String(), { description: 'every flag any figure of the report carries' }),
      figures: Type.Array(Type.Object({ figure: Type.String(), flags: Type.Array(Type.String()) }), { description: 'the figures that carry flags' }),
      suspectIntervals: Type.Integer(),
      issues: Type.Array(Type.Object({ code: Type.String(), message: Type.String(), pointId: Nullable(Type.String()) })),
    }),
    scorecard: Scorecard,
  },
  { $id: 'MonthlyReport', title: 'MonthlyReport', additionalProperties: false },
);

export type MonthlyReport = Static<typeof ReportSchema>;
