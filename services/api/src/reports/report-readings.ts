import { readingsBounding, type Period, type RegisterReading } from '@meterline/domain';
import { readingOf, readingTags, readRows, type OnUnreadable } from '@meterline/series';
import type { SeriesPageReader } from '../series/series-page-reader.ts';

const DAY_MS = 86_400_000;
/** Pages read at a time: a point's month of 15-minute readings is one page. */
const PAGE = 10_000;
/** InfluxDB's timestamps end in 2262; a range beyond would overflow its nanoseconds. */
const LATEST_MS = Date.UTC(2262, 0, 1);
/** How far out each search for a bounding reading looks, nearest first; the last looks at all of history. */
const STRIPS_MS = [DAY_MS, 32 * DAY_MS, 366 * DAY_MS, Number.POSITIVE_INFINITY];

/** A stored register reading and whether ingest verified its payload's signature. */
interface ReportReading extends RegisterReading {
  verified: boolean;
}

/** Register readings by metering point id, each list sorted by instant. */
export type ReadingsByPoint = Map<string, ReportReading[]>;

/**
 * The readings a report of one period is computed from: per point, exactly what
 * `readingsBounding` keeps from all of that point's readings (those in the period and every
 * reading at the last instant before it and at the first at or after its end), so the
 * figures equal `meterline account` on every stored reading.
 */
export interface ReportReadings {
  load(enterpriseId: string, pointIds: readonly string[], period: Pick<Period, 'start' | 'end'>): Promise<ReadingsByPoint>;
}

/**
 * Reads through the API's series page reader, point by point (one series, so a page
 * boundary never splits an instant). The bounds are searched in strips widening away from
 * the period, and the last strip reaches the start (or end) of the stored history: unlike a
 * bounded search, a meter silent for months still gets the interval `meterline account`
 * gives it.
 */
export function pagedReportReadings(series: SeriesPageReader, measurement: string, onUnreadable: OnUnreadable): ReportReadings {
  const readAll = async (tags: Record<string, string>, from: number, toMs: number): Promise<ReportReading[]> => {
    const out: ReportReading[] = [];
    const fromMs = Math.max(0, from);
    if (toMs <= fromMs) return out;
    for (let offset = 0; ; offset += PAGE) {
      const rows = await series.page({ measurement, tags, fromMs, toMs, offset, limit: PAGE });
      for (const reading of readRows(measurement, rows, readingOf, onUnreadable)) out.push({ at: reading.tsMs, value: reading.value, verified: reading.verified });
      if (rows.length < PAGE) return out;
    }
  };

  /** Every reading at the nearest instant outside the period on one side, or none. */
  const bound = async (tags: Record<string, string>, period: Pick<Period, 'start' | 'end'>, side: 'before' | 'after'): Promise<ReportReading[]> => {
    let searched = 0;
    for (const width of STRIPS_MS) {
      const [fromMs, toMs] =
        side === 'before'
          ? [Math.max(0, period.start - width), period.start - searched]
          : [period.end + searched, Math.min(LATEST_MS, period.end + width)];
      const found = await readAll(tags, fromMs, toMs);
      if (found.length > 0) {
        const at = found.reduce((best, r) => (side === 'before' ? Math.max(best, r.at) : Math.min(best, r.at)), found[0]!.at);
        return found.filter((r) => r.at === at);
      }
      searched = width;
    }
    return [];
  };

  return {
    async load(enterpriseId, pointIds, period) {
      const entries = await Promise.all(
        pointIds.map(async (point) => {
          const tags = readingTags(enterpriseId, point);
          const [inside, before, after] = await Promise.all([
            readAll(tags, period.start, period.end),
            bound(tags, period, 'before'),
            bound(tags, period, 'after'),
          ]);
          const sorted = [...before, ...inside, ...after].sort((a, b) => a.at - b.at || a.value - b.value);
          return [point, readingsBounding(sorted, period)] as const;
        }),
      );
      return new Map(entries);
    },
  };
}
