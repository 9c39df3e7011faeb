import { byDay, consecutiveRuns, dayFrame, stepSpreads } from './day-frame.ts';
import { median, round } from './statistics.ts';
import type { FabricationInputs, FindingOf, MeteredIncrement } from './types.ts';

export interface TooRegularOptions {
  /**
   * A day is too regular when its step spread (relativeStepSpread) is below this share of the
   * point's usual one. A day of ~95 quarter-hour steps estimates a median to within about
   * ±15 % when the load is honest, so one fifth of the usual is far outside chance.
   */
  maxShareOfUsualSpread: number;
  /** Consecutive such days needed. */
  minDays: number;
}

const TOO_REGULAR_DEFAULTS: TooRegularOptions = { maxShareOfUsualSpread: 0.2, minDays: 2 };

/** Increments too regular to be measured: identical deltas, or a load that always varied suddenly varying no more. */
export function detectTooRegular(inputs: FabricationInputs, options: Partial<TooRegularOptions> = {}): FindingOf<'too-regular'>[] {
  const o = { ...TOO_REGULAR_DEFAULTS, ...options };
  const frame = dayFrame(inputs);
  const findings: FindingOf<'too-regular'>[] = [];
  for (const point of inputs.points) {
    // Days with no draw at all are the flat-register detector's business, not this one's.
    const { spreads, usual } = stepSpreads(frame, point.increments);
    if (!(usual > 0)) continue;
    const regular: number[] = [];
    for (let i = frame.firstMonthDay; i < frame.days.length; i++) if (spreads[i]! < o.maxShareOfUsualSpread * usual) regular.push(i);
    const run = consecutiveRuns(regular, o.minDays).flat();
    if (run.length === 0) continue;
    const daySpread = median(run.map((i) => spreads[i]!));
    const identical = longestIdenticalRun(byDay(frame, point.increments, (x) => x.start).filter((_, i) => run.includes(i)));
    const dates = run.map((i) => frame.days[i]!.date);
    findings.push({
      detector: 'too-regular',
      pointId: point.pointId,
      month: frame.month,
      evidence: { days: dates, daySpread: round(daySpread, 4), historySpread: round(usual, 4), longestIdenticalRun: identical },
      summary:
        `${point.pointId} recorded ${dates.length} days (from ${dates[0]}) whose readings step by ${round(daySpread * 100, 2)} % of the load from one interval to the next, ` +
        `against ${round(usual * 100, 2)} % on its usual days${identical > 1 ? `, with up to ${identical} identical increments in a row` : ''}: a measured load does not run that smoothly.`,
    });
  }
  return findings;
}

function longestIdenticalRun(days: ReadonlyArray<readonly MeteredIncrement[]>): number {
  let longest = 0;
  for (const day of days) {
    let run = 1;
    for (let i = 1; i < day.length; i++) {
      run = day[i]!.value === day[i - 1]!.value ? run + 1 : 1;
      longest = Math.max(longest, run);
    }
  }
  return longest;
}
