import { FIGURE_KINDS, type FigureKind, type FigureV1 } from '@meterline/contracts';
import type { PeriodKind, TimeRange } from '@meterline/domain';
import type { FieldValue, SeriesPoint, SeriesQuery, TimeSeriesStore } from '@meterline/store';
import { isNumber, readRows, unreadable, type OnUnreadable, type RowRead, type StoredRow } from './row-read.ts';

/**
 * Each kind of figure is stored in the measurement named like the kind (FigureV1.measurement):
 * kind → measurement. The kinds are the wire format's; that they double as measurement names
 * is a storage rule, stated here once.
 */
export const FIGURE_MEASUREMENTS: { readonly [K in keyof typeof FIGURE_KINDS]: (typeof FIGURE_KINDS)[K] } = Object.freeze({ ...FIGURE_KINDS });
const measurementOf = (kind: FigureKind): string => kind;

const MEASUREMENTS = new Set<string>(Object.values(FIGURE_MEASUREMENTS));

/**
 * The tags of a figure series: `enterprise` and `period` (the period kind), then the figure's
 * subject, whose keys are tag names too (FIGURE_SUBJECT_TAGS says which kind has which).
 */
export const FIGURE_TAGS = Object.freeze({
  enterprise: 'enterprise',
  period: 'period',
  region: 'region',
  site: 'site',
  point: 'point',
  carrier: 'carrier',
  quantity: 'quantity',
  /** A metering point's place in the topology (`boundary-input`, …). */
  role: 'role',
  /** Standard coal: `enterprise` or `site` (STANDARD_COAL_LEVELS). */
  level: 'level',
  /** Standard coal: `equivalent` or `equal-value` (STANDARD_COAL_BASES). */
  basis: 'basis',
  /** Energy balance: the topology node whose input is balanced against its children. */
  node: 'node',
  /** Carbon: one of CARBON_SCOPES (packages/domain). */
  scope: 'scope',
  product: 'product',
  /** Intensity: `tce` or `tco2` per unit of production (INTENSITY_METRICS). */
  metric: 'metric',
  /** Quality rule: the scorecard rule judged (`completeness`, `daily-monthly-consistency`, …; ScorecardRule of packages/domain). */
  rule: 'rule',
  /** Limit compliance: the product of the limit standards' data (`cement-clinker`, …). */
  standard: 'standard',
  /** Limit compliance: `month` or `year-to-date` (COMPLIANCE_SPANS). */
  span: 'span',
  /** Baseline deviation: the id of the enterprise's declared energy baseline. */
  baseline: 'energy_baseline',
  /** Fabrication finding: the detector (FABRICATION_DETECTORS of packages/mining). */
  detector: 'detector',
} as const);

const T = FIGURE_TAGS;

/** The subject tags each kind's series have (site is absent from enterprise-wide standard coal and intensities). */
export const FIGURE_SUBJECT_TAGS: Readonly<Record<FigureKind, readonly string[]>> = Object.freeze({
  [FIGURE_KINDS.consumption]: [T.site, T.point, T.carrier, T.quantity, T.role],
  [FIGURE_KINDS.standardCoal]: [T.region, T.level, T.site, T.basis],
  [FIGURE_KINDS.energyBalance]: [T.site, T.node, T.carrier],
  [FIGURE_KINDS.carbon]: [T.region, T.scope],
  [FIGURE_KINDS.intensity]: [T.region, T.product, T.metric, T.site],
  [FIGURE_KINDS.qualityRule]: [T.region, T.rule],
  [FIGURE_KINDS.limitCompliance]: [T.region, T.product, T.standard, T.span, T.site],
  /** `metric` is the target's (TARGET_METRICS of packages/domain); `basis` only for the energy metrics. */
  [FIGURE_KINDS.targetProgress]: [T.region, T.metric, T.basis],
  /** `site` only for a site's baseline, `point` only for a point's. */
  [FIGURE_KINDS.baselineDeviation]: [T.baseline, T.site, T.point],
  [FIGURE_KINDS.fabricationFinding]: [T.point, T.detector],
});

export const STANDARD_COAL_LEVELS = Object.freeze({ enterprise: 'enterprise', site: 'site' } as const);
export const STANDARD_COAL_BASES = Object.freeze({ equivalent: 'equivalent', equalValue: 'equal-value' } as const);
export const INTENSITY_METRICS = Object.freeze({ tce: 'tce', tco2: 'tco2' } as const);
export const COMPLIANCE_SPANS = Object.freeze({ month: 'month', yearToDate: 'year-to-date' } as const);

/**
 * The fields every figure has. `expanded_u` is U = k·u with k = 2 (GUM), in the figure's unit:
 * a bare `u` would read as the standard uncertainty, half of it.
 */
export const FIGURE_FIELDS = Object.freeze({
  value: 'value',
  unit: 'unit',
  expandedU: 'expanded_u',
  coverage: 'coverage',
  estimated: 'estimated',
  flags: 'flags',
  factorSet: 'factor_set',
  registryVersion: 'registry_version',
  periodKey: 'period_key',
  periodEnd: 'period_end',
  revision: 'revision',
} as const);

/**
 * The figure-specific fields (FigureV1.detail, stored next to the base fields under the same
 * names). Their names are the published detail keys, so they are the wire format's as much as
 * the store's.
 */
export const FIGURE_DETAIL_FIELDS = Object.freeze({
  /**
   * Every figure: data completeness in %, readings received ÷ expected at each point's cadence
   * (pooled over the parts of an aggregate); `coverage` is the other measure, of energy.
   */
  completeness: 'completeness',
  /** Every figure: the readings behind `completeness`. */
  readingsReceived: 'readings_received',
  readingsExpected: 'readings_expected',
  /** Consumption: register rollovers in the intervals used. */
  rollovers: 'rollovers',
  /** Consumption: intervals not booked (suspect drops, over capacity). */
  suspectIntervals: 'suspect_intervals',
  /** Consumption, energy balance: readings used that were dated outside the meter's calibration validity (a balance: of its input and children). */
  outsideCalibration: 'outside_calibration',
  /** Consumption: standard coal of the point, equivalent value, where the carrier converts. */
  tce: 'tce',
  /** Consumption: U (k = 2) of `tce`. */
  tceExpandedU: 'tce_u',
  /** Energy balance: the parent's input; `value` is the gap. */
  input: 'input',
  childrenSum: 'children_sum',
  /** Energy balance: |gap| > U(gap). */
  significant: 'significant',
  /** Energy balance: the child node ids, comma-separated. */
  children: 'children',
  /** Intensity: the production the figure is per unit of. */
  production: 'production',
  productionUnit: 'production_unit',
  /** Intensity: the relative standard uncertainty of `production` (0: booked without a declared error). */
  productionU: 'production_u',
  /**
   * Any figure flagged manual, and a quality rule of a month whose accounting used manual
   * entries: the ids of the standing manual entries used, sorted, comma-separated.
   */
  manualEntries: 'manual_entries',
  /** Quality rule: what the rule asks, with its threshold. */
  ruleRequirement: 'requirement',
  /** Quality rule: where the rule comes from, and how sure that is (H, M, L). */
  ruleSource: 'source',
  ruleConfidence: 'confidence',
  /** Quality rule: one line, what was found (the first findings, or why it passes). */
  ruleSummary: 'summary',
  /** Quality rule: subjects that fail it (points, indicators and periods); 0 when it passes. */
  ruleFindings: 'findings',
  /** Quality rule: the rules' reference data it was judged by, id@version (as `factor_set` names the factors'). */
  ruleSet: 'rule_set',
  /**
   * Limit compliance and target progress: the judgement, as text. Compliance: the binding
   * grade's verdict (clearly-above, clearly-below, undecidable, unconfirmed, not-applicable);
   * target progress: the status (on-track, at-risk, exceeded, no-data). A changed verdict is
   * restated even when the value did not move.
   */
  verdict: 'verdict',
  /**
   * Limit compliance: the limit data it was judged by, id@version; target progress: the target's
   * id and ceiling. A change of it is a restatement by a new standard or target.
   */
  judgedAgainst: 'judged_against',
  /** Limit compliance: the standard's number and year (GB 16780-2021) and the clause of the binding grade. */
  standardNumber: 'standard_number',
  clause: 'clause',
  /** Limit compliance: `limit` (existing plant) or `access` (new plant), the grade the verdict is on. */
  bindingGrade: 'binding_grade',
  /** Limit compliance: each grade's value (absent when not confirmed) and verdict. */
  limitValue: 'limit_value',
  limitVerdict: 'limit_verdict',
  accessValue: 'access_value',
  accessVerdict: 'access_verdict',
  advancedValue: 'advanced_value',
  advancedVerdict: 'advanced_verdict',
  /** Limit compliance and target progress: the months the figure rests on. */
  months: 'months',
  /** Target progress: the ceiling, the value to date, its U (k = 2) and the projection's profile. */
  ceiling: 'ceiling',
  toDate: 'to_date',
  toDateExpandedU: 'to_date_u',
  profile: 'profile',
  /** Target progress: the status rule, in words. */
  statusRule: 'status_rule',
  /** Target progress: the target's year. */
  year: 'year',
  /** Baseline deviation: the model's prediction for the day and its 95 % prediction interval, in the figure's unit. */
  expected: 'expected',
  predictionLow: 'prediction_low',
  predictionHigh: 'prediction_high',
  /** Baseline deviation: `above` or `below` when the actual is outside the prediction interval, else `inside`. */
  outside: 'outside',
  /** Baseline deviation: Σ(actual − expected) since the baseline period, and the tabular CUSUM statistics C⁺ and C⁻ (Page; k = 0.5 s, h = 5 s). */
  cumulativeDeviation: 'cumulative_deviation',
  cusumUpper: 'cusum_upper',
  cusumLower: 'cusum_lower',
  /**
   * Baseline deviation: the lasting change the CUSUM finds as of this day. `change_level` is the
   * level of actual − expected it monitors around (the sum of its change points' shifts so far,
   * in the figure's unit a day); `change_signal` is `up` when that level is above the allowance
   * k·s, `down` when below −k·s, empty otherwise (no change yet, or a return to the baseline);
   * `change_since` is the day that lasting change began: the start of the change point that took
   * the level beyond the allowance (later change points refining the same rise do not move it;
   * empty with no signal).
   */
  changeLevel: 'change_level',
  changeSignal: 'change_signal',
  changeSince: 'change_since',
  /** Baseline deviation: whether the model meets ASHRAE Guideline 14's criteria, and its CV(RMSE) in %. */
  fitPassed: 'fit_passed',
  cvRmse: 'cv_rmse',
  /** Fabrication finding: the finding in one sentence (empty when nothing was found). */
  findingSummary: 'finding_summary',
  /** Fabrication finding: the detector's evidence, as JSON text (docs/fabrication-detectors.md). */
  evidence: 'evidence',
} as const);

const F = FIGURE_FIELDS;
const BASE = new Set<string>(Object.values(F));
const RESERVED_TAGS = new Set<string>([T.enterprise, T.period]);

/** The timestamp is the period's start, so a recomputed figure overwrites itself. */
export function figurePoint(figure: FigureV1): SeriesPoint {
  for (const key of Object.keys(figure.detail)) if (BASE.has(key)) throw new Error(`figure detail "${key}" would overwrite a base field`);
  for (const key of Object.keys(figure.subject)) if (RESERVED_TAGS.has(key)) throw new Error(`figure subject "${key}" would overwrite a series tag`);
  return {
    measurement: measurementOf(figure.measurement),
    tags: { [T.enterprise]: figure.enterpriseId, [T.period]: figure.periodKind, ...figure.subject },
    timestampMs: figure.startMs,
    fields: {
      [F.value]: figure.value,
      [F.unit]: figure.unit,
      [F.expandedU]: figure.expandedUncertainty,
      [F.coverage]: figure.coveragePercent,
      [F.estimated]: figure.estimated,
      [F.flags]: figure.flags.join(','),
      [F.factorSet]: figure.factorSet,
      [F.registryVersion]: figure.registryVersion,
      [F.periodKey]: figure.periodKey,
      [F.periodEnd]: figure.endMs,
      [F.revision]: figure.revision,
      ...figure.detail,
    },
  };
}

/**
 * What a recomputation is compared with: the figure's identity and the parts a restatement is
 * about. `completenessPercent` is absent from figures stored before completeness was kept.
 */
export type PublishedFigure = Pick<
  FigureV1,
  'measurement' | 'enterpriseId' | 'subject' | 'periodKind' | 'startMs' | 'value' | 'expandedUncertainty' | 'coveragePercent' | 'flags' | 'factorSet' | 'registryVersion' | 'revision'
> & {
  /** Absent from figures stored before completeness was kept. */
  completenessPercent?: number;
  /** FIGURE_DETAIL_FIELDS.manualEntries, when the figure rests on manual entries: what tells a manual correction from late readings. */
  manualEntries?: string;
  /** FIGURE_DETAIL_FIELDS.verdict and judgedAgainst, of the figures that judge (limit compliance, target progress). */
  verdict?: string;
  judgedAgainst?: string;
};

/** The stored fields a PublishedFigure needs: reading only these halves what the comparison reads back. */
const PUBLISHED_FIELDS = [F.value, F.expandedU, F.coverage, F.flags, F.factorSet, F.registryVersion, F.revision, FIGURE_DETAIL_FIELDS.completeness, FIGURE_DETAIL_FIELDS.manualEntries, FIGURE_DETAIL_FIELDS.verdict, FIGURE_DETAIL_FIELDS.judgedAgainst];

/** A figure's data completeness in %, from its detail; undefined for a figure published before it was kept. */
export function completenessOf(figure: Pick<FigureV1, 'detail'>): number | undefined {
  const c = figure.detail[FIGURE_DETAIL_FIELDS.completeness];
  return typeof c === 'number' ? c : undefined;
}

const num = (f: SeriesPoint['fields'], k: string) => (typeof f[k] === 'number' ? f[k] : undefined);
const str = (f: SeriesPoint['fields'], k: string) => (typeof f[k] === 'string' ? f[k] : undefined);

/** The published state a stored point holds, or a reason it cannot be a figure (a point written by something else). */
export function publishedFigureOf(point: SeriesPoint): RowRead<PublishedFigure> {
  if (!MEASUREMENTS.has(point.measurement)) return unreadable(`"${point.measurement}" is not a figure measurement`);
  const { [T.enterprise]: enterprise, [T.period]: period, ...subject } = point.tags;
  const f = point.fields;
  const value = num(f, F.value);
  const u = num(f, F.expandedU);
  const coverage = num(f, F.coverage);
  if (!enterprise || !period || value === undefined || u === undefined || coverage === undefined) {
    return unreadable(`${point.measurement} ${JSON.stringify(point.tags)} at ${point.timestampMs} lacks ${T.enterprise}, ${T.period}, ${F.value}, ${F.expandedU} or ${F.coverage}`);
  }
  const flags = str(f, F.flags) ?? '';
  const completeness = num(f, FIGURE_DETAIL_FIELDS.completeness);
  const published: PublishedFigure = {
    measurement: point.measurement as FigureKind,
    enterpriseId: enterprise,
    subject,
    periodKind: period as PeriodKind,
    startMs: point.timestampMs,
    value,
    expandedUncertainty: u,
    coveragePercent: coverage,
    flags: flags === '' ? [] : flags.split(','),
    factorSet: str(f, F.factorSet) ?? '',
    registryVersion: str(f, F.registryVersion) ?? '',
    revision: num(f, F.revision) ?? 0,
    ...(completeness === undefined ? {} : { completenessPercent: completeness }),
  };
  const manualEntries = str(f, FIGURE_DETAIL_FIELDS.manualEntries);
  if (manualEntries !== undefined) published.manualEntries = manualEntries;
  const verdict = str(f, FIGURE_DETAIL_FIELDS.verdict);
  if (verdict !== undefined) published.verdict = verdict;
  const judgedAgainst = str(f, FIGURE_DETAIL_FIELDS.judgedAgainst);
  if (judgedAgainst !== undefined) published.judgedAgainst = judgedAgainst;
  return { ok: true, value: published };
}

/** The whole figure a stored point holds (all its fields read), or why it cannot be one. */
export function figureOf(point: SeriesPoint): RowRead<FigureV1> {
  const published = publishedFigureOf(point);
  if (!published.ok) return published;
  const f = point.fields;
  const end = num(f, F.periodEnd);
  if (end === undefined) return unreadable(`${point.measurement} ${JSON.stringify(point.tags)} at ${point.timestampMs} lacks ${F.periodEnd}`);
  const detail: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(f)) if (!BASE.has(k)) detail[k] = v;
  // The whole figure is FigureV1: completeness and the manual entries' ids stay in its detail, where they were written.
  const { completenessPercent: _completenessInDetail, manualEntries: _manualInDetail, verdict: _verdictInDetail, judgedAgainst: _judgedInDetail, ...base } = published.value;
  return { ok: true, value: { ...base, periodKey: str(f, F.periodKey) ?? '', endMs: end, unit: str(f, F.unit) ?? '', estimated: num(f, F.estimated) ?? 0, detail } };
}

/** A figure's subject as one text, `k=v` in key order (e.g. `point=p1;site=s1`). */
export const subjectText = (subject: FigureV1['subject']): string =>
  Object.keys(subject)
    .sort()
    .map((k) => `${k}=${subject[k]}`)
    .join(';');

/** Identifies a figure's series and period: what a recomputation overwrites. */
export function figureKey(f: Pick<FigureV1, 'measurement' | 'enterpriseId' | 'subject' | 'periodKind' | 'startMs'>): string {
  return `${f.measurement}|${f.enterpriseId}|${f.periodKind}|${subjectText(f.subject)}|${f.startMs}`;
}

/** The tags that select one enterprise's figures of one period kind (for page readers that take tags). */
export const figureTags = (enterpriseId: string, periodKind: string): Record<string, string> => ({ [T.enterprise]: enterpriseId, [T.period]: periodKind });

async function readStored<T>(
  store: TimeSeriesStore,
  enterpriseId: string,
  range: TimeRange,
  kinds: readonly PeriodKind[],
  fields: string[] | undefined,
  parse: (point: SeriesPoint) => RowRead<T>,
  only: readonly FigureKind[] = [...MEASUREMENTS] as FigureKind[],
): Promise<T[]> {
  const wanted = new Set<string>(kinds);
  const tags: Record<string, string> = kinds.length === 1 ? figureTags(enterpriseId, kinds[0]!) : { [T.enterprise]: enterpriseId };
  const figures: T[] = [];
  for (const measurement of only.map(measurementOf)) {
    const points = await store.readSeries({ measurement, tags, fromMs: range.start, toMs: range.end, ...(fields ? { fields } : {}) });
    for (const point of points) {
      if (!wanted.has(point.tags[T.period] ?? '')) continue;
      const figure = parse(point);
      // Only the aggregator writes these measurements; anything else there is a bug to see, not to skip.
      if (!figure.ok) throw new Error(`stored figure unreadable: ${figure.reason}`);
      figures.push(figure.value);
    }
  }
  return figures;
}

/** What an enterprise has published with a start in `range`, of the given period kinds: the comparison's side. */
export const readPublishedFigures = (store: TimeSeriesStore, enterpriseId: string, range: TimeRange, kinds: readonly PeriodKind[], only?: readonly FigureKind[]): Promise<PublishedFigure[]> =>
  readStored(store, enterpriseId, range, kinds, PUBLISHED_FIELDS, publishedFigureOf, only);

/** The whole published figures, every field: what a reader of the store gets; of the figure kinds `only` names, or all. */
export const readFigures = (store: TimeSeriesStore, enterpriseId: string, range: TimeRange, kinds: readonly PeriodKind[], only?: readonly FigureKind[]): Promise<FigureV1[]> =>
  readStored(store, enterpriseId, range, kinds, undefined, figureOf, only);

/** One series of figures: a kind, an enterprise, a period kind and (part of) a subject. */
export interface FigureSeriesQuery {
  kind: FigureKind;
  enterpriseId: string;
  periodKind: PeriodKind;
  /** Subject tags to match exactly (e.g. { scope: 'scope1' }). */
  subject: Record<string, string>;
  fromMs: number;
  toMs: number;
}

/** A figure's value at its period start: what a budget sums. */
export interface FigureValue {
  startMs: number;
  value: number;
}

export function figureValueOf(row: StoredRow): RowRead<FigureValue> {
  const value = row.fields[F.value];
  return isNumber(value) ? { ok: true, value: { startMs: row.timestampMs, value } } : unreadable(`lacks a numeric \`${F.value}\``);
}

/** A figure's value with its U and coverage, at its period start: what a baseline regresses on. */
export interface FigureMeasure extends FigureValue {
  /** U, k = 2, in the figure's unit. */
  expandedU: number;
  /** Percent of the period's energy from measured intervals (FigureV1.coveragePercent). */
  coveragePercent: number;
}

export function figureMeasureOf(row: StoredRow): RowRead<FigureMeasure> {
  const { [F.value]: value, [F.expandedU]: expandedU, [F.coverage]: coverage } = row.fields;
  if (!isNumber(value)) return unreadable(`lacks a numeric \`${F.value}\``);
  if (!isNumber(expandedU)) return unreadable(`lacks a numeric \`${F.expandedU}\``);
  if (!isNumber(coverage)) return unreadable(`lacks a numeric \`${F.coverage}\``);
  return { ok: true, value: { startMs: row.timestampMs, value, expandedU, coveragePercent: coverage } };
}

/** The figures a query matches with their U and coverage, in time order; a row lacking one goes to `onUnreadable`. */
export async function readFigureMeasures(store: TimeSeriesStore, query: FigureSeriesQuery, onUnreadable: OnUnreadable): Promise<FigureMeasure[]> {
  const series: SeriesQuery = {
    measurement: measurementOf(query.kind),
    tags: { ...query.subject, ...figureTags(query.enterpriseId, query.periodKind) },
    fromMs: query.fromMs,
    toMs: query.toMs,
    fields: [F.value, F.expandedU, F.coverage],
  };
  return readRows(series.measurement, await store.readSeries(series), figureMeasureOf, onUnreadable);
}

/** The values of the figures a query matches, by period start, in time order; a row without a numeric value goes to `onUnreadable`. */
export async function readFigureValues(store: TimeSeriesStore, query: FigureSeriesQuery, onUnreadable: OnUnreadable): Promise<FigureValue[]> {
  const series: SeriesQuery = {
    measurement: measurementOf(query.kind),
    tags: { ...query.subject, ...figureTags(query.enterpriseId, query.periodKind) },
    fromMs: query.fromMs,
    toMs: query.toMs,
    fields: [F.value],
  };
  return readRows(series.measurement, await store.readSeries(series), figureValueOf, onUnreadable);
}

