import type { TimeRange } from '../counter/allocate-to-period.ts';
import { calendarPeriod } from '../calendar/period.ts';
import { localDate } from '../calendar/zoned-time.ts';
import type { Cadence } from './cadence.ts';

/**
 * Data completeness as the regulator counts it: readings received ÷ readings expected at the
 * point's cadence (completeness of uploads, energy-carbon reference §6 and §9). Kept apart from
 * energy coverage: a register difference can bound a period's energy exactly while most of its
 * readings are missing.
 */
export interface ReadingCounts {
  /** Distinct reading instants that count for the period, never more than `expected`. */
  received: number;
  /** Cadence slots the period touches. */
  expected: number;
}

/** Completeness in percent; a period that expects nothing is complete. */
export const completenessPercent = (c: ReadingCounts): number => (c.expected === 0 ? 100 : (c.received / c.expected) * 100);

/** The cadence slots a period touches: their span and how many. */
interface SlotWindow {
  start: number;
  end: number;
  slots: number;
}

/**
 * The slots of a cadence are local: local days or months for P1D and P1M; for a time cadence,
 * steps of its length from each local midnight, the last one of a day cut at the next midnight
 * (so PT15M gives 96 slots on a 24-hour day, 92 on a 23-hour one, 100 on a 25-hour one).
 */
function slotWindow(period: TimeRange, cadence: Cadence, timeZone: string): SlotWindow {
  const dayOf = (at: number) => calendarPeriod(localDate(at, timeZone), timeZone);
  if (cadence.kind !== 'time') {
    const unitOf = cadence.kind === 'day' ? dayOf : (at: number) => calendarPeriod(localDate(at, timeZone).slice(0, 7), timeZone);
    let unit = unitOf(period.start);
    const start = unit.start;
    let slots = 1;
    while (unit.end < period.end) {
      unit = unitOf(unit.end);
      slots++;
    }
    return { start, end: unit.end, slots };
  }
  const c = cadence.ms;
  let day = dayOf(period.start);
  let start: number | undefined;
  let end = period.end;
  let slots = 0;
  for (;;) {
    const first = Math.floor((Math.max(period.start, day.start) - day.start) / c);
    const last = Math.floor((Math.min(period.end, day.end) - 1 - day.start) / c);
    start ??= day.start + first * c;
    end = Math.min(day.start + (last + 1) * c, day.end);
    slots += last - first + 1;
    if (day.end >= period.end) break;
    day = dayOf(day.end);
  }
  return { start, end, slots };
}

// Windows depend on the period, the cadence and the zone only: every point of one cadence shares
// them, and working one out costs a few time-zone conversions per local day it spans.
const windows = new Map<string, SlotWindow>();
const MAX_REMEMBERED_WINDOWS = 20_000;

function rememberedWindow(period: TimeRange, cadence: Cadence, timeZone: string): SlotWindow {
  const key = `${timeZone}|${cadence.text}|${period.start}|${period.end}`;
  let window = windows.get(key);
  if (!window) {
    if (windows.size >= MAX_REMEMBERED_WINDOWS) windows.clear();
    window = slotWindow(period, cadence, timeZone);
    windows.set(key, window);
  }
  return window;
}

/** The first index in sorted `instants` not before `at`. */
function firstAtOrAfter(instants: readonly number[], at: number): number {
  let lo = 0;
  let hi = instants.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (instants[mid]! < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * How many readings a period received and expected. Expected: the cadence slots the period
 * touches (a period shorter than the cadence, an hour of a daily-read tank, expects the one
 * reading of its day). Received: the distinct instants inside the period, plus the nearest
 * reading on either side when it falls in a slot the period touches, capped at expected, so
 * that a late or early reading still counts once and bursts never make up for silence. Only
 * the readings of readingsBounding(period) count, so a figure still depends on those alone.
 *
 * `instants` are the point's distinct reading instants, ascending.
 */
export function readingCounts(instants: readonly number[], period: TimeRange, cadence: Cadence, timeZone: string): ReadingCounts {
  if (period.end <= period.start) return { received: 0, expected: 0 };
  const window = rememberedWindow(period, cadence, timeZone);
  const from = firstAtOrAfter(instants, period.start);
  const to = firstAtOrAfter(instants, period.end);
  let received = to - from;
  if (from > 0 && instants[from - 1]! >= window.start) received++;
  if (to < instants.length && instants[to]! < window.end) received++;
  return { received: Math.min(received, window.slots), expected: window.slots };
}
