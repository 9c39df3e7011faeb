import { BASELINE_VARIABLES, type BaselineVariable } from '@meterline/domain';
import { fitBaseline, type BaselineModel } from './baseline-model.ts';
import { screenBalancePoints } from './balance-point-screen.ts';
import { withDegreeDays, type BalancePoints, type DayObservation } from './candidate-search.ts';
import { tabularCusum, type ChangePoint } from './cusum.ts';
import { failure, type Result } from './errors.ts';
import { outsideOfBand, predictionBand, type BandDay, type IntervalAnomaly } from './interval-anomalies.ts';
import type { Observation } from './observation.ts';
import { savingsWithUncertainty, type MeterErrorModel, type Savings } from './savings.ts';
import { periodEnpis, type PeriodEnpi } from './enpi.ts';

/** One day of a subject (an enterprise, a metering point) with the variables known for it. */
export interface DailyInput {
  /** The local day, YYYY-MM-DD. */
  date: string;
  startMs: number;
  energy: number;
  /** U (k = 2) of `energy`; 0 when unknown. */
  energyU: number;
  production?: number;
  /** The day's mean outdoor temperature, °C. */
  temperatureC?: number;
  /** 1 for a working day, 0 for a day off. */
  workingDay?: 0 | 1;
}

/** The relevant variables a daily baseline can regress on: the registry's, where an enterprise declares its baselines. */
export const DAILY_VARIABLES = BASELINE_VARIABLES;
export type DailyVariable = BaselineVariable;

/** Where the balance points are searched, in °C: a coarse grid, then a fine one around its best. */
interface BalancePointGrid {
  heating: { min: number; max: number };
  cooling: { min: number; max: number };
  coarseStep: number;
  fineStep: number;
}

/**
 * CalTRACK's daily method searches 30–90 °F (about −1 to 32 °C); the coarse grid covers it in
 * 1 °C and the fine one refines the best to 0.1 °C, which puts the balance points within the
 * resolution a daily mean temperature has (a tenth of a degree).
 */
const DEFAULT_BALANCE_POINT_GRID: BalancePointGrid = Object.freeze({ heating: { min: -1, max: 32 }, cooling: { min: -1, max: 32 }, coarseStep: 1, fineStep: 0.1 });
/** CalTRACK's qualification threshold for a degree-day coefficient (it must also be positive). */
const DEFAULT_P_VALUE_MAX = 0.1;
/** The CUSUM's allowance k, in residual standard errors (Montgomery's 0.5): a level within ±k·s is no lasting change. */
const CUSUM_ALLOWANCE = 0.5;
/** A variable is used when at least this share of the baseline's days has it; days without it are left out. */
const VARIABLE_PRESENCE_MIN = 0.9;

export interface DailyBaselineOptions {
  /** The baseline period, local days inclusive. */
  baseline: { from: string; to: string };
  /** The reporting period, local days inclusive; none: the baseline alone. */
  reporting?: { from: string; to: string };
  /** Variables to try; default: every one the baseline's days have (≥ 90 % of them). */
  variables?: readonly DailyVariable[];
  /** Confidence level of the prediction interval days are judged by. Default 0.95. */
  predictionConfidence?: number;
  /** How the meters' errors of the reporting days relate (savings.ts). */
  meterErrors?: MeterErrorModel;
  grid?: BalancePointGrid;
  pValueMax?: number;
}

interface ExcludedDay {
  date: string;
  /** The variables the day lacks. */
  missing: string[];
}

export interface DailyBaseline {
  /** The variables regressed on (hdd, cdd for degree days), in the model's order. */
  variables: string[];
  model: BaselineModel;
  /** The degree-day model kind chosen and its balance points (°C), or null without degree days. */
  degreeDays: { kind: string; balancePoints: BalancePoints; candidatesTried: number; candidatesQualified: number } | null;
  baselineDays: number;
  /** Days of either period left out: a variable the model uses is missing. */
  excludedDays: ExcludedDay[];
  reporting: {
    days: number;
    savings: Savings;
    /** The reporting period's EnPIs, when production is a variable. */
    enpi: PeriodEnpi | null;
  } | null;
  /** The days judged (the reporting days, or the baseline's without a reporting period) against the model: prediction and interval. */
  band: (BandDay & { date: string })[];
  anomalies: {
    /** Reporting days (baseline days without a reporting period) outside the prediction interval. */
    outsidePredictionInterval: (IntervalAnomaly & { date: string })[];
    /** The CUSUM of actual − expected over the same days, with its change points dated. */
    cusum: {
      dates: string[];
      cumulative: number[];
      upper: number[];
      lower: number[];
      /** Per day, the level of actual − expected after its changes (tabularCusum's), and the allowance k·s a level must pass to be a lasting change. */
      level: number[];
      allowance: number;
      changePoints: (ChangePoint & { startDate: string; signalDate: string })[];
    };
  };
}

const inRange = (date: string, range: { from: string; to: string }) => date >= range.from && date <= range.to;

function range(min: number, max: number, step: number): number[] {
  const values: number[] = [];
  // Integer steps, rounded to the step's decimals: 0.1 added 30 times is not 3.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  for (let i = 0; min + i * step <= max + step / 1e6; i++) values.push(Number((min + i * step).toFixed(decimals)));
  return values;
}

/** Every degree-day candidate of a grid: HDD only, CDD only, and HDD+CDD with cooling at or above heating (CalTRACK's model forms). */
function candidatesOf(heating: readonly number[], cooling: readonly number[]): BalancePoints[] {
  return [
    ...heating.map((h) => ({ heating: h, cooling: null })),
    ...cooling.map((c) => ({ heating: null, cooling: c })),
    ...heating.flatMap((h) => cooling.filter((c) => c >= h).map((c) => ({ heating: h, cooling: c }))),
  ];
}

/**
 * The balance points: screened on the coarse grid, then on the fine one within one coarse
 * step of the coarse best (the same model form, or a simpler one). Null and null: no
 * degree-day model qualified against the model without them.
 */
function searchBalancePoints(days: readonly DayObservation[], fixed: readonly string[], grid: BalancePointGrid, pValueMax: number): { best: BalancePoints; tried: number; qualified: number } {
  const columns = { energy: days.map((d) => d.energy), temperature: days.map((d) => d.meanTemperature), fixed: fixed.map((name) => days.map((d) => d.vars[name]!)) };
  const coarse = screenBalancePoints(columns, candidatesOf(range(grid.heating.min, grid.heating.max, grid.coarseStep), range(grid.cooling.min, grid.cooling.max, grid.coarseStep)), pValueMax);
  const { heating, cooling } = coarse.best;
  if (heating === null && cooling === null) return coarse;
  const near = (bp: number | null, bounds: { min: number; max: number }) =>
    bp === null ? [] : range(Math.max(bounds.min, bp - grid.coarseStep), Math.min(bounds.max, bp + grid.coarseStep), grid.fineStep);
  const fine = screenBalancePoints(columns, candidatesOf(near(heating, grid.heating), near(cooling, grid.cooling)), pValueMax);
  const best = fine.adjustedRSquared >= coarse.adjustedRSquared ? fine.best : coarse.best;
  return { best, tried: coarse.tried + fine.tried, qualified: coarse.qualified + fine.qualified };
}

const kindOf = (bp: BalancePoints) => (bp.heating !== null && bp.cooling !== null ? 'hdd-cdd' : bp.heating !== null ? 'hdd' : bp.cooling !== null ? 'cdd' : 'intercept-only');

/**
 * A daily energy baseline and what it says about a reporting period: the model on the
 * variables the days have (production, working days, degree days searched CalTRACK-style),
 * its fit judged by ASHRAE Guideline 14, the savings with their uncertainty (refused, with
 * the reasons, when the fit fails), the reporting period's EnPIs, the days outside the
 * prediction interval and the CUSUM with its change points.
 */
export function dailyBaseline(inputs: readonly DailyInput[], options: DailyBaselineOptions): Result<DailyBaseline> {
  const sorted = [...inputs].sort((a, b) => a.date.localeCompare(b.date));
  const baselineInputs = sorted.filter((d) => inRange(d.date, options.baseline));
  if (baselineInputs.length === 0) return failure('MTL_MINING_TOO_FEW_OBSERVATIONS', `no day of the baseline period ${options.baseline.from} to ${options.baseline.to} has data`);
  const has = (name: DailyVariable) => (d: DailyInput) => (name === 'degreeDays' ? d.temperatureC !== undefined : d[name] !== undefined);
  const variables = (options.variables ?? DAILY_VARIABLES.filter((v) => baselineInputs.filter(has(v)).length >= VARIABLE_PRESENCE_MIN * baselineInputs.length)) as DailyVariable[];
  const missingOf = (d: DailyInput) => variables.filter((v) => !has(v)(d)).map((v) => (v === 'degreeDays' ? 'temperatureC' : v));

  const excludedDays: ExcludedDay[] = [];
  const usable = (d: DailyInput) => {
    const missing = missingOf(d);
    if (missing.length > 0) excludedDays.push({ date: d.date, missing });
    return missing.length === 0;
  };
  const toDay = (d: DailyInput): DayObservation => ({
    startMs: d.startMs,
    energy: d.energy,
    energyU: d.energyU,
    meanTemperature: d.temperatureC ?? Number.NaN,
    vars: { ...(variables.includes('production') ? { production: d.production! } : {}), ...(variables.includes('workingDay') ? { workingDay: d.workingDay! } : {}) },
  });
  const baselineDays = baselineInputs.filter(usable).map(toDay);
  const reportingInputs = options.reporting ? sorted.filter((d) => inRange(d.date, options.reporting!)).filter(usable) : [];
  const fixed = variables.filter((v) => v !== 'degreeDays');

  let balancePoints: BalancePoints = { heating: null, cooling: null };
  let degreeDays: DailyBaseline['degreeDays'] = null;
  if (variables.includes('degreeDays')) {
    const search = searchBalancePoints(baselineDays, fixed, options.grid ?? DEFAULT_BALANCE_POINT_GRID, options.pValueMax ?? DEFAULT_P_VALUE_MAX);
    balancePoints = search.best;
    degreeDays = { kind: kindOf(balancePoints), balancePoints, candidatesTried: search.tried, candidatesQualified: search.qualified };
  }
  // The screen chose; the full fit (QR) gives the model, its statistics and its verdict.
  const degreeDayVariables = [...(balancePoints.heating !== null ? ['hdd'] : []), ...(balancePoints.cooling !== null ? ['cdd'] : [])];
  const fit = fitBaseline(withDegreeDays(baselineDays, balancePoints), { variables: [...degreeDayVariables, ...fixed], granularity: 'daily' });
  if (!fit.ok) return fit;
  const model = fit.value;

  const observe = (days: readonly DailyInput[]): Observation[] => withDegreeDays(days.map(toDay), balancePoints);
  let reporting: DailyBaseline['reporting'] = null;
  const judged = options.reporting ? reportingInputs : baselineInputs.filter((d) => !excludedDays.some((e) => e.date === d.date));
  const judgedObservations = observe(judged);
  if (options.reporting) {
    if (reportingInputs.length === 0) return failure('MTL_MINING_TOO_FEW_OBSERVATIONS', `no day of the reporting period ${options.reporting.from} to ${options.reporting.to} has data`);
    const savings = savingsWithUncertainty(model, judgedObservations, { ...(options.meterErrors ? { meterErrors: options.meterErrors } : {}) });
    if (!savings.ok) return savings;
    let enpi: PeriodEnpi | null = null;
    if (variables.includes('production')) {
      const baselineObservations = observe(baselineInputs.filter((d) => !excludedDays.some((e) => e.date === d.date)));
      const ratio = sum(baselineObservations.map((o) => o.energy)) / sum(baselineObservations.map((o) => o.vars.production ?? 0));
      const enpis = periodEnpis(model, [{ label: `${options.reporting.from}..${options.reporting.to}`, observations: judgedObservations }], 'production', ratio);
      if (!enpis.ok) return enpis;
      enpi = enpis.value[0] ?? null;
    }
    reporting = { days: reportingInputs.length, savings: savings.value, enpi };
  }

  const band = predictionBand(model, judgedObservations, options.predictionConfidence ?? 0.95);
  if (!band.ok) return band;
  const dateAt = new Map(judged.map((d) => [d.startMs, d.date]));
  const dated = band.value.map((d) => ({ ...d, date: dateAt.get(d.startMs)! }));
  const deviations = band.value.map((d) => d.actual - d.predicted);
  const cusum = tabularCusum(deviations, model.residualStandardError, { k: CUSUM_ALLOWANCE });
  const dates = judged.map((d) => d.date);
  return {
    ok: true,
    value: {
      variables: model.variables,
      model,
      degreeDays,
      baselineDays: baselineDays.length,
      excludedDays,
      reporting,
      band: dated,
      anomalies: {
        outsidePredictionInterval: outsideOfBand(dated),
        cusum: {
          dates,
          cumulative: cusum.points.map((p) => p.cumulative),
          upper: cusum.points.map((p) => p.upper),
          lower: cusum.points.map((p) => p.lower),
          level: cusum.points.map((p) => p.level),
          allowance: CUSUM_ALLOWANCE * model.residualStandardError,
          changePoints: cusum.changePoints.map((c) => ({ ...c, startDate: dates[c.startIndex]!, signalDate: dates[c.signalIndex]! })),
        },
      },
    },
  };
}

const sum = (values: readonly number[]) => values.reduce((s, v) => s + v, 0);
