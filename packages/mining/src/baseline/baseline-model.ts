import { failure, type Result } from './errors.ts';
import { fitStatistics, judgeFit, ASHRAE_GUIDELINE_14_CRITERIA, type FitCriteria, type FitStatistics, type FitVerdict, type Granularity } from './fit-criteria.ts';
import type { Observation } from './observation.ts';
import { fitOls, type Coefficient } from './ols.ts';
import { twoSidedCriticalT } from './student-t.ts';

/** A baseline fitted by OLS on named variables, with its fit statistics and verdict. */
export interface BaselineModel {
  /** The regressors, in coefficient order after the intercept. */
  variables: string[];
  /** Intercept first. */
  coefficients: Coefficient[];
  n: number;
  p: number;
  degreesOfFreedom: number;
  residualStandardError: number;
  xtxInverse: number[][];
  adjustedRSquared: number | null;
  /** Lag-1 autocorrelation of the residuals in time order. */
  residualAutocorrelation: number;
  statistics: FitStatistics;
  verdict: FitVerdict;
  granularity: Granularity;
  /** Σ energyU / Σ energy over the baseline period: the meters' relative expanded uncertainty (k = 2). */
  meterRelativeU: number;
  period: { startMs: number; endMs: number };
}

export interface FitBaselineOptions {
  variables: readonly string[];
  granularity: Granularity;
  criteria?: FitCriteria;
}

/** Fits energy on the named variables (observations are put in time order first: the autocorrelation needs it). */
export function fitBaseline(observations: readonly Observation[], options: FitBaselineOptions): Result<BaselineModel> {
  const sorted = [...observations].sort((a, b) => a.startMs - b.startMs);
  for (const name of options.variables) {
    const lacking = sorted.find((o) => !(name in o.vars));
    if (lacking) return failure('MTL_MINING_INVALID_INPUT', `the observation starting at ${new Date(lacking.startMs).toISOString()} has no variable ${name}`, name);
  }
  const fit = fitOls(
    sorted.map((o) => o.energy),
    options.variables.map((name) => ({ name, values: sorted.map((o) => o.vars[name]!) })),
  );
  if (!fit.ok) return fit;
  const f = fit.value;
  const statistics = fitStatistics(sorted.map((o) => o.energy), f.fitted, f.p, f.rSquared);
  const totalEnergy = sorted.reduce((s, o) => s + o.energy, 0);
  const totalU = sorted.reduce((s, o) => s + o.energyU, 0);
  return {
    ok: true,
    value: {
      variables: [...options.variables],
      coefficients: f.coefficients,
      n: f.n,
      p: f.p,
      degreesOfFreedom: f.degreesOfFreedom,
      residualStandardError: f.residualStandardError,
      xtxInverse: f.xtxInverse,
      adjustedRSquared: f.adjustedRSquared,
      residualAutocorrelation: f.residualAutocorrelation,
      statistics,
      verdict: judgeFit(statistics, options.granularity, options.criteria ?? ASHRAE_GUIDELINE_14_CRITERIA),
      granularity: options.granularity,
      meterRelativeU: totalEnergy !== 0 ? totalU / Math.abs(totalEnergy) : 0,
      period: { startMs: sorted[0]!.startMs, endMs: sorted[sorted.length - 1]!.startMs },
    },
  };
}

export interface Prediction {
  value: number;
  /** s·√(x₀ᵀ(XᵀX)⁻¹x₀): standard error of the fitted mean at x₀. */
  standardErrorOfMean: number;
  /** s·√(1 + x₀ᵀ(XᵀX)⁻¹x₀): standard error of a new observation at x₀. */
  standardErrorOfPrediction: number;
  /** ŷ ± t(1 − α/2, n − p)·standardErrorOfPrediction. */
  interval: { low: number; high: number; confidenceLevel: number; t: number };
}

/** The model's prediction at the given variables with its prediction interval (the classical OLS interval). */
export function predict(model: BaselineModel, vars: Readonly<Record<string, number>>, confidenceLevel = 0.95): Result<Prediction> {
  const x = [1];
  for (const name of model.variables) {
    const v = vars[name];
    if (v === undefined || !Number.isFinite(v)) return failure('MTL_MINING_INVALID_INPUT', `variable ${name} is missing or not a finite number`, name);
    x.push(v);
  }
  const value = model.coefficients.reduce((s, c, i) => s + c.estimate * x[i]!, 0);
  let leverage = 0;
  for (let i = 0; i < x.length; i++) for (let k = 0; k < x.length; k++) leverage += x[i]! * model.xtxInverse[i]![k]! * x[k]!;
  const s = model.residualStandardError;
  const standardErrorOfPrediction = s * Math.sqrt(1 + leverage);
  const t = twoSidedCriticalT(confidenceLevel, model.degreesOfFreedom);
  return {
    ok: true,
    value: {
      value,
      standardErrorOfMean: s * Math.sqrt(leverage),
      standardErrorOfPrediction,
      interval: { low: value - t * standardErrorOfPrediction, high: value + t * standardErrorOfPrediction, confidenceLevel, t },
    },
  };
}
