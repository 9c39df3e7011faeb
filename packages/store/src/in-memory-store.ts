import { StoreError } from './store-error.ts';
import type { SeriesPoint, SeriesQuery, TimeSeriesStore } from './types.ts';

const seriesKey = (p: Pick<SeriesPoint, 'measurement' | 'tags'>): string =>
  `${p.measurement},${Object.keys(p.tags)
    .sort()
    .map((k) => `${k}=${p.tags[k]}`)
    .join(',')}`;

/** An in-process store with the real adapter's semantics; `available` simulates an outage. */
export class InMemoryStore implements TimeSeriesStore {
  available = true;
  private readonly series = new Map<string, Map<number, SeriesPoint>>();

  async write(points: SeriesPoint[]): Promise<void> {
    if (!this.available) throw new StoreError('MTL_STORE_UNAVAILABLE', 'in-memory store is down', true);
    for (const point of points) {
      const key = seriesKey(point);
      let byTime = this.series.get(key);
      if (!byTime) this.series.set(key, (byTime = new Map()));
      const previous = byTime.get(point.timestampMs);
      // Like InfluxDB: a rewrite replaces the fields it carries and keeps the others.
      byTime.set(point.timestampMs, { ...point, fields: { ...previous?.fields, ...point.fields } });
    }
  }

  async readSeries(query: SeriesQuery): Promise<SeriesPoint[]> {
    const rows: SeriesPoint[] = [];
    for (const byTime of this.series.values()) {
      for (const point of byTime.values()) {
        if (point.measurement !== query.measurement) continue;
        if (!Object.entries(query.tags).every(([k, v]) => point.tags[k] === v)) continue;
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

  async ping(): Promise<boolean> {
    return this.available;
  }

  async close(): Promise<void> {}
}
