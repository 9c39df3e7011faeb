import { checkManualEntry, type Manifest, type ManualEntry, type ManualEntryKind } from '@meterline/domain';
import { readCsvTable } from './csv-table.ts';
import { capProblems } from './readings-file.ts';
import type { InputError } from './input-error.ts';

/** The columns of a manual entries file: provenance is required, as it is of every recorded entry. */
const REQUIRED = ['enterprise', 'id', 'kind', 'period', 'value', 'unit', 'document', 'entered-by', 'entered-at'] as const;
const OPTIONAL = ['site', 'carrier', 'product', 'error-percent', 'corrects', 'reason'] as const;
type Column = (typeof REQUIRED)[number] | (typeof OPTIONAL)[number];
const COLUMNS: readonly string[] = [...REQUIRED, ...OPTIONAL];

/** The column of each entry member, for naming the field a problem is in. */
const COLUMN_OF: Partial<Record<keyof ManualEntry, Column>> = { enterpriseId: 'enterprise', errorPercent: 'error-percent', enteredBy: 'entered-by', enteredAt: 'entered-at' };

/**
 * Reads a manual entries file (CSV, header naming the columns in any order) as the API lists
 * entries: one per line, a correction after the entry it corrects. Every entry is checked like
 * the API checks it, against the entries of its enterprise on the lines before it; every
 * problem names its line and column, at most MAX_LISTED_ISSUES of them.
 */
export function parseManualCsv(text: string, file: string, manifest: Manifest): { entries: ManualEntry[]; errors: InputError[] } {
  const { header, columns, rows, errors } = readCsvTable(text, file);
  const entries: ManualEntry[] = [];
  if (!header) {
    if (errors.length === 0) errors.push({ file, line: 1, message: `empty file: expected a header with at least ${REQUIRED.join(',')}` });
    return { entries, errors };
  }
  const missing = REQUIRED.filter((c) => !columns.includes(c));
  const unknown = columns.filter((c) => !COLUMNS.includes(c));
  if (missing.length > 0 || unknown.length > 0) {
    errors.push({
      file,
      line: header.line,
      message: `header must name the columns ${REQUIRED.join(',')} (and may name ${OPTIONAL.join(',')})${missing.length ? `; missing: ${missing.join(', ')}` : ''}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`,
    });
    return { entries, errors };
  }
  for (const row of rows) {
    if (row.fields.length !== columns.length) {
      errors.push({ file, line: row.line, message: `expected ${columns.length} fields, found ${row.fields.length}` });
      continue;
    }
    const get = (name: Column): string | undefined => {
      const i = columns.indexOf(name);
      return i < 0 || row.fields[i] === '' ? undefined : row.fields[i];
    };
    const enterpriseId = get('enterprise') ?? '';
    const enterprise = manifest.enterprises.find((e) => e.id === enterpriseId);
    if (!enterprise) {
      errors.push({ file, line: row.line, field: 'enterprise', message: `unknown enterprise "${enterpriseId}" (not in the manifest)` });
      continue;
    }
    const number = (name: Column): number | undefined => {
      const t = get(name);
      return t === undefined ? undefined : Number(t);
    };
    const optional = { site: get('site'), carrier: get('carrier'), product: get('product'), errorPercent: number('error-percent'), corrects: get('corrects'), reason: get('reason') };
    const entry: ManualEntry = {
      id: get('id') ?? '',
      enterpriseId,
      kind: (get('kind') ?? '') as ManualEntryKind,
      period: get('period') ?? '',
      value: number('value') ?? Number.NaN,
      unit: get('unit') ?? '',
      document: get('document') ?? '',
      enteredBy: get('entered-by') ?? '',
      enteredAt: get('entered-at') ?? '',
      ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
    };
    const issues = checkManualEntry(entry, enterprise, entries.filter((e) => e.enterpriseId === enterpriseId));
    for (const i of issues) errors.push({ file, line: row.line, field: COLUMN_OF[i.field] ?? i.field, message: `${i.message} [${i.code}]` });
    if (issues.length === 0) entries.push(entry);
  }
  // In the order of the file: by line, then by column.
  const at = (e: InputError) => (e.field === undefined ? -1 : columns.indexOf(e.field));
  errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || at(a) - at(b));
  return { entries, errors: capProblems(errors, file) };
}
