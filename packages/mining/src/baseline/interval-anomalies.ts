import { predict, type BaselineModel } from './baseline-model.ts';
import type { Result } from './errors.ts';
import type { Observation } from './observation.ts';

/** One observation against the model's prediction and its prediction interval. */
export interface BandDay {
  startMs: number;
  actual: number;
  predicted: number;
  low: number;
  high: number;
}

export interface IntervalAnomaly extends BandDay {
  direction: 'above' | 'below';
}

/** Each observation with the model's prediction and prediction interval at `confidenceLevel`: the band a chart draws. */
export function predictionBand(model: BaselineModel, observations: readonly Observation[], confidenceLevel = 0.95): Result<BandDay[]> {
  const band: BandDay[] = [];
  for (const o of observations) {
    const p = predict(model, o.vars, confidenceLevel);
    if (!p.ok) return p;
    band.push({ startMs: o.startMs, actual: o.energy, predicted: p.value.value, low: p.value.interval.low, high: p.value.interval.high });
  }
  return { ok: true, value: band };
}

/** The days of a band whose actual lies outside the interval. */
export const outsideOfBand = <T extends BandDay>(band: readonly T[]): (T & IntervalAnomaly)[] =>
  band.filter((d) => d.actual > d.high || d.actual < d.low).map((d) => ({ ...d, direction: d.actual > d.high ? ('above' as const) : ('below' as const) }));

/** The observations whose actual lies outside the model's prediction interval at `confidenceLevel`. */
export function outsidePredictionInterval(model: BaselineModel, observations: readonly Observation[], confidenceLevel = 0.95): Result<IntervalAnomaly[]> {
  const band = predictionBand(model, observations, confidenceLevel);
  return band.ok ? { ok: true, value: outsideOfBand(band.value) } : band;
}
