import { combineSum, type Measured } from '@meterline/domain';
import { predict, type BaselineModel } from './baseline-model.ts';
import type { Result } from './errors.ts';
import type { Observation } from './observation.ts';

/**
 * Energy performance indicators after ISO 50006:2014: a measured-value ratio (energy per
 * unit of output) and a statistical-model EnPI (actual ÷ the baseline model's prediction at
 * the period's relevant variables, which normalises for them: 1 means performance as in the
 * baseline period, below 1 better).
 */

/** Energy ÷ output, relative standard uncertainties in quadrature (GUM 5.1.6, independent inputs). */
export function ratioEnpi(energy: Measured, output: Measured): Measured {
  const value = energy.value / output.value;
  const relative = combineSum([energy.u / energy.value, output.u / output.value]);
  return { value, u: Math.abs(value) * relative };
}

export interface EnpiChange {
  baseline: number;
  reporting: number;
  /** reporting ÷ baseline. */
  ratio: number;
  /** 100·(ratio − 1): negative is an improvement for energy-per-output EnPIs. */
  changePercent: number;
}

export function enpiChange(baseline: number, reporting: number): EnpiChange {
  const ratio = reporting / baseline;
  return { baseline, reporting, ratio, changePercent: 100 * (ratio - 1) };
}

export interface PeriodEnpi {
  label: string;
  energy: number;
  output: number;
  /** Energy ÷ output of the period. */
  measuredRatio: number;
  /** Σ of the model's predictions on the period's variables. */
  adjustedBaseline: number;
  /** Actual ÷ adjusted baseline (the statistical-model EnPI). */
  modelEnpi: number;
  /** Change of the measured ratio against the baseline period's. */
  ratioChange: EnpiChange;
  /** Normalised change: 100·(modelEnpi − 1), the relevant variables' effect removed. */
  normalisedChangePercent: number;
}

/**
 * The EnPIs of each period against a baseline: `outputVariable` names the variable holding
 * each observation's output (e.g. production); `baselineRatio` is the baseline period's
 * energy ÷ output.
 */
export function periodEnpis(
  model: BaselineModel,
  periods: readonly { label: string; observations: readonly Observation[] }[],
  outputVariable: string,
  baselineRatio: number,
): Result<PeriodEnpi[]> {
  const result: PeriodEnpi[] = [];
  for (const { label, observations } of periods) {
    let adjustedBaseline = 0;
    for (const o of observations) {
      const p = predict(model, o.vars);
      if (!p.ok) return p;
      adjustedBaseline += p.value.value;
    }
    const energy = observations.reduce((s, o) => s + o.energy, 0);
    const output = observations.reduce((s, o) => s + (o.vars[outputVariable] ?? 0), 0);
    const measuredRatio = energy / output;
    const modelEnpi = energy / adjustedBaseline;
    result.push({
      label,
      energy,
      output,
      measuredRatio,
      adjustedBaseline,
      modelEnpi,
      ratioChange: enpiChange(baselineRatio, measuredRatio),
      normalisedChangePercent: 100 * (modelEnpi - 1),
    });
  }
  return { ok: true, value: result };
}
