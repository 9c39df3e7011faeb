import { predict, type BaselineModel } from './baseline-model.ts';
import type { Result } from './errors.ts';
import type { Observation } from './observation.ts';

export interface IntervalAnomaly {
  startMs: number;
  actual: number;
  predicted: number;
  low: number;
  high: number;
  direction: 'above' | 'below';
}

/** The observations whose actual lies outside the model's prediction interval at `confidenceLevel`. */
export function outsidePredictionInterval(model: BaselineModel, observations: readonly Observation[], confidenceLevel = 0.95): Result<IntervalAnomaly[]> {
  const anomalies: IntervalAnomaly[] = [];
  for (const o of observations) {
    const p = predict(model, o.vars, confidenceLevel);
    if (!p.ok) return p;
    const { low, high } = p.value.interval;
    if (o.energy > high || o.energy < low) {
      anomalies.push({ startMs: o.startMs, actual: o.energy, predicted: p.value.value, low, high, direction: o.energy > high ? 'above' : 'below' });
    }
  }
  return { ok: true, value: anomalies };
}
