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
  /** Tag filters: an exact value, or a list of values any of which matches. */
  tags: Record<string, string | readonly string[]>;
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
/** The newest timestamp of each series of a measurement, by the value of one of its tags. */
export interface NewestQuery {
  measurement: string;
  /** The tag whose values tell the series apart (e.g. `point`), and the values asked for. */
  tag: string;
  values: readonly string[];
  /** A field every point of interest carries (e.g. `value`). */
  field: string;
}

export interface TimeSeriesStore {
  write(points: SeriesPoint[]): Promise<void>;
  readSeries(query: SeriesQuery): Promise<SeriesPoint[]>;
  /** Tag value → newest timestamp (epoch ms) of a point carrying `field`; values with no point are absent. */
  newestTimestamps(query: NewestQuery): Promise<Map<string, number>>;
  /** True when the store answers its health check. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
