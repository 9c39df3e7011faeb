/** Small robust statistics; empty input gives NaN, which no threshold comparison passes. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((s, v) => s + v, 0) / values.length;
}

/** Sample variance (n − 1). */
export function variance(values: readonly number[]): number {
  if (values.length < 2) return NaN;
  const m = mean(values);
  return values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1);
}

/**
 * How much a series moves from one step to the next, relative to its level: median |xᵢ − xᵢ₋₁|
 * ÷ median x. A measured load keeps some of this even when its shape is flat; a typed-in or
 * generated series loses it. The daily shape's ramps touch only a few steps, so the median ignores them.
 */
export function relativeStepSpread(values: readonly number[]): number {
  if (values.length < 3) return NaN;
  const level = median(values);
  if (!(level > 0)) return NaN;
  const steps: number[] = [];
  for (let i = 1; i < values.length; i++) steps.push(Math.abs(values[i]! - values[i - 1]!));
  return median(steps) / level;
}

/** Rounds for evidence: numbers a reader can check, not float noise. */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
