import type { SeriesPoint, TimeSeriesStore } from '@meterline/store';
import { isNumber, lacking, readRows, unreadable, type OnUnreadable, type RowRead, type StoredRow } from './row-read.ts';

const HOUR_MS = 3_600_000;

/**
 * Landing marks: which hours of an enterprise's readings received new readings, and when.
 * The writer leaves one point per (enterprise, UTC hour) a stored batch touches, in the same
 * store write as the readings, so a mark never precedes the readings it announces and is
 * never lost once they are stored. The aggregator compares a period's marks with those it
 * last computed the period from (aggregation-state.ts): only changed periods are recomputed.
 *
 * A mark is small (about 10 points per batch of thousands of readings) and overwrites
 * itself: the hour's point holds its latest landing. Hours are UTC so the writer needs no
 * registry; the aggregator maps them onto each enterprise's local days.
 */
export const READINGS_LANDED = Object.freeze({
  /** Appended to the readings measurement's name, which is configurable. */
  suffix: '_landed',
  tags: Object.freeze({ enterprise: 'enterprise' }),
  fields: Object.freeze({
    /** When the batch was stored, epoch ms, plus a random fraction so two landings never carry the same value. */
    landed: 'landed',
  }),
});

const { tags: T, fields: F } = READINGS_LANDED;

/** The marks' measurement for a readings measurement (`reading` → `reading_landed`). */
export const readingsLandedMeasurement = (readingsMeasurement: string): string => `${readingsMeasurement}${READINGS_LANDED.suffix}`;

/** One hour of an enterprise that received readings, and the value of its latest landing. */
export interface LandedMark {
  enterpriseId: string;
  /** Start of the UTC hour, epoch ms. */
  hourMs: number;
  landed: number;
}

export const hourOf = (tsMs: number): number => Math.floor(tsMs / HOUR_MS) * HOUR_MS;

/**
 * The marks a batch of readings leaves, one per (enterprise, UTC hour) it holds. The writer
 * calls it on the batch it stores and writes the marks in the same `store.write` as the
 * readings (or after them once they are accepted, never before).
 */
export function landedMarks(readingsMeasurement: string, readings: Iterable<{ enterpriseId: string; tsMs: number }>, landedAtMs: number): SeriesPoint[] {
  const landed = landedAtMs + Math.random() * 0.999;
  const seen = new Set<string>();
  const points: SeriesPoint[] = [];
  const measurement = readingsLandedMeasurement(readingsMeasurement);
  for (const r of readings) {
    const hourMs = hourOf(r.tsMs);
    const key = `${r.enterpriseId}|${hourMs}`;
    if (seen.has(key)) continue;
    seen.add(key);
    points.push({ measurement, tags: { [T.enterprise]: r.enterpriseId }, fields: { [F.landed]: landed }, timestampMs: hourMs });
  }
  return points;
}

function landedMarkOf(row: StoredRow): RowRead<LandedMark> {
  const landed = row.fields[F.landed];
  if (!isNumber(landed)) return unreadable(lacking([F.landed]));
  return { ok: true, value: { enterpriseId: row.tags[T.enterprise] ?? '', hourMs: row.timestampMs, landed } };
}

/** The marks of the hours overlapping [fromMs, toMs), of one enterprise or (`enterpriseId` undefined) of all, in time order. */
export async function readLandedMarks(store: TimeSeriesStore, readingsMeasurement: string, enterpriseId: string | undefined, fromMs: number, toMs: number, onUnreadable: OnUnreadable): Promise<LandedMark[]> {
  const measurement = readingsLandedMeasurement(readingsMeasurement);
  const tags: Record<string, string> = enterpriseId === undefined ? {} : { [T.enterprise]: enterpriseId };
  const rows = await store.readSeries({ measurement, tags, fromMs: hourOf(fromMs), toMs });
  return readRows(measurement, rows, landedMarkOf, onUnreadable);
}
