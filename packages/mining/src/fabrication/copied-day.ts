import { dayFrame, stepSpreads } from './day-frame.ts';
import { median, round } from './statistics.ts';
import type { CopiedDayEvidence, FabricationInputs, FindingOf } from './types.ts';

export interface CopiedDayOptions {
  /**
   * A day is a copy when its interval-by-interval RMS difference from an earlier day is below
   * this share of what two honest days of the point differ by. Honest days differ by their
   * noise at least (ratio near 1 or above); a copy differs by rounding only (near 0).
   */
  maxShareOfExpectedDifference: number;
  /**
   * A day too smooth to carry noise cannot be told from a copy: below this share of the
   * usual step spread it is left to the too-regular detector (same threshold as there).
   */
  minShareOfUsualSpread: number;
}

const COPIED_DAY_DEFAULTS: CopiedDayOptions = { maxShareOfExpectedDifference: 0.1, minShareOfUsualSpread: 0.2 };

/**
 * Independent noise of standard deviation σ on each interval gives a median |step| of
 * 0.6745·√2·σ ≈ 0.954σ, and two days differ at each interval by √2·σ; so two honest days are
 * expected to differ by about √2 / 0.954 ≈ 1.48 times the step spread, before any change in shape.
 */
const DAY_DIFFERENCE_PER_STEP_SPREAD = Math.SQRT2 / 0.954;

/** A day's profile copied from another day: identical, interval for interval, beyond what its noise allows. */
export function detectCopiedDay(inputs: FabricationInputs, options: Partial<CopiedDayOptions> = {}): FindingOf<'copied-day'>[] {
  const o = { ...COPIED_DAY_DEFAULTS, ...options };
  const frame = dayFrame(inputs);
  const findings: FindingOf<'copied-day'>[] = [];
  for (const point of inputs.points) {
    const { days, spreads, usual } = stepSpreads(frame, point.increments);
    if (!(usual > 0)) continue;
    const copies: CopiedDayEvidence['copies'] = [];
    for (let i = frame.firstMonthDay; i < frame.days.length; i++) {
      const day = days[i]!;
      if (!(spreads[i]! >= o.minShareOfUsualSpread * usual)) continue;
      const expected = DAY_DIFFERENCE_PER_STEP_SPREAD * usual * median(day);
      const source = closestEarlierDay(days, i, o.maxShareOfExpectedDifference * expected);
      if (source) copies.push({ date: frame.days[i]!.date, sourceDate: frame.days[source.index]!.date, rmsDifference: round(source.rms, 4), expectedRmsDifference: round(expected, 4) });
    }
    if (copies.length === 0) continue;
    const first = copies[0]!;
    findings.push({
      detector: 'copied-day',
      pointId: point.pointId,
      month: frame.month,
      evidence: { copies },
      summary:
        `${point.pointId} has ${copies.length} day${copies.length > 1 ? 's' : ''} whose profile repeats an earlier day interval for interval ` +
        `(${first.date} repeats ${first.sourceDate}: they differ by ${first.rmsDifference} per interval where two real days of this meter differ by about ${first.expectedRmsDifference}).`,
    });
  }
  return findings;
}

/** The earlier day of the same length closest to day `i` by RMS difference, if one is within `limit`. */
function closestEarlierDay(days: ReadonlyArray<readonly number[]>, i: number, limit: number): { index: number; rms: number } | undefined {
  const day = days[i]!;
  const budget = limit * limit * day.length;
  let best: { index: number; rms: number } | undefined;
  for (let j = 0; j < i; j++) {
    const other = days[j]!;
    if (other.length !== day.length || day.length === 0) continue;
    let sum = 0;
    for (let k = 0; k < day.length && sum <= budget; k++) sum += (day[k]! - other[k]!) ** 2;
    const rms = Math.sqrt(sum / day.length);
    if (sum <= budget && (!best || rms < best.rms)) best = { index: j, rms };
  }
  return best;
}
