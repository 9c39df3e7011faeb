import { StoreError } from './store-error.ts';
import type { NewestQuery, SeriesPoint, SeriesQuery, TimeSeriesStore } from './types.ts';

const seriesKey = (p: Pick<SeriesPoint, 'measurement' | 'tags'>): string =>
  `${p.measurement},${Object.keys(p.tags)
    .sort()
    .map((k) => `${k}=${p.tags[k]}`)
    .join(',')}`;

const tagMatches = (actual: string | undefined, wanted: string | readonly string[]): boolean =>
  actual !== undefined && (typeof wanted === 'string' ? actual === wanted : wanted.includes(actual));

/** An in-process store with the real adapter's semantics; `available` simulates an outage. */
export class InMemoryStore implements TimeSeriesStore {
  available = true;
  private readonly series = new Map<string, Map<number, SeriesPoint>>();

  private ensureAvailable(): void {
    if (!this.available) throw new StoreError('MTL_STORE_UNAVAILABLE', 'in-memory store is down');
  }

  async write(points: SeriesPoint[]): Promise<void> {
    this.ensureAvailable();
    for (const point of points) {
      const key = seriesKey(point);
      let byTime = this.series.get(key);
      if (!byTime) this.series.set(key, (byTime = new Map<number, SeriesPoint>()));
      const previous = byTime.get(point.timestampMs);
      // Like InfluxDB: a rewrite replaces the fields it carries and keeps the others.
      byTime.set(point.timestampMs, { ...point, fields: { ...previous?.fields, ...point.fields } });
    }
  }

  async readSeries(query: SeriesQuery): Promise<SeriesPoint[]> {
    this.ensureAvailable();
    const rows: SeriesPoint[] = [];
    for (const byTime of this.series.values()) {
      for (const point of byTime.values()) {
        if (point.measurement !== query.measurement) continue;
        if (!Object.entries(query.tags).every(([k, v]) => tagMatches(point.tags[k], v))) continue;
        if (point.timestampMs < query.fromMs || point.timestampMs >= query.toMs) continue;
        if (!query.fields) {
          rows.push(point);
          continue;
        }
        const fields = Object.fromEntries(Object.entries(point.fields).filter(([k]) => query.fields!.includes(k)));
        if (Object.keys(fields).length > 0) rows.push({ ...point, fields });
      }
    }
    return rows.sort((a, b) => a.timestampMs - b.timestampMs || seriesKey(a).localeCompare(seriesKey(b)));
  }

  async newestTimestamps(query: NewestQuery): Promise<Map<string, number>> {
    this.ensureAvailable();
    const wanted = new Set(query.values);
    const newest = new Map<string, number>();
    for (const byTime of this.series.values()) {
      for (const point of byTime.values()) {
        const value = point.tags[query.tag];
        if (point.measurement !== query.measurement || value === undefined || !wanted.has(value) || !(query.field in point.fields)) continue;
        newest.set(value, Math.max(newest.get(value) ?? -Infinity, point.timestampMs));
      }
    }
    return newest;
  }

  async ping(): Promise<boolean> {
    return this.available;
  }

  async close(): Promise<void> {}
}
