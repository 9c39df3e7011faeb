import { DomainError } from '../errors.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
      });
    } catch (cause) {
      throw new DomainError('MTL_DOMAIN_INVALID_TIME_ZONE', `unknown IANA time zone "${timeZone}"`, { timeZone }, { cause });
    }
    formatters.set(timeZone, f);
  }
  return f;
}

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock time in `timeZone` at an instant (epoch ms). */
export function toLocalTime(instant: number, timeZone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instant))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! };
}

/** UTC offset of `timeZone` at an instant, in ms (east positive). */
function offsetAt(instant: number, timeZone: string): number {
  const l = toLocalTime(instant, timeZone);
  const wall = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * The first instant at which the wall clock in `timeZone` shows the given local time, or
 * the first instant after it when that time does not exist (skipped by a DST change).
 * Offsets are found with Intl, so no time-zone library is needed.
 */
export function fromLocalTime(local: Omit<LocalTime, 'second'> & { second?: number }, timeZone: string): number {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second ?? 0);
  // Candidates for the two offsets in force around this wall time.
  const candidates = new Set<number>();
  for (const probe of [wall - 86_400_000, wall, wall + 86_400_000]) candidates.add(wall - offsetAt(probe, timeZone));
  const exact = [...candidates].filter((t) => wall - offsetAt(t, timeZone) === t).sort((a, b) => a - b);
  if (exact.length > 0) return exact[0]!;
  // In a spring-forward gap: the wall time is skipped; the gap ends at the transition.
  const before = Math.min(...candidates);
  const after = Math.max(...candidates);
  let lo = before;
  let hi = after;
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2 / 1000) * 1000;
    const l = toLocalTime(mid, timeZone);
    if (Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second) < wall) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** ISO 8601 with the zone's offset, e.g. 2025-03-30T03:00:00+02:00. */
export function formatLocalIso(instant: number, timeZone: string): string {
  const l = toLocalTime(instant, timeZone);
  const off = offsetAt(instant, timeZone) / 60_000;
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(l.year, 4)}-${p(l.month)}-${p(l.day)}T${p(l.hour)}:${p(l.minute)}:${p(l.second)}${sign}${p(Math.floor(abs / 60))}:${p(abs % 60)}`;
}

/** The local calendar date (YYYY-MM-DD) at an instant. */
export function localDate(instant: number, timeZone: string): string {
  return formatLocalIso(instant, timeZone).slice(0, 10);
}
