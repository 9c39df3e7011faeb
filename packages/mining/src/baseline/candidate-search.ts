import { fitBaseline, type BaselineModel } from './baseline-model.ts';
import { coolingDegreeDays, heatingDegreeDays } from './degree-days.ts';
import type { FitCriteria, Granularity } from './fit-criteria.ts';
import type { Observation } from './observation.ts';

/** A day of a baseline with its mean outdoor temperature, from which HDD and CDD are derived. */
export interface DayObservation extends Observation {
  meanTemperature: number;
}

type CandidateKind = 'intercept-only' | 'hdd' | 'cdd' | 'hdd-cdd';

export interface BalancePoints {
  heating: number | null;
  cooling: number | null;
}

export interface CandidateSearchOptions {
  /** Balance points tried for heating, in `temperatureUnit`. */
  heatingBalancePoints: readonly number[];
  /** Balance points tried for cooling; an HDD+CDD pair needs cooling ≥ heating. */
  coolingBalancePoints: readonly number[];
  /** A degree-day coefficient qualifies when it is above zero with a two-sided p-value below this. */
  pValueMax: number;
  /** Regressors included in every candidate as they are (production, workingDay, …), not tested. */
  fixedVariables?: readonly string[];
  /** The unit of the temperatures and balance points; degree days are in the same unit. */
  temperatureUnit?: '°C' | '°F';
  granularity: Granularity;
  criteria?: FitCriteria;
}

interface Candidate {
  kind: CandidateKind;
  balancePoints: BalancePoints;
  qualified: boolean;
  /** Why a candidate did not qualify, or null. */
  reason: string | null;
  adjustedRSquared: number | null;
  model: BaselineModel | null;
}

export interface CandidateSearchResult {
  best: Candidate;
  candidates: Candidate[];
  temperatureUnit: '°C' | '°F';
}

/** The days with `hdd` and `cdd` at the balance points added to their variables (a null balance point adds nothing). */
export function withDegreeDays(days: readonly DayObservation[], balancePoints: BalancePoints): Observation[] {
  return days.map((d) => {
    const vars: Record<string, number> = { ...d.vars };
    if (balancePoints.heating !== null) vars.hdd = heatingDegreeDays(d.meanTemperature, balancePoints.heating);
    if (balancePoints.cooling !== null) vars.cdd = coolingDegreeDays(d.meanTemperature, balancePoints.cooling);
    return { startMs: d.startMs, energy: d.energy, energyU: d.energyU, vars };
  });
}

/**
 * A CalTRACK-style search over daily models (CalTRACK methods 3.x: intercept-only, HDD-only,
 * CDD-only and HDD+CDD over a grid of balance points). A degree-day model qualifies only if
 * each of its degree-day coefficients is above zero and its p-value below `pValueMax`; the
 * best qualified model has the highest adjusted R² (earlier in the order above on a tie).
 * The intercept-only model (plus the fixed variables) always qualifies. The grids and the
 * threshold are parameters: this module does not claim CalTRACK's own values.
 */
export function searchCandidates(days: readonly DayObservation[], options: CandidateSearchOptions): CandidateSearchResult {
  const fixed = options.fixedVariables ?? [];
  const tried: { kind: CandidateKind; balancePoints: BalancePoints }[] = [{ kind: 'intercept-only', balancePoints: { heating: null, cooling: null } }];
  for (const h of options.heatingBalancePoints) tried.push({ kind: 'hdd', balancePoints: { heating: h, cooling: null } });
  for (const c of options.coolingBalancePoints) tried.push({ kind: 'cdd', balancePoints: { heating: null, cooling: c } });
  for (const h of options.heatingBalancePoints) {
    for (const c of options.coolingBalancePoints) if (c >= h) tried.push({ kind: 'hdd-cdd', balancePoints: { heating: h, cooling: c } });
  }
  const candidates = tried.map(({ kind, balancePoints }) => evaluate(days, kind, balancePoints, fixed, options));
  let best = candidates[0]!;
  for (const c of candidates) {
    if (c.qualified && (c.adjustedRSquared ?? -Infinity) > (best.adjustedRSquared ?? -Infinity)) best = c;
  }
  return { best, candidates, temperatureUnit: options.temperatureUnit ?? '°C' };
}

function evaluate(days: readonly DayObservation[], kind: CandidateKind, balancePoints: BalancePoints, fixed: readonly string[], options: CandidateSearchOptions): Candidate {
  const degreeDayVariables = [...(balancePoints.heating !== null ? ['hdd'] : []), ...(balancePoints.cooling !== null ? ['cdd'] : [])];
  const fit = fitBaseline(withDegreeDays(days, balancePoints), {
    variables: [...degreeDayVariables, ...fixed],
    granularity: options.granularity,
    ...(options.criteria ? { criteria: options.criteria } : {}),
  });
  if (!fit.ok) return { kind, balancePoints, qualified: false, reason: fit.error.message, adjustedRSquared: null, model: null };
  const model = fit.value;
  const reasons: string[] = [];
  for (const name of degreeDayVariables) {
    const c = model.coefficients.find((k) => k.name === name)!;
    if (!(c.estimate > 0)) reasons.push(`${name} coefficient ${c.estimate} is not above zero`);
    if (!(c.pValue < options.pValueMax)) reasons.push(`${name} p-value ${c.pValue.toPrecision(3)} is not below ${options.pValueMax}`);
  }
  return {
    kind,
    balancePoints,
    qualified: reasons.length === 0,
    reason: reasons.length === 0 ? null : reasons.join('; '),
    adjustedRSquared: model.adjustedRSquared,
    model,
  };
}
