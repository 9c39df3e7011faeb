import { calendarPeriod, localDate, subPeriods } from '@meterline/domain';
import { median, relativeStepSpread } from './statistics.ts';
import type { FabricationInputs, MeteredIncrement } from './types.ts';

/** One local calendar day: [start, end) in epoch ms (23 or 25 hours on DST change days). */
interface LocalDay {
  date: string;
  start: number;
  end: number;
  inMonth: boolean;
  /** Saturday or Sunday: plants draw less then, so usual levels are compared day kind to day kind. */
  weekend: boolean;
}

/** The history days and the month's days, in order; `firstMonthDay` is the index of the month's first. */
export interface DayFrame {
  month: string;
  days: LocalDay[];
  firstMonthDay: number;
}

function localDay(date: string, timeZone: string, inMonth: boolean): LocalDay {
  const p = calendarPeriod(date, timeZone);
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return { date, start: p.start, end: p.end, inMonth, weekend: weekday === 0 || weekday === 6 };
}

export function dayFrame(inputs: Pick<FabricationInputs, 'month' | 'timeZone' | 'historyDays'>): DayFrame {
  const month = calendarPeriod(inputs.month, inputs.timeZone);
  const history: LocalDay[] = [];
  let before = month.start;
  for (let i = 0; i < inputs.historyDays; i++) {
    const day = localDay(localDate(before - 1, inputs.timeZone), inputs.timeZone, false);
    history.unshift(day);
    before = day.start;
  }
  const days = subPeriods(month, 'day').map((d) => localDay(d.key, inputs.timeZone, true));
  return { month: inputs.month, days: [...history, ...days], firstMonthDay: history.length };
}

/** Index of the day holding the instant, or -1 outside the frame (binary search: days are in order). */
export function dayIndexOf(frame: DayFrame, instant: number): number {
  const days = frame.days;
  let lo = 0;
  let hi = days.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const d = days[mid]!;
    if (instant < d.start) hi = mid - 1;
    else if (instant >= d.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** Items grouped by the day their instant falls in, order kept. */
export function byDay<T>(frame: DayFrame, items: readonly T[], instantOf: (item: T) => number): T[][] {
  const out: T[][] = frame.days.map(() => []);
  for (const item of items) {
    const i = dayIndexOf(frame, instantOf(item));
    if (i >= 0) out[i]!.push(item);
  }
  return out;
}

/** A day's total and its U. */
export interface DailyTotal {
  value: number;
  /**
   * The increments of one meter share its systematic error, so their U add linearly (fully
   * correlated, GUM 5.2.2 with r = 1) rather than in quadrature: the cautious choice.
   */
  expandedUncertainty: number;
  intervals: number;
}

export function dailyTotals(frame: DayFrame, increments: readonly MeteredIncrement[]): DailyTotal[] {
  return byDay(frame, increments, (x) => x.start).map((day) => ({
    value: day.reduce((s, x) => s + x.value, 0),
    expandedUncertainty: day.reduce((s, x) => s + x.expandedUncertainty, 0),
    intervals: day.length,
  }));
}

/** Runs of consecutive day indices (sorted input), each at least `minLength` long. */
export function consecutiveRuns(indices: readonly number[], minLength: number): number[][] {
  const runs: number[][] = [];
  let run: number[] = [];
  for (const i of indices) {
    if (run.length > 0 && i !== run[run.length - 1]! + 1) {
      if (run.length >= minLength) runs.push(run);
      run = [];
    }
    run.push(i);
  }
  if (run.length >= minLength) runs.push(run);
  return runs;
}

/**
 * A point's increments per day of the frame, each day's relative step spread, and its usual
 * spread: the median over the history days (NaN-free). What the too-regular and copied-day
 * detectors both judge a day's shape by.
 */
export function stepSpreads(frame: DayFrame, increments: readonly MeteredIncrement[]): { days: number[][]; spreads: number[]; usual: number } {
  const days = byDay(frame, increments, (x) => x.start).map((day) => day.map((x) => x.value));
  const spreads = days.map(relativeStepSpread);
  const usual = median(spreads.slice(0, frame.firstMonthDay).filter((s) => Number.isFinite(s)));
  return { days, spreads, usual };
}
