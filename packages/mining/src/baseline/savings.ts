import { combineSum, COVERAGE_FACTOR_95, expandedUncertainty, type Measured } from '@meterline/domain';
import type { BaselineModel } from './baseline-model.ts';
import { failure, type Result } from './errors.ts';
import { ASHRAE_GUIDELINE_14_CRITERIA, type FitCriteria } from './fit-criteria.ts';
import type { Observation } from './observation.ts';
import { predict } from './baseline-model.ts';
import { twoSidedCriticalT } from './student-t.ts';

/**
 * How the meters' errors of the reporting period's days relate (GUM 5.2: correlated inputs).
 * - 'systematic' (default): a meter's error on one day is its error on every day (calibration,
 *   CT ratio), so the days' standard uncertainties add linearly (correlation r = 1, GUM 5.2.2
 *   note 1); the baseline period's meters are taken as independent of the reporting period's
 *   and their relative error scales the adjusted baseline. The safe choice when a meter was
 *   changed or recalibrated between the periods, or when it is not known.
 * - 'same-meter-systematic': one relative error δ common to both periods (the same meter,
 *   neither changed nor recalibrated): the baseline was fitted on data off by δ too, so
 *   savings measured = (1 + δ)·savings, and only u_rel·|savings| remains.
 * - 'random': the days' errors are independent; u in quadrature (gum.ts combineSum).
 */
export type MeterErrorModel = 'systematic' | 'same-meter-systematic' | 'random';

export interface SavingsOptions {
  /** Confidence level of the reported model uncertainty (the fractional savings uncertainty). Default 0.68. */
  confidenceLevel?: number;
  meterErrors?: MeterErrorModel;
  criteria?: FitCriteria;
}

export interface Savings {
  /** Σ of the model's predictions on the reporting period's variables. */
  adjustedBaseline: number;
  /** Σ of the reporting period's measured energy. */
  actual: number;
  /** adjustedBaseline − actual: avoided energy (positive = saved). */
  savings: number;
  /** F = savings / adjustedBaseline. */
  savingsFraction: number;
  /** m: the reporting period's number of observations. */
  m: number;
  model: {
    /** The residual autocorrelation used: the model's ρ, floored at 0. */
    rho: number;
    /** n' = n(1 − ρ)/(1 + ρ). */
    effectiveN: number;
    /** Standard uncertainty of the savings from the model (the 1.26 factor included, t left out). */
    u: number;
    /** The fractional savings uncertainty at `confidenceLevel`: t·u / |savings|. */
    fractionalSavingsUncertainty: number;
    confidenceLevel: number;
    t: number;
  };
  meters: { u: number; errorModel: MeterErrorModel };
  /** Combined standard uncertainty: model and meters in quadrature (GUM 5.1.2). */
  u: number;
  /** Expanded uncertainty U = 2·u (GUM 6.2.1). */
  U: number;
  /** Whether savings may be claimed from this model, and why not. */
  claim: { allowed: boolean; reasons: string[] };
}

/**
 * Savings over a reporting period and their uncertainty.
 *
 * Model part: ASHRAE Guideline 14-2014, Annex B, the fractional savings uncertainty of
 * Reddy & Claridge (2000) with the autocorrelation correction:
 *   ΔE_save / E_save = 1.26 · t · (CV / F) · √( (n/n') · (1 + 2/n') · (1/m) ),  n' = n(1 − ρ)/(1 + ρ)
 * CV is the baseline's CV(RMSE) as a fraction, F the savings fraction, n and m the baseline
 * and reporting counts, t = t(1 − α/2, n − p). Multiplying by E_save = F·E_adj gives the
 * absolute ΔE_save = 1.26·t·CV·E_adj·√(…); dividing by t gives the standard uncertainty
 * that is combined with the meters'. 1.26 is the guideline's empirical factor, derived for
 * monthly data; for daily or hourly data it is an approximation. A negative ρ is taken as 0
 * (n' = n), so the correction never narrows the band.
 *
 * Meter part: the actual's U (k = 2) per observation, halved to standard uncertainty and
 * combined as `meterErrors` says. The meters' errors within the baseline period are already
 * in the model's residual scatter, except for their systematic part, which 'systematic' adds.
 *
 * The claim is refused when the fit failed its criteria (each failure named), when there
 * are no savings, or when the model's uncertainty at the criteria's confidence level (68 %)
 * exceeds the criteria's fraction (50 %) of the savings.
 */
export function savingsWithUncertainty(model: BaselineModel, reporting: readonly Observation[], options: SavingsOptions = {}): Result<Savings> {
  const confidenceLevel = options.confidenceLevel ?? 0.68;
  const meterErrors = options.meterErrors ?? 'systematic';
  const criteria = options.criteria ?? ASHRAE_GUIDELINE_14_CRITERIA;
  const m = reporting.length;
  if (m === 0) return failure('MTL_MINING_TOO_FEW_OBSERVATIONS', 'the reporting period has no observations');

  let adjustedBaseline = 0;
  for (const o of reporting) {
    const p = predict(model, o.vars);
    if (!p.ok) return p;
    adjustedBaseline += p.value.value;
  }
  const actual = reporting.reduce((s, o) => s + o.energy, 0);
  const savings = adjustedBaseline - actual;
  const savingsFraction = savings / adjustedBaseline;

  const n = model.n;
  const rho = Math.max(0, model.residualAutocorrelation);
  const effectiveN = (n * (1 - rho)) / (1 + rho);
  const cv = model.statistics.cvRmsePercent / 100;
  const uModel = 1.26 * cv * Math.abs(adjustedBaseline) * Math.sqrt((n / effectiveN) * (1 + 2 / effectiveN) * (1 / m));
  const t = twoSidedCriticalT(confidenceLevel, model.degreesOfFreedom);

  const uMeters = meterUncertainty(reporting, adjustedBaseline, savings, actual, model.meterRelativeU, meterErrors);
  const u = combineSum([uModel, uMeters]);

  const reasons: string[] = model.verdict.failures.map((f) => `baseline fit: ${f.explanation}`);
  if (!(savings > 0)) reasons.push('no savings: the actual is not below the adjusted baseline');
  else {
    const level = criteria.savingsUncertainty.confidenceLevel.value;
    const limit = criteria.savingsUncertainty.maxFractionOfSavings.value;
    const atLevel = (twoSidedCriticalT(level, model.degreesOfFreedom) * uModel) / savings;
    if (!(atLevel <= limit)) reasons.push(`savings uncertainty ${(100 * atLevel).toFixed(1)} % of the savings at ${100 * level} % confidence exceeds ${100 * limit} %`);
  }

  return {
    ok: true,
    value: {
      adjustedBaseline,
      actual,
      savings,
      savingsFraction,
      m,
      model: { rho, effectiveN, u: uModel, fractionalSavingsUncertainty: (t * uModel) / Math.abs(savings), confidenceLevel, t },
      meters: { u: uMeters, errorModel: meterErrors },
      u,
      U: expandedUncertainty(u, COVERAGE_FACTOR_95),
      claim: { allowed: reasons.length === 0, reasons },
    },
  };
}

function meterUncertainty(reporting: readonly Observation[], adjustedBaseline: number, savings: number, actual: number, baselineRelativeU: number, errors: MeterErrorModel): number {
  const standard = reporting.map((o) => o.energyU / COVERAGE_FACTOR_95);
  switch (errors) {
    case 'random':
      return combineSum(standard);
    case 'systematic': {
      const reportingPart = standard.reduce((s, x) => s + x, 0);
      const baselinePart = (baselineRelativeU / COVERAGE_FACTOR_95) * Math.abs(adjustedBaseline);
      return combineSum([reportingPart, baselinePart]);
    }
    case 'same-meter-systematic': {
      const relative = actual !== 0 ? standard.reduce((s, x) => s + x, 0) / Math.abs(actual) : 0;
      return relative * Math.abs(savings);
    }
  }
}

/** A conversion coefficient (to tce, to t CO₂) from a factor set, with its relative standard uncertainty. */
export interface ConversionCoefficient {
  value: number;
  relativeStandardUncertainty: number;
}

/**
 * Savings (value, standard u) × a coefficient: relative uncertainties in quadrature, as for
 * any product of independent quantities (GUM 5.1.6). The factor comes from the caller's
 * factor set; none is held here.
 */
export function convertSavings(savings: Measured, coefficient: ConversionCoefficient): Measured & { U: number } {
  const value = savings.value * coefficient.value;
  const u = combineSum([Math.abs(coefficient.value) * savings.u, Math.abs(value) * coefficient.relativeStandardUncertainty]);
  return { value, u, U: expandedUncertainty(u) };
}
