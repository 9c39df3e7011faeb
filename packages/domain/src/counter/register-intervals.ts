import type { MeteringPoint } from '../registry/manifest-schema.ts';
import { integrateRate } from '../units.ts';

/** A register reading in the point's unit, before the multiplier. `at` is epoch milliseconds. */
export interface RegisterReading {
  at: number;
  value: number;
}

type IntervalStatus = 'measured' | 'rollover' | 'replacement' | 'suspect-drop' | 'suspect-over-capacity';

/** The consumption between two consecutive readings of one point. */
export interface RegisterInterval {
  start: number;
  end: number;
  /** In the point's unit after the multiplier. Zero for suspect intervals, whose energy is not booked. */
  delta: number;
  status: IntervalStatus;
  /** For suspect intervals: what plain arithmetic would have given, for the auditor. */
  rejectedDelta?: number;
  startValue: number;
  endValue: number;
}

export interface RegisterSeries {
  intervals: RegisterInterval[];
  /** Readings at an instant already seen, with the same value (harmless) or another (conflicting). */
  duplicates: number;
  conflictingDuplicates: number;
  /** The instants with conflicting duplicates, ascending. */
  conflictingInstants: number[];
  /** Every distinct reading instant, ascending (what data completeness counts). */
  instants: number[];
}

export function isBooked(interval: RegisterInterval): boolean {
  return interval.status === 'measured' || interval.status === 'rollover' || interval.status === 'replacement';
}

const HOUR_MS = 3_600_000;

/**
 * Turns register readings into consumption intervals.
 *
 * - A meter replacement recorded in the registry between two readings joins the old
 *   register (up to its final value) and the new one (from its initial value).
 * - A drop with a register maximum is a rollover only when the wrapped delta is below half
 *   the register range and within physical capacity: a real wrap happens near the top.
 * - Any other drop is suspect, and so is a delta above what maxPower (plus the meter's
 *   accuracy class) allows over the interval: neither is booked nor silently dropped.
 *
 * The result does not depend on the order readings arrive in.
 */
export function registerIntervals(point: MeteringPoint, readings: readonly RegisterReading[]): RegisterSeries {
  const multiplier = point.multiplier ?? 1;
  const sorted = [...readings].sort((a, b) => a.at - b.at || a.value - b.value);
  const unique: RegisterReading[] = [];
  let duplicates = 0;
  let conflictingDuplicates = 0;
  const conflictingInstants: number[] = [];
  for (const r of sorted) {
    const last = unique[unique.length - 1];
    if (last && last.at === r.at) {
      duplicates++;
      // Keep the larger value deterministically; the disagreement is reported.
      if (last.value !== r.value) {
        conflictingDuplicates++;
        if (conflictingInstants[conflictingInstants.length - 1] !== r.at) conflictingInstants.push(r.at);
        unique[unique.length - 1] = r;
      }
      continue;
    }
    unique.push(r);
  }
  const replacements = (point.replacements ?? []).map((r) => ({ ...r, atMs: Date.parse(r.at) }));
  const capacity = (hours: number): number | undefined =>
    point.maxPower ? integrateRate(point.maxPower, hours, point.unit) * (1 + point.accuracyClass / 100) : undefined;

  const intervals: RegisterInterval[] = [];
  for (let i = 1; i < unique.length; i++) {
    const a = unique[i - 1]!;
    const b = unique[i]!;
    const base = { start: a.at, end: b.at, startValue: a.value, endValue: b.value };
    const within = replacements.filter((r) => r.atMs > a.at && r.atMs <= b.at);
    let raw: number;
    let status: IntervalStatus;
    if (within.length > 0) {
      // a -> old final, then each new initial -> next old final, then new initial -> b.
      // Either register may also have wrapped within its segment.
      const segment = (from: number, to: number): number =>
        to >= from || point.registerMax === undefined ? to - from : point.registerMax - from + to;
      raw = segment(a.value, within[0]!.oldFinalRegister);
      for (let k = 1; k < within.length; k++) raw += segment(within[k - 1]!.newInitialRegister, within[k]!.oldFinalRegister);
      raw += segment(within[within.length - 1]!.newInitialRegister, b.value);
      status = 'replacement';
    } else if (b.value >= a.value) {
      raw = b.value - a.value;
      status = 'measured';
    } else if (point.registerMax !== undefined && a.value < point.registerMax) {
      raw = point.registerMax - a.value + b.value;
      status = raw < point.registerMax / 2 ? 'rollover' : 'suspect-drop';
    } else {
      raw = b.value - a.value;
      status = 'suspect-drop';
    }
    const delta = raw * multiplier;
    const cap = capacity((b.at - a.at) / HOUR_MS);
    if (delta < 0) {
      intervals.push({ ...base, delta: 0, status: 'suspect-drop', rejectedDelta: delta });
    } else if (status === 'suspect-drop') {
      intervals.push({ ...base, delta: 0, status, rejectedDelta: (b.value - a.value) * multiplier });
    } else if (cap !== undefined && delta > cap) {
      intervals.push({ ...base, delta: 0, status: 'suspect-over-capacity', rejectedDelta: delta });
    } else {
      intervals.push({ ...base, delta, status });
    }
  }
  return { intervals, duplicates, conflictingDuplicates, conflictingInstants, instants: unique.map((r) => r.at) };
}
