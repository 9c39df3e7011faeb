import { Type, type Static } from '@sinclair/typebox';
import { QUALITY_FLAGS } from '@meterline/domain';
import { stringEnum } from '../http/schemas.ts';

export const REPORT_SCHEMA = 'meterline.report/v1';
/** How the report's targets and limits were obtained: what the section says of its rows. */
export const PUBLISHED_FIGURES = 'as published by the aggregator';
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

/** One of the enterprise's dual-control targets as of the month: a stored target_progress figure. */
const TargetRow = Type.Object({
  metric: Type.String({ description: 'energy-total, energy-intensity, co2-total or carbon-intensity' }),
  basis: Nullable(Type.String({ description: 'equivalent or equal-value (energy metrics); null for the CO2 metrics' })),
  year: Nullable(Type.Integer({ description: "the target's year" })),
  unit: Type.String({ description: "the target's unit (tce, tce/10^4 CNY, tCO2, tCO2/10^4 CNY)" }),
  ceiling: Nullable(Type.Number({ description: "the year's ceiling, in unit" })),
  toDate: Nullable(Type.Number({ description: 'from January to the month: a total, or an intensity of the months so far' })),
  toDateExpandedUncertainty: Nullable(Type.Number({ description: 'U (k = 2) of toDate' })),
  projection: Type.Number({ description: "projected to the year's end, in unit" }),
  projectionExpandedUncertainty: Type.Number({ description: 'U (k = 2) of the projection' }),
  months: Nullable(Type.Number({ description: 'the months the progress rests on' })),
  profile: Nullable(Type.String({ description: 'the seasonal profile of the projection: previous-year or uniform' })),
  status: Type.String({ description: 'on-track, at-risk, exceeded (or no-data)' }),
  statusRule: Nullable(Type.String({ description: 'the rule that gave the status, in words' })),
  judgedAgainst: Nullable(Type.String({ description: "the target's id and ceiling the figure was judged against" })),
  revision: Type.Integer({ description: 'the stored figure’s revision: 0 as first published, one more per restatement' }),
});

/** The enterprise's region's progress on a region target, as of the month (the region_target_progress series). */
const RegionTargetRow = Type.Object({
  region: Type.String(),
  metric: Type.String(),
  basis: Nullable(Type.String()),
  year: Type.Integer(),
  targetId: Type.String(),
  unit: Type.String(),
  ceiling: Type.Number(),
  toDate: Type.Number(),
  toDateExpandedUncertainty: Type.Number(),
  projection: Type.Number(),
  projectionExpandedUncertainty: Type.Number(),
  months: Type.Number(),
  profile: Type.String(),
  status: Type.String({ description: 'on-track, at-risk, exceeded or no-data' }),
  statusRule: Type.String(),
  enterprises: Type.Array(Type.String(), { description: 'the enterprises summed' }),
  missing: Type.Array(Type.String(), { description: 'the enterprises of the region whose month was missing' }),
  computedAt: Type.String({ description: 'when the aggregator summed the region' }),
});

/** A limit standard grade (limit, access, advanced): its value and the verdict against it. */
const GradeJudgement = Type.Object({
  value: Nullable(Type.Number({ description: "the grade's value in unit; null when not confirmed from the standard's text (no verdict is given on it)" })),
  verdict: Nullable(Type.String({ description: 'clearly-above, clearly-below, undecidable, unconfirmed or not-applicable' })),
});

/** A product's unit consumption against its mandatory energy-consumption limit standard: a stored limit_compliance figure. */
const ComplianceRow = Type.Object({
  product: Type.String({ description: "the registry's product" }),
  standard: Type.String({ description: "the limit data's product id (cement-clinker, …)" }),
  span: Type.String({ description: 'month, or year-to-date (January to the month)' }),
  siteId: Nullable(Type.String({ description: 'the site, when the product is made at one' })),
  unit: Type.String({ description: "the standard's unit (kgce/t, …)" }),
  value: Type.Number({ description: 'unit-product comprehensive energy consumption' }),
  expandedUncertainty: Type.Number({ description: 'U (k = 2), in unit' }),
  verdict: Type.String({ description: "the binding grade's verdict: clearly-above, clearly-below, undecidable (not decidable at the data's quality), unconfirmed, not-applicable" }),
  bindingGrade: Nullable(Type.String({ description: 'limit (existing plant) or access (new plant)' })),
  standardNumber: Nullable(Type.String({ description: "the standard's number and year (GB 16780-2021)" })),
  clause: Nullable(Type.String({ description: "the clause of the binding grade's value" })),
  limit: GradeJudgement,
  access: GradeJudgement,
  advanced: GradeJudgement,
  months: Nullable(Type.Number({ description: 'the months the figure rests on' })),
  judgedAgainst: Nullable(Type.String({ description: 'the limit data it was judged by, id@version' })),
  revision: Type.Integer({ description: 'the stored figure’s revision' }),
});

const TargetsAndLimits = Type.Object(
  {
    source: Type.Literal(PUBLISHED_FIGURES),
    targets: Type.Array(TargetRow, { description: "the enterprise's targets as of the month (the month's target_progress figures)" }),
    targetsReason: Nullable(Type.String({ description: 'why there is no target row' })),
    region: Type.Array(RegionTargetRow, { description: "the region's targets as of the month (region_target_progress at the month's start)" }),
    regionReason: Nullable(Type.String({ description: 'why there is no region row' })),
    compliance: Type.Array(ComplianceRow, { description: "the products' compliance for the month and the year to date (the month's limit_compliance figures)" }),
    complianceReason: Nullable(Type.String({ description: 'why there is no compliance row' })),
  },
  {
    description:
      "Dual-control targets and product energy-consumption limit standards, from the figures the aggregator stored and published (not recomputed here: that would be two years of accounting per report). They are NOT covered by inputsHash, which names what the report computes itself; each row names the stored figure's revision instead (the region's rows their computedAt).",
  },
);

/** One day of the month judged against a baseline's model: the chart's points. */
const BaselineDayRow = Type.Object({
  date: Type.String({ description: 'YYYY-MM-DD, a local day of the month after the baseline period' }),
  actual: Type.Number({ description: "the day's figure, in the baseline's unit" }),
  expected: Type.Number({ description: "the model's prediction for the day" }),
  predictionLow: Type.Number({ description: 'the 95 % prediction interval of the day' }),
  predictionHigh: Type.Number(),
  outside: Nullable(stringEnum(['above', 'below'] as const, { description: 'where the actual lies when it is outside the interval' })),
  cumulativeDeviation: Type.Number({ description: "Σ(actual − expected) from the month's first judged day to this one (the CUSUM line)" }),
});

/** One declared energy baseline (registry energyBaselines) as the month sees it. */
const EnergyBaselineRow = Type.Object({
  id: Type.String(),
  point: Nullable(Type.String({ description: "the metering point whose day consumption is the baseline's; null: the enterprise's standard coal (equivalent value)" })),
  unit: Type.String({ description: 'tce, or the point’s unit' }),
  period: Type.Object({ from: Type.String(), to: Type.String() }, { description: 'the baseline period, local days inclusive' }),
  product: Nullable(Type.String({ description: 'the product whose production is the production variable, when named' })),
  reporting: Nullable(Type.Object({ from: Type.String(), to: Type.String() }, { description: 'the days of the month after the baseline period; null when the month has none' })),
  model: Nullable(
    Type.Object({
      variables: Type.Array(Type.String(), { description: 'the regressors (hdd, cdd for degree days; production; workingDay)' }),
      baselineDays: Type.Integer({ description: 'days of the baseline period the model was fitted on' }),
      excludedDays: Type.Integer({ description: 'days left out because a variable was missing' }),
      rSquared: Nullable(Type.Number()),
      cvRmsePercent: Type.Number(),
      nmbePercent: Type.Number(),
      passed: Type.Boolean({ description: "the fit meets ASHRAE Guideline 14's criteria for daily data" }),
      criteria: Type.String({ description: 'the criteria judged by, id@version' }),
      failures: Type.Array(Type.String(), { description: 'each criterion failed, in words' }),
    }),
  ),
  savings: Nullable(
    Type.Object({
      days: Type.Integer({ description: 'reporting days with a figure' }),
      adjustedBaseline: Type.Number({ description: "Σ expected over the reporting days, in unit" }),
      actual: Type.Number({ description: 'Σ actual' }),
      savings: Type.Number({ description: 'adjustedBaseline − actual: avoided energy (positive = saved)' }),
      expandedUncertainty: Type.Number({ description: 'U (k = 2): the model (ASHRAE Guideline 14 Annex B) and the meters' }),
      claimed: Type.Boolean({ description: 'whether the savings may be claimed from this model' }),
      notClaimedReasons: Type.Array(Type.String(), { description: 'why not, when not claimed' }),
    }),
  ),
  days: Type.Array(BaselineDayRow),
  changePoints: Type.Array(
    Type.Object({
      direction: stringEnum(['up', 'down'] as const),
      startDate: Type.String({ description: 'the day the change is estimated to have begun' }),
      signalDate: Type.String({ description: 'the day the tabular CUSUM signalled it' }),
      shift: Type.Number({ description: 'the estimated shift of actual − expected per day, in unit' }),
    }),
    { description: 'lasting changes the tabular CUSUM (Page; k = 0.5 s, h = 5 s) found in the month' },
  ),
  reason: Nullable(Type.String({ description: 'why there is no model, or no savings for the month' })),
});

/** A fabrication detector's finding on one metering point's month: a stored fabrication_finding figure of value 1. */
const FabricationFindingRow = Type.Object({
  point: Type.String(),
  detector: Type.String(),
  summary: Type.String({ description: 'the finding in one sentence' }),
  evidence: Nullable(Type.String({ description: "the detector's evidence, JSON text" })),
  revision: Type.Integer({ description: 'the stored figure’s revision' }),
});

const BaselinesAndIntegrity = Type.Object(
  {
    baselines: Type.Array(EnergyBaselineRow, { description: "the enterprise's declared energy baselines (ISO 50001 EnB, ISO 50006), each fitted for this report" }),
    baselinesReason: Nullable(Type.String({ description: 'why there is no baseline row' })),
    fabrication: Type.Object({
      source: Type.Literal(PUBLISHED_FIGURES),
      status: stringEnum(['found', 'none-found', 'not-judged'] as const, { description: "found: at least one finding; none-found: every judgement clean; not-judged: no fabrication_finding figure is stored for the month" }),
      pointsJudged: Type.Integer({ description: 'metering points with at least one judgement of the month' }),
      findings: Type.Array(FabricationFindingRow, { description: 'by point, then detector' }),
      statement: Type.String({ description: 'the status in one sentence' }),
    }),
  },
  {
    description:
      "Energy baselines, fitted here from the stored day figures (standard coal of the enterprise, or a point's consumption) and the manual entries; those day figures are covered by inputsHash. Signs of fabricated or tampered data: the month's fabrication_finding figures as the aggregator published them, NOT covered by inputsHash (each names its revision).",
  },
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
      description: 'SHA-256 (hex) of the canonical JSON (RFC 8785) of the inputs: report schema, registry entry, factor set id, readings used, manual entries, and the day figures the energy baselines are fitted on (when the enterprise declares any); not the published figures of targetsAndLimits and of baselinesAndIntegrity.fabrication, which name their own revisions',
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
    targetsAndLimits: TargetsAndLimits,
    baselinesAndIntegrity: BaselinesAndIntegrity,
  },
  { $id: 'MonthlyReport', title: 'MonthlyReport', additionalProperties: false },
);

export type MonthlyReport = Static<typeof ReportSchema>;
