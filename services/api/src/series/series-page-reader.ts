import type { FieldValue, SeriesPoint, TimeSeriesStore } from '@meterline/store';

/** One page of one measurement, tags matched exactly, start in [fromMs, toMs), in time order. */
interface SeriesPageQuery {
  measurement: string;
  tags: Record<string, string>;
  fromMs: number;
  toMs: number;
  offset: number;
  limit: number;
}

export interface StoredRow {
  timestampMs: number;
  tags: Record<string, string>;
  fields: Record<string, FieldValue>;
}

/**
 * What the API needs from the store: pages of stored points across every series that match,
 * ordered by time (then by series). TimeSeriesStore.readSeries returns a whole range, which
 * would put a month of quarter-hours in memory to answer one page; the InfluxDB reader
 * pages in the query instead.
 */
export interface SeriesPageReader {
  page(query: SeriesPageQuery): Promise<StoredRow[]>;
  /** True when the store answers its health check. */
  ping(): Promise<boolean>;
}

const seriesKey = (tags: Record<string, string>): string =>
  Object.keys(tags)
    .sort()
    .map((k) => `${k}=${tags[k]}`)
    .join(',');

/** The in-memory twin: pages cut from the whole range a TimeSeriesStore returns (tests, small stores). */
export function storeSeriesPageReader(store: TimeSeriesStore): SeriesPageReader {
  return {
    async page(query) {
      const points: SeriesPoint[] = await store.readSeries({ measurement: query.measurement, tags: query.tags, fromMs: query.fromMs, toMs: query.toMs });
      return points
        .sort((a, b) => a.timestampMs - b.timestampMs || seriesKey(a.tags).localeCompare(seriesKey(b.tags)))
        .slice(query.offset, query.offset + query.limit)
        .map((p) => ({ timestampMs: p.timestampMs, tags: { ...p.tags }, fields: { ...p.fields } }));
    },
    ping: () => store.ping(),
  };
}
