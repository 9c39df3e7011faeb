import { parseCsv, type CsvRow } from './csv.ts';
import type { InputError } from './input-error.ts';

/** A CSV file read as a header and its rows; its syntax errors name the column they stopped in once the header is read. */
export function readCsvTable(text: string, file: string): { header: CsvRow | undefined; columns: string[]; rows: CsvRow[]; errors: InputError[] } {
  const { rows, errors: syntax } = parseCsv(text);
  const header = rows.shift();
  const columns = header?.fields.map((f) => f.trim()) ?? [];
  const errors: InputError[] = syntax.map((e) => {
    const field = header && e.fieldIndex !== undefined ? columns[e.fieldIndex] : undefined;
    return { file, line: e.line, ...(field ? { field } : {}), message: e.message };
  });
  return { header, columns, rows, errors };
}
