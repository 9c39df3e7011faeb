import type { RegisterReading, TimeRange } from '@meterline/domain';
import { readReadings, type OnUnreadable } from '@meterline/series';
import type { TimeSeriesStore } from '@meterline/store';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface ReadingLoaderOptions {
  store: TimeSeriesStore;
  /** The raw readings' measurement (@meterline/series readings). */
  measurement: string;
  /**
   * How far before and after a range to look for the readings that bound it. A point
   * silent for longer has no interval across its silence (the gap lowers coverage).
   */
  boundSearchMs: number;
  /** A row of the measurement that holds no reading is left out and handed here. */
  onUnreadable: OnUnreadable;
}

/** Readings by point, each list sorted by time. */
export type ReadingsByPoint = Map<string, RegisterReading[]>;

/**
 * Loads an enterprise's register readings for a range plus, per point, the last reading
 * before it and the first after it: the readings every interval overlapping the range
 * needs. Looks first in a narrow strip around the range and widens the strip only for
 * points still missing a bound, so regular 15-minute data costs one query.
 */
export async function loadReadings(options: ReadingLoaderOptions, enterpriseId: string, pointIds: readonly string[], range: TimeRange): Promise<{ readings: ReadingsByPoint; queries: number; rows: number }> {
  const readings: ReadingsByPoint = new Map(pointIds.map((id) => [id, []]));
  let queries = 0;
  let rows = 0;
  const read = async (fromMs: number, toMs: number) => {
    queries++;
    const stored = await readReadings(options.store, { measurement: options.measurement, enterpriseId, fromMs, toMs, fields: [] }, options.onUnreadable);
    rows += stored.length;
    for (const r of stored) readings.get(r.pointId)?.push({ at: r.tsMs, value: r.value });
  };
  const steps = [2 * HOUR_MS, DAY_MS, 7 * DAY_MS, options.boundSearchMs].filter((m, i, all) => m <= options.boundSearchMs && (i === 0 || m > all[i - 1]!));
  await read(range.start - steps[0]!, range.end + steps[0]!);
  let searched = steps[0]!;
  for (const margin of steps.slice(1)) {
    const lacks = (side: 'before' | 'after') => pointIds.some((id) => !hasBound(readings.get(id)!, range, side));
    const before = lacks('before');
    const after = lacks('after');
    if (!before && !after) break;
    if (before) await read(range.start - margin, range.start - searched);
    if (after) await read(range.end + searched, range.end + margin);
    searched = margin;
  }
  for (const list of readings.values()) list.sort((a, b) => a.at - b.at || a.value - b.value);
  return { readings, queries, rows };
}

function hasBound(list: readonly RegisterReading[], range: TimeRange, side: 'before' | 'after'): boolean {
  return side === 'before' ? list.some((r) => r.at < range.start) : list.some((r) => r.at >= range.end);
}
