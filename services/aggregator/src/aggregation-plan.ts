import { calendarPeriod, localDate, subPeriods, type Period, type PeriodKind, type TimeRange } from '@meterline/domain';

/** One day of work: the periods to compute inside it, and whether its readings feed a month. */
interface DayUnit {
  day: Period;
  /** Quarter-hours, hours and the day itself, closed and overlapping the requested range. */
  periods: Period[];
  /** Set when the day belongs to a month being computed: its readings are kept for it. */
  month?: Period;
}

export interface AggregationPlan {
  days: DayUnit[];
  /** Months computed after their last day has been read. */
  months: Period[];
}

const SUB_DAY: readonly PeriodKind[] = ['quarter-hour', 'hour'];
const overlaps = (p: TimeRange, r: TimeRange) => p.start < r.end && p.end > r.start;

/** Local days of a time zone from the one holding `range.start` to the one holding the last instant of it. */
function daysCovering(range: TimeRange, timeZone: string): Period[] {
  const days: Period[] = [];
  if (range.end <= range.start) return days;
  let day = calendarPeriod(localDate(range.start, timeZone), timeZone);
  while (day.start < range.end) {
    days.push(day);
    day = calendarPeriod(localDate(day.end, timeZone), timeZone);
  }
  return days;
}

/**
 * Which periods of `kinds` to compute for a range, in an enterprise's time zone: those that
 * overlap it and are closed (end at or before `now`); a period still running would be
 * restated at every run. Work is cut into local days; a month is computed from the
 * readings of all its days, so asking for months visits every day of them.
 */
export function planAggregation(range: TimeRange, kinds: readonly PeriodKind[], timeZone: string, now: number): AggregationPlan {
  const wanted = new Set(kinds);
  const closed = (p: Period) => p.end <= now && overlaps(p, range);
  const months = wanted.has('month')
    ? [...new Set(daysCovering(range, timeZone).map((d) => d.key.slice(0, 7)))].map((key) => calendarPeriod(key, timeZone)).filter(closed)
    : [];
  const visit = new Map<string, DayUnit>();
  for (const day of daysCovering(range, timeZone)) {
    const periods = SUB_DAY.filter((k) => wanted.has(k)).flatMap((k) => subPeriods(day, k).filter(closed));
    if (wanted.has('day') && closed(day)) periods.push(day);
    if (periods.length > 0) visit.set(day.key, { day, periods });
  }
  for (const month of months) {
    for (const day of subPeriods(month, 'day')) {
      const unit = visit.get(day.key) ?? { day, periods: [] };
      visit.set(day.key, { ...unit, month });
    }
  }
  const days = [...visit.values()].sort((a, b) => a.day.start - b.day.start);
  return { days, months };
}
