import { calendarPeriod, localDate, toLocalTime, type PeriodKind } from '@meterline/domain';

const QUARTER_MS = 900_000;

/**
 * When the last period of `kind` that starts before `toMs` ends, in the enterprise's local
 * calendar: the period holding the instant just before `toMs` (periods follow each other, and
 * a figure is in a range when its start is). A range whose last period has ended holds only
 * closed periods. Local quarter-hours are UTC quarter-hours (zone offsets in use are whole
 * quarter-hours, as packages/domain's subPeriods assumes); an hour ends at the first
 * quarter-hour whose local minute is 0, as subPeriods cuts it.
 */
export function lastPeriodEndMs(kind: PeriodKind, toMs: number, timeZone: string): number {
  const last = toMs - 1;
  switch (kind) {
    case 'quarter-hour':
      return Math.floor(last / QUARTER_MS) * QUARTER_MS + QUARTER_MS;
    case 'hour': {
      let end = Math.floor(last / QUARTER_MS) * QUARTER_MS + QUARTER_MS;
      while (toLocalTime(end, timeZone).minute !== 0) end += QUARTER_MS;
      return end;
    }
    case 'day':
      return calendarPeriod(localDate(last, timeZone), timeZone).end;
    case 'month':
      return calendarPeriod(localDate(last, timeZone).slice(0, 7), timeZone).end;
    case 'year':
      return calendarPeriod(localDate(last, timeZone).slice(0, 4), timeZone).end;
  }
}

/**
 * lastPeriodEndMs remembered: it takes several time-zone conversions, and a dashboard asks the
 * same few ranges over and over. Bounded: emptied when full (ranges seen long ago rarely come back).
 */
export function rememberedLastPeriodEnd(capacity = 4_096): (kind: PeriodKind, toMs: number, timeZone: string) => number {
  const known = new Map<string, number>();
  return (kind, toMs, timeZone) => {
    const key = `${kind}|${toMs}|${timeZone}`;
    let end = known.get(key);
    if (end === undefined) {
      if (known.size >= capacity) known.clear();
      end = lastPeriodEndMs(kind, toMs, timeZone);
      known.set(key, end);
    }
    return end;
  };
}
