/** Axis ticks at 1, 2 or 5 × 10ⁿ apart, covering [min, max], with 0 among them when the range holds it. */
export interface Ticks {
  min: number;
  max: number;
  step: number;
  values: number[];
}

// Float noise off tick values (0.1 + 0.2): twelve significant digits are more than an axis shows.
const tidy = (x: number): number => Number(x.toPrecision(12)) || 0;

/**
 * Ticks for an axis over the data's [min, max], about `count` intervals. An empty range is
 * widened (all zeros: 0 to 1; a single value v: from 0 to v) so a chart never divides by zero.
 */
export function niceTicks(dataMin: number, dataMax: number, count = 5): Ticks {
  let lo = Math.min(dataMin, dataMax);
  let hi = Math.max(dataMin, dataMax);
  if (lo === hi) {
    if (lo === 0) hi = 1;
    else if (lo > 0) lo = 0;
    else hi = 0;
  }
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = tidy(([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude);
  const min = tidy(Math.floor(lo / step) * step);
  const max = tidy(Math.ceil(hi / step) * step);
  const values: number[] = [];
  for (let i = 0; tidy(min + i * step) <= max; i++) values.push(tidy(min + i * step));
  return { min, max, step, values };
}

/** Maps [d0, d1] linearly onto [r0, r1] (r1 < r0 for a y axis that grows upward). */
export const linearScale = (d0: number, d1: number, r0: number, r1: number) => (v: number): number => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);

/** A coordinate for SVG: two decimals are finer than a printed dot. */
export const px = (v: number): string => String(Math.round(v * 100) / 100);
