export type FieldValue = number | string | boolean;

/** One point of a series: a series is (measurement, tags); a point is unique by its timestamp. */
export interface SeriesPoint {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, FieldValue>;
  /** Epoch milliseconds. */
  timestampMs: number;
}

export interface SeriesQuery {
  measurement: string;
  /** Exact-match tag filters. */
  tags: Record<string, string>;
  /** Half-open range [fromMs, toMs). */
  fromMs: number;
  toMs: number;
  /** Only these fields (default: all); a point carrying none of them is left out. */
  fields?: string[];
}

/**
 * Writes are idempotent: a point with the same series and timestamp replaces the one stored.
 * `write` resolves only when the store has accepted every point, and rejects with a StoreError.
 */
export interface TimeSeriesStore {
  write(points: SeriesPoint[]): Promise<void>;
  readSeries(query: SeriesQuery): Promise<SeriesPoint[]>;
  /** True when the store answers its health check. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
