export interface CusumOptions {
  /** Reference value (allowance) k in units of s: shifts smaller than k·s are not accumulated. Default 0.5. */
  k?: number;
  /** Decision interval h in units of s. Default 5. */
  h?: number;
}

export interface CusumPoint {
  /** actual − expected of the observation. */
  deviation: number;
  /** Running Σ(actual − expected): the M&V CUSUM chart (its slope is the extra consumption per period). */
  cumulative: number;
  /** Tabular CUSUM statistics C⁺ and C⁻, both ≥ 0. */
  upper: number;
  lower: number;
  /**
   * The level of actual − expected monitoring is centred on after this observation: the sum of
   * the shifts of the changes signalled so far (0 before any; near 0 again after a return).
   */
  level: number;
}

export interface ChangePoint {
  direction: 'up' | 'down';
  /** Index at which C⁺ or C⁻ first exceeded h·s. */
  signalIndex: number;
  /** Estimated index where the shift began: the one after the statistic was last zero. */
  startIndex: number;
  /** Estimated shift of actual − expected after the change: ±(k·s + C/N), N the run length. */
  shift: number;
}

/**
 * The tabular (two-sided) CUSUM of Page (1954) as set out in D. C. Montgomery, Introduction
 * to Statistical Quality Control, the tabular CUSUM section: with target 0 for
 * actual − expected, K = k·s, H = h·s,
 *   C⁺ᵢ = max(0, xᵢ − K + C⁺ᵢ₋₁),  C⁻ᵢ = max(0, −xᵢ − K + C⁻ᵢ₋₁),
 * signalling when either exceeds H; the shift began after the statistic was last zero, and
 * its size is estimated as K + C/N. k = 0.5 and h = 4 or 5 are Montgomery's recommended
 * values (detecting a shift of 1 s quickly); s is the baseline's residual standard error.
 * After a signal both statistics restart at 0 around the new level (the shift estimated), so a
 * lasting shift signals once and later changes, a return included, are found too.
 */
export function tabularCusum(deviations: readonly number[], s: number, options: CusumOptions = {}): { points: CusumPoint[]; changePoints: ChangePoint[] } {
  const K = (options.k ?? 0.5) * s;
  const H = (options.h ?? 5) * s;
  const points: CusumPoint[] = [];
  const changePoints: ChangePoint[] = [];
  let upper = 0;
  let lower = 0;
  let upperRun = 0;
  let lowerRun = 0;
  let cumulative = 0;
  // The level a signal moved the deviations to: monitoring goes on around it, so a lasting shift
  // is one change point (not one a day) and a later return is a change point of its own.
  let level = 0;
  deviations.forEach((deviation, i) => {
    cumulative += deviation;
    const x = deviation - level;
    upper = Math.max(0, x - K + upper);
    lower = Math.max(0, -x - K + lower);
    upperRun = upper > 0 ? upperRun + 1 : 0;
    lowerRun = lower > 0 ? lowerRun + 1 : 0;
    let change: ChangePoint | undefined;
    if (upper > H) change = { direction: 'up', signalIndex: i, startIndex: i - upperRun + 1, shift: K + upper / upperRun };
    else if (lower > H) change = { direction: 'down', signalIndex: i, startIndex: i - lowerRun + 1, shift: -(K + lower / lowerRun) };
    points.push({ deviation, cumulative, upper, lower, level: level + (change?.shift ?? 0) });
    if (!change) return;
    changePoints.push(change);
    level += change.shift;
    upper = lower = 0;
    upperRun = lowerRun = 0;
  });
  return { points, changePoints };
}
