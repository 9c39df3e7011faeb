import type { MeteringPoint } from '../registry/manifest-schema.ts';

/**
 * A metering point's expected reading interval, its cadence, from the registry's
 * `expectedInterval` (an ISO 8601 duration). Two kinds:
 * - a time cadence, PT1M to PT24H in whole minutes (`PT15M`, `PT1H`, `PT1H30M`): elapsed
 *   time, so a 25-hour DST day expects 100 quarter-hourly readings;
 * - a calendar cadence, `P1D` (one reading per local day, at whatever hour) or `P1M` (one per
 *   local month, e.g. a tank dipped on the 1st): local days last 23 to 25 hours and months 28
 *   to 31 days, so no fixed duration stands for them.
 * Seconds, weeks and multiples of days or months are refused: nothing meters that way here,
 * and a multi-day slot would need an anchor date the registry does not give.
 */
export type Cadence =
  | { readonly text: string; readonly kind: 'time'; readonly ms: number }
  | { readonly text: string; readonly kind: 'day' | 'month' };

/**
 * When a point declares none: real-time indicators every 15 minutes, as GB/T 38692-2020 asks
 * of key energy-consuming units' online monitoring (relaxable to 30 min or 1 h by declaring it).
 */
export const DEFAULT_EXPECTED_INTERVAL = 'PT15M';

/**
 * A reading may arrive late: an interval up to 1.5 cadences long still counts as read at the
 * cadence (one reading 50 % late), so its split across a period boundary is measured, not
 * estimated. Longer means at least one reading is missing.
 */
const LATE_READING_TOLERANCE = 1.5;

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const TIME_CADENCE = /^PT(?:(\d{1,2})H)?(?:(\d{1,4})M)?$/;

/** The cadence an ISO 8601 duration names, or undefined when it is not one Meterline accepts (see Cadence). */
export function parseCadence(text: string): Cadence | undefined {
  if (text === 'P1D') return { text, kind: 'day' };
  if (text === 'P1M') return { text, kind: 'month' };
  const m = TIME_CADENCE.exec(text);
  if (!m || (m[1] === undefined && m[2] === undefined)) return undefined;
  const ms = Number(m[1] ?? 0) * HOUR_MS + Number(m[2] ?? 0) * MINUTE_MS;
  if (ms < MINUTE_MS || ms > 24 * HOUR_MS) return undefined;
  return { text, kind: 'time', ms };
}

const DEFAULT_CADENCE = parseCadence(DEFAULT_EXPECTED_INTERVAL)!;
const cadences = new Map<string, Cadence>([[DEFAULT_EXPECTED_INTERVAL, DEFAULT_CADENCE]]);

/** The point's declared cadence, or the default. The manifest check refuses one that does not parse. */
export function cadenceOf(point: Pick<MeteringPoint, 'expectedInterval'>): Cadence {
  const text = point.expectedInterval ?? DEFAULT_EXPECTED_INTERVAL;
  let cadence = cadences.get(text);
  if (!cadence) {
    cadence = parseCadence(text) ?? DEFAULT_CADENCE;
    cadences.set(text, cadence);
  }
  return cadence;
}

/** The longest time between two readings on time: a local day may last 25 hours, a month 31 days and that hour. */
function longestSlotMs(cadence: Cadence): number {
  if (cadence.kind === 'time') return cadence.ms;
  return cadence.kind === 'day' ? 25 * HOUR_MS : 31 * 24 * HOUR_MS + HOUR_MS;
}

/** The longest interval whose split across a period boundary is still measured (allocate-to-period.ts). */
export function interpolationLimitMs(cadence: Cadence): number {
  return LATE_READING_TOLERANCE * longestSlotMs(cadence);
}
