import { HttpError, InfluxDB, setLogger } from '@influxdata/influxdb-client';
import { StoreError, type NewestQuery, type SeriesPoint, type SeriesQuery, type TimeSeriesStore } from '@meterline/store';
import { quoteIdentifier, quoteString } from './influxql.ts';
import { lineOf } from './line-protocol.ts';

export interface InfluxStoreOptions {
  url: string;
  /** InfluxDB 2.x/3.x API token, or `user:password` on InfluxDB 1.8. */
  token: string;
  database: string;
  /** Empty for the database's default retention policy. */
  retentionPolicy?: string;
  /** InfluxDB 2.x organisation; ignored by 1.8. */
  org?: string;
  timeoutMs?: number;
  /**
   * Gzip write bodies over 1 000 bytes (default true, as the client's WriteApi does). Off, a
   * write costs neither the compression here nor the decompression in InfluxDB: cheaper on
   * one machine or a fast link, where the bytes saved are not worth the CPU.
   */
  gzipWrites?: boolean;
  /**
   * Where the client library's own log lines go. Its default prints every failed write to
   * the console, which this adapter already turns into a StoreError for the caller.
   */
  log?: (level: 'warn' | 'error', message: string) => void;
}

interface InfluxQlSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}
interface InfluxQlResponse {
  results?: { statement_id: number; series?: InfluxQlSeries[]; error?: string }[];
  error?: string;
}

/** Statuses where writing the same lines again may succeed (the server, not the data, failed). */
const isRetryableStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/** Write bodies larger than this are gzipped (the client WriteApi's default threshold). */
const WRITE_GZIP_THRESHOLD_BYTES = 1_000;

/**
 * InfluxDB behind the TimeSeriesStore interface.
 *
 * Writes bypass the client's WriteApi and its background batching: each call is one request
 * through the client's transport, with no internal retries, awaited to the end. The WriteApi's
 * retry buffer drops the oldest lines when full and `close()` abandons it; at-least-once
 * delivery needs the caller (the writer) to own retries and commit only after success.
 */
const PING_TIMEOUT_MS = 1_000;

export class InfluxStore implements TimeSeriesStore {
  private readonly client: InfluxDB;
  private readonly bucket: string;
  private readonly timeoutMs: number;
  private readonly writePath: string;
  private readonly gzipThreshold: number | undefined;

  constructor(private readonly options: InfluxStoreOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.gzipThreshold = options.gzipWrites === false ? undefined : WRITE_GZIP_THRESHOLD_BYTES;
    const log = options.log ?? (() => undefined);
    // The client's logger is global to the library; the last store constructed sets it.
    setLogger({ warn: (message) => log('warn', message), error: (message) => log('error', message) });
    this.client = new InfluxDB({ url: options.url, token: options.token, timeout: this.timeoutMs });
    this.bucket = options.retentionPolicy ? `${options.database}/${options.retentionPolicy}` : options.database;
    this.writePath = `/api/v2/write?${new URLSearchParams({ org: options.org ?? '', bucket: this.bucket, precision: 'ms' }).toString()}`;
  }

  async write(points: SeriesPoint[]): Promise<void> {
    const lines: string[] = [];
    for (const point of points) {
      const line = lineOf(point);
      if (line !== undefined) lines.push(line);
    }
    if (lines.length === 0) return;
    // One request through the client's transport: its WriteApi would buffer the lines and
    // count each one's UTF-8 bytes char by char (a tenth of the writer's CPU, issue 17) to
    // split batches that here are already one request. Bodies over 1 000 bytes are gzipped,
    // as the WriteApi does by default, unless gzipWrites is false.
    try {
      await this.client.transport.request(this.writePath, lines.join('\n'), {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        ...(this.gzipThreshold === undefined ? {} : { gzipThreshold: this.gzipThreshold }),
      });
    } catch (error) {
      throw toStoreError(error);
    }
  }

  async readSeries(query: SeriesQuery): Promise<SeriesPoint[]> {
    if (Object.values(query.tags).some((wanted) => typeof wanted !== 'string' && wanted.length === 0)) return [];
    const conditions = [
      ...Object.entries(query.tags).map(([k, v]) => tagCondition(k, v)),
      `time >= ${query.fromMs}ms`,
      `time < ${query.toMs}ms`,
    ];
    const fields = query.fields ? query.fields.map(quoteIdentifier).join(', ') : '*';
    const q = `SELECT ${fields} FROM ${quoteIdentifier(query.measurement)} WHERE ${conditions.join(' AND ')} GROUP BY * ORDER BY time ASC`;
    const series = await this.influxQl(q);
    const points: SeriesPoint[] = [];
    for (const s of series) {
      const timeColumn = s.columns.indexOf('time');
      const tags = presentTags(s.tags);
      for (const row of s.values) {
        const fields: SeriesPoint['fields'] = {};
        s.columns.forEach((column, i) => {
          const value = row[i];
          if (i === timeColumn || value === null || value === undefined) return;
          if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') fields[column] = value;
        });
        points.push({ measurement: s.name, tags: { ...tags }, fields, timestampMs: Number(row[timeColumn]) });
      }
    }
    return points.sort((a, b) => a.timestampMs - b.timestampMs);
  }

  async newestTimestamps(query: NewestQuery): Promise<Map<string, number>> {
    const newest = new Map<string, number>();
    if (query.values.length === 0) return newest;
    // last() per series, grouped by the tag: its row's time is the newest point's timestamp.
    const q = `SELECT last(${quoteIdentifier(query.field)}) FROM ${quoteIdentifier(query.measurement)} WHERE ${tagCondition(query.tag, query.values)} GROUP BY ${quoteIdentifier(query.tag)}`;
    for (const s of await this.influxQl(q)) {
      const value = s.tags?.[query.tag];
      const time = s.values[0]?.[s.columns.indexOf('time')];
      if (value !== undefined && typeof time === 'number') newest.set(value, Math.max(newest.get(value) ?? -Infinity, time));
    }
    return newest;
  }

  /** Runs an InfluxQL statement on the v1-compatible `/query` endpoint (1.8, 2.x with DBRP, 3.x). */
  async influxQl(q: string): Promise<InfluxQlSeries[]> {
    const params = new URLSearchParams({ db: this.options.database, q, epoch: 'ms' });
    if (this.options.retentionPolicy) params.set('rp', this.options.retentionPolicy);
    let response: Response;
    try {
      response = await fetch(`${this.options.url}/query`, {
        method: 'POST',
        headers: { Authorization: `Token ${this.options.token}`, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: params,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new StoreError('MTL_STORE_UNAVAILABLE', `InfluxDB query failed: ${(error as Error).message}`, { cause: error });
    }
    const body = (await response.json().catch(() => ({}))) as InfluxQlResponse;
    const failure = body.error ?? body.results?.find((r) => r.error)?.error;
    if (!response.ok || failure) {
      throw new StoreError(
        'MTL_STORE_QUERY_FAILED',
        `InfluxDB query answered ${response.status}: ${failure ?? response.statusText}`,
        { canRetry: isRetryableStatus(response.status) },
      );
    }
    return body.results?.flatMap((r) => r.series ?? []) ?? [];
  }

  async ping(): Promise<boolean> {
    try {
      // Within a health probe's own time (commonly 1–2 s): a store that hangs is down, and /health says so itself.
      const response = await fetch(`${this.options.url}/ping`, { signal: AbortSignal.timeout(PING_TIMEOUT_MS) });
      return response.status === 204;
    } catch (error) {
      void error; // unreachable store: the answer is simply "not healthy"
      return false;
    }
  }

  async close(): Promise<void> {}
}

/** `k = 'v'`, or for a (non-empty) list `(k = 'a' OR k = 'b' …)`. */
function tagCondition(key: string, wanted: string | readonly string[]): string {
  if (typeof wanted === 'string') return `${quoteIdentifier(key)} = ${quoteString(wanted)}`;
  return `(${wanted.map((v) => `${quoteIdentifier(key)} = ${quoteString(v)}`).join(' OR ')})`;
}

/** InfluxDB stores no empty tag values, and GROUP BY * reports a tag key a series lacks as "": drop those. */
function presentTags(tags: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(tags ?? {}).filter(([, v]) => v !== ''));
}

/** A point as the store writes it, in line protocol with a millisecond timestamp (for benchmarks' raw writes). */
export const seriesLineProtocol = (p: SeriesPoint): string => lineOf(p) ?? '';

function toStoreError(error: unknown): StoreError {
  if (error instanceof HttpError) {
    return new StoreError(isRetryableStatus(error.statusCode) ? 'MTL_STORE_UNAVAILABLE' : 'MTL_STORE_REJECTED', `InfluxDB write answered ${error.statusCode}: ${error.body ?? error.message}`, { cause: error });
  }
  return new StoreError('MTL_STORE_UNAVAILABLE', `InfluxDB write failed: ${(error as Error).message}`, { cause: error });
}
