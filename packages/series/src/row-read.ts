import type { SeriesPoint } from '@meterline/store';

/** A stored row as a reader gets it: a point of the measurement asked for, or a row of a paged read. */
export type StoredRow = Pick<SeriesPoint, 'tags' | 'fields' | 'timestampMs'>;

/** A row read back into its value, or why it cannot be (a foreign or damaged row). */
export type RowRead<T> = { ok: true; value: T } | { ok: false; reason: string };

/** A row left out by a reader, with why: the caller reports it (a log line), the read goes on. */
export interface UnreadableRow {
  measurement: string;
  tags: Record<string, string>;
  timestampMs: number;
  reason: string;
}

export type OnUnreadable = (row: UnreadableRow) => void;

export const unreadable = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

/** The values of the rows that read, in their order; each other row goes to `onUnreadable`. */
export function readRows<R extends StoredRow, T>(measurement: string, rows: readonly R[], read: (row: R) => RowRead<T>, onUnreadable: OnUnreadable): T[] {
  const values: T[] = [];
  for (const row of rows) {
    const result = read(row);
    if (result.ok) values.push(result.value);
    else onUnreadable({ measurement, tags: row.tags, timestampMs: row.timestampMs, reason: result.reason });
  }
  return values;
}

export const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
export const isText = (value: unknown): value is string => typeof value === 'string';

/** The names of the fields of `names` the row lacks or holds with another type. */
export function missingFields(fields: StoredRow['fields'], names: { number?: readonly string[]; text?: readonly string[] }): string[] {
  return [...(names.number ?? []).filter((n) => !isNumber(fields[n])), ...(names.text ?? []).filter((n) => !isText(fields[n]))];
}

export const lacking = (names: string[]): string => `lacks ${names.map((n) => `\`${n}\``).join(', ')} (or holds another type)`;

/** "Current value" series are written at timestamp 0: a write replaces the stored point. */
export const CURRENT_VALUE_MS = 0;
export const CURRENT_RANGE = Object.freeze({ fromMs: CURRENT_VALUE_MS, toMs: CURRENT_VALUE_MS + 1 });
