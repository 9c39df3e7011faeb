import { combineSum, toLocalTime, type Measured } from '@meterline/domain';

export interface HourlyConsumption {
  startMs: number;
  /** Energy of the hour (its mean load in energy per hour). */
  energy: number;
  workingDay: boolean;
}

export interface BaseLoadOptions {
  timeZone: string;
  bucket: 'week' | 'month';
  /** Local hours [nightStartHour, nightEndHour) that make the night base load. Default 0 to 5. */
  nightStartHour?: number;
  nightEndHour?: number;
  /** Compare each bucket with the first ('first', default) or with the one before it ('previous'). */
  reference?: 'first' | 'previous';
  /** A rise is flagged beyond coverageFactor · √(u² + u_ref²). Default 2. */
  coverageFactor?: number;
}

interface LoadLevel extends Measured {
  hours: number;
}

export interface BaseLoadBucket {
  /** Local YYYY-MM, or the local date (YYYY-MM-DD) of the week's Monday. */
  key: string;
  /** Mean hourly energy over the night hours of all days; u = standard error of the mean (GUM 4.2.3). */
  night: LoadLevel | null;
  /** Mean hourly energy over the non-working days' hours. */
  nonWorkingDay: LoadLevel | null;
  nightRising: boolean;
  nonWorkingDayRising: boolean;
}

/**
 * Night base load and non-working-day load per week or month, and whether each rose beyond
 * its uncertainty. A load level is a mean of hours; its standard uncertainty is the type A
 * estimate s/√N (GUM 4.2.3). Consecutive hours are correlated, so s/√N errs narrow: the
 * coverage factor (default 2) is what keeps flags rare for stable loads.
 */
export function baseLoadByBucket(hours: readonly HourlyConsumption[], options: BaseLoadOptions): BaseLoadBucket[] {
  const nightStart = options.nightStartHour ?? 0;
  const nightEnd = options.nightEndHour ?? 5;
  const k = options.coverageFactor ?? 2;
  const groups = new Map<string, { night: number[]; nonWorking: number[] }>();
  for (const h of [...hours].sort((a, b) => a.startMs - b.startMs)) {
    const local = toLocalTime(h.startMs, options.timeZone);
    const key = options.bucket === 'month' ? `${local.year}-${pad(local.month)}` : mondayOf(local.year, local.month, local.day);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { night: [], nonWorking: [] }));
    if (local.hour >= nightStart && local.hour < nightEnd) g.night.push(h.energy);
    if (!h.workingDay) g.nonWorking.push(h.energy);
  }
  const buckets: BaseLoadBucket[] = [];
  for (const [key, g] of groups) {
    const reference = options.reference === 'previous' ? buckets[buckets.length - 1] : buckets[0];
    const night = meanLevel(g.night);
    const nonWorkingDay = meanLevel(g.nonWorking);
    buckets.push({
      key,
      night,
      nonWorkingDay,
      nightRising: rose(night, reference?.night ?? null, k),
      nonWorkingDayRising: rose(nonWorkingDay, reference?.nonWorkingDay ?? null, k),
    });
  }
  return buckets;
}

function meanLevel(values: readonly number[]): LoadLevel | null {
  const n = values.length;
  if (n === 0) return null;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const variance = n > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { value: mean, u: Math.sqrt(variance / n), hours: n };
}

function rose(level: LoadLevel | null, reference: LoadLevel | null, k: number): boolean {
  if (level === null || reference === null || level === reference) return false;
  return level.value - reference.value > k * combineSum([level.u, reference.u]);
}

function mondayOf(year: number, month: number, day: number): string {
  const date = new Date(Date.UTC(year, month - 1, day));
  const sinceMonday = (date.getUTCDay() + 6) % 7;
  date.setUTCDate(date.getUTCDate() - sinceMonday);
  return date.toISOString().slice(0, 10);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
