/** One CSV record with its 1-based line number. */
export interface CsvRow {
  line: number;
  fields: string[];
}

export interface CsvSyntaxError {
  line: number;
  message: string;
}

/**
 * A small RFC 4180 reader: commas, double-quoted fields with "" escapes, CRLF or LF.
 * Quoted fields may not span lines (readings never need it), which keeps line numbers exact.
 */
export function parseCsv(text: string): { rows: CsvRow[]; errors: CsvSyntaxError[] } {
  const rows: CsvRow[] = [];
  const errors: CsvSyntaxError[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '' || raw.startsWith('#')) return;
    const fields: string[] = [];
    let j = 0;
    while (j <= raw.length) {
      if (raw[j] === '"') {
        let value = '';
        j++;
        for (;;) {
          if (j >= raw.length) {
            errors.push({ line, message: 'unterminated quoted field' });
            return;
          }
          if (raw[j] === '"') {
            if (raw[j + 1] === '"') {
              value += '"';
              j += 2;
              continue;
            }
            j++;
            break;
          }
          value += raw[j++];
        }
        if (j < raw.length && raw[j] !== ',') {
          errors.push({ line, message: `unexpected character after a quoted field at column ${j + 1}` });
          return;
        }
        fields.push(value);
        j++;
      } else {
        const end = raw.indexOf(',', j);
        const stop = end === -1 ? raw.length : end;
        fields.push(raw.slice(j, stop).trim());
        j = stop + 1;
      }
    }
    rows.push({ line, fields });
  });
  return { rows, errors };
}
