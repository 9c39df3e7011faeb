import { DomainError } from '../errors.ts';
import { fromLocalTime, formatLocalIso, toLocalTime } from './zoned-time.ts';

export type PeriodKind = 'quarter-hour' | 'hour' | 'day' | 'month' | 'year';

/** A reporting period in an enterprise's local time zone: [start, end) in epoch ms. */
export interface Period {
  kind: PeriodKind;
  /** YYYY, YYYY-MM, YYYY-MM-DD, or for sub-day periods the local start with offset. */
  key: string;
  timeZone: string;
  start: number;
  end: number;
}

const CALENDAR_KEY = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/**
 * Parses YYYY, YYYY-MM or YYYY-MM-DD into the local period it names. A day is midnight to
 * midnight on the local wall clock, so it lasts 23 or 25 hours on DST change days.
 */
export function calendarPeriod(key: string, timeZone: string): Period {
  const m = CALENDAR_KEY.exec(key);
  const year = Number(m?.[1]);
  const month = m?.[2] === undefined ? undefined : Number(m[2]);
  const day = m?.[3] === undefined ? undefined : Number(m[3]);
  const valid =
    m !== null && (month === undefined || (month >= 1 && month <= 12)) &&
    (day === undefined || (day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate()));
  if (!valid) {
    throw new DomainError('MTL_DOMAIN_INVALID_PERIOD', `"${key}" is not a period (expected YYYY, YYYY-MM or YYYY-MM-DD)`, { key });
  }
  const midnight = (y: number, mo: number, d: number) => fromLocalTime({ year: y, month: mo, day: d, hour: 0, minute: 0 }, timeZone);
  if (month === undefined) return { kind: 'year', key, timeZone, start: midnight(year, 1, 1), end: midnight(year + 1, 1, 1) };
  if (day === undefined) {
    const next = month === 12 ? [year + 1, 1] : [year, month + 1];
    return { kind: 'month', key, timeZone, start: midnight(year, month, 1), end: midnight(next[0]!, next[1]!, 1) };
  }
  // Date.UTC normalises day overflow (Jan 32 -> Feb 1).
  const n = new Date(Date.UTC(year, month - 1, day + 1));
  return { kind: 'day', key, timeZone, start: midnight(year, month, day), end: midnight(n.getUTCFullYear(), n.getUTCMonth() + 1, n.getUTCDate()) };
}

const QUARTER_MS = 900_000;

/**
 * Splits a period into consecutive sub-periods of `kind` in local time. Sub-day periods
 * step through real instants, so a spring-forward day has 23 hours and a fall-back day
 * has 25, the repeated hour appearing twice with different offsets.
 */
export function subPeriods(period: Period, kind: PeriodKind): Period[] {
  const out: Period[] = [];
  const tz = period.timeZone;
  if (kind === 'quarter-hour' || kind === 'hour') {
    // Zone offsets in use are whole quarter-hours, so local quarter-hours are UTC quarter-hours.
    let start = period.start;
    while (start < period.end) {
      let end = start + QUARTER_MS;
      if (kind === 'hour') while (end < period.end && toLocalTime(end, tz).minute !== 0) end += QUARTER_MS;
      end = Math.min(end, period.end);
      out.push({ kind, key: formatLocalIso(start, tz), timeZone: tz, start, end });
      start = end;
    }
    return out;
  }
  let start = period.start;
  while (start < period.end) {
    const l = toLocalTime(start, tz);
    const key =
      kind === 'day' ? `${l.year}-${pad(l.month)}-${pad(l.day)}` : kind === 'month' ? `${l.year}-${pad(l.month)}` : `${l.year}`;
    const p = calendarPeriod(key, tz);
    out.push(p);
    start = p.end;
  }
  return out;
}

const pad = (n: number) => String(n).padStart(2, '0');
