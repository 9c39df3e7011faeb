import { MANUAL_ENTRY_KINDS, parseInstant, type ManualEntry, type ManualEntryKind } from '@meterline/domain';
import type { SeriesPoint, TimeSeriesStore } from '@meterline/store';
import { isNumber, isText, lacking, missingFields, readRows, unreadable, type OnUnreadable, type RowRead, type StoredRow } from './row-read.ts';

/**
 * Manual entries, append-only: one point per entry at the instant it was entered, in a series
 * of its own (the entry id is a tag), so two entries entered in the same millisecond never
 * overwrite each other and writing an entry again rewrites itself. A correction is another
 * entry naming the one it corrects (`corrects`); nothing stored is ever changed or deleted.
 */
export const MANUAL_ENTRIES = Object.freeze({
  measurement: 'manual_entry',
  tags: Object.freeze({ enterprise: 'enterprise', kind: 'kind', entry: 'entry' }),
  fields: Object.freeze({
    /** Local calendar month YYYY-MM or day YYYY-MM-DD the entry refers to (a stock: at its end). */
    period: 'period',
    site: 'site',
    carrier: 'carrier',
    product: 'product',
    /** In `unit`, as entered. */
    value: 'value',
    unit: 'unit',
    /** Declared maximum error, percent. */
    errorPercent: 'error_pct',
    document: 'document',
    enteredBy: 'entered_by',
    /** ISO 8601 with offset, as the point's timestamp too. */
    enteredAt: 'entered_at',
    corrects: 'corrects',
    reason: 'reason',
  }),
});

const { tags: T, fields: F } = MANUAL_ENTRIES;

/** The optional text members and their fields. */
const OPTIONAL_TEXT = [
  ['site', F.site],
  ['carrier', F.carrier],
  ['product', F.product],
  ['corrects', F.corrects],
  ['reason', F.reason],
] as const satisfies ReadonlyArray<readonly [keyof ManualEntry, string]>;

/** The point of an entry; its timestamp is when it was entered (an entry whose instant does not parse is refused). */
export function manualEntryPoint(e: ManualEntry): SeriesPoint {
  const at = parseInstant(e.enteredAt);
  if (at === undefined) throw new Error(`manual entry ${e.id}: enteredAt "${e.enteredAt}" is not an instant`);
  const fields: SeriesPoint['fields'] = {
    [F.period]: e.period,
    [F.value]: e.value,
    [F.unit]: e.unit,
    [F.document]: e.document,
    [F.enteredBy]: e.enteredBy,
    [F.enteredAt]: e.enteredAt,
  };
  for (const [member, field] of OPTIONAL_TEXT) if (e[member] !== undefined) fields[field] = e[member];
  if (e.errorPercent !== undefined) fields[F.errorPercent] = e.errorPercent;
  return { measurement: MANUAL_ENTRIES.measurement, tags: { [T.enterprise]: e.enterpriseId, [T.kind]: e.kind, [T.entry]: e.id }, fields, timestampMs: at };
}

/** The entry a stored row holds, or why it holds none. */
export function manualEntryOf(row: StoredRow): RowRead<ManualEntry> {
  const f = row.fields;
  const missing = missingFields(f, { text: [F.period, F.unit, F.document, F.enteredBy, F.enteredAt], number: [F.value] });
  if (missing.length > 0) return unreadable(lacking(missing));
  const { [T.enterprise]: enterpriseId, [T.kind]: kind, [T.entry]: id } = row.tags;
  if (enterpriseId === undefined || id === undefined) return unreadable(`lacks its \`${T.enterprise}\` or \`${T.entry}\` tag`);
  if (!(MANUAL_ENTRY_KINDS as readonly unknown[]).includes(kind)) return unreadable(`its \`${T.kind}\` tag is ${JSON.stringify(kind)}, not one of ${MANUAL_ENTRY_KINDS.join(', ')}`);
  const entry: ManualEntry = {
    id,
    enterpriseId,
    kind: kind as ManualEntryKind,
    period: f[F.period] as string,
    value: f[F.value] as number,
    unit: f[F.unit] as string,
    document: f[F.document] as string,
    enteredBy: f[F.enteredBy] as string,
    enteredAt: f[F.enteredAt] as string,
  };
  for (const [member, field] of OPTIONAL_TEXT) if (isText(f[field])) entry[member] = f[field];
  const errorPercent = f[F.errorPercent];
  if (isNumber(errorPercent)) entry.errorPercent = errorPercent;
  return { ok: true, value: entry };
}

/** Before and after every instant an entry can have been made (InfluxDB's time range). */
const ALL_TIME = { fromMs: Date.UTC(1970, 0, 1), toMs: Date.UTC(2200, 0, 1) };

/**
 * Every entry of an enterprise, superseded ones included, oldest first (entry time, then id): the
 * accounting keeps those that stand, a reader shows the history. All of them, since a
 * correction can move an entry to another period.
 */
export async function readManualEntries(store: TimeSeriesStore, enterpriseId: string, onUnreadable: OnUnreadable): Promise<ManualEntry[]> {
  const rows = await store.readSeries({ measurement: MANUAL_ENTRIES.measurement, tags: { [T.enterprise]: enterpriseId }, ...ALL_TIME });
  return readRows(MANUAL_ENTRIES.measurement, rows, manualEntryOf, onUnreadable).sort(
    (a, b) => (parseInstant(a.enteredAt) ?? 0) - (parseInstant(b.enteredAt) ?? 0) || a.id.localeCompare(b.id),
  );
}

/** Appends entries; each rewrites only itself if written again. */
export async function writeManualEntries(store: Pick<TimeSeriesStore, 'write'>, entries: readonly ManualEntry[]): Promise<void> {
  if (entries.length > 0) await store.write(entries.map(manualEntryPoint));
}
