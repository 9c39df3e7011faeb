import { CsvError, parse, type CsvErrorCode } from 'csv-parse/sync';

/** One CSV record with the 1-based line it starts on. */
export interface CsvRow {
  line: number;
  fields: string[];
}

export interface CsvSyntaxError {
  line: number;
  /** 0-based index of the field the parser stopped in, when it knows it. */
  fieldIndex?: number;
  message: string;
}

/** Our wording for the syntax errors a readings file can have, keyed by csv-parse's stable codes. */
const SYNTAX_MESSAGES: Partial<Record<CsvErrorCode, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field that starts on this line is never closed',
  CSV_INVALID_CLOSING_QUOTE: 'unexpected character after a quoted field (a quote inside a quoted field is written twice: "")',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'unexpected character after a quoted field (a quote inside a quoted field is written twice: "")',
  INVALID_OPENING_QUOTE: 'a quote inside an unquoted field (quote the whole field and write the quote twice: "a ""b""")',
};

const lineBreaks = (s: string) => s.split('\n').length - 1;

/** A line the parser skips: blank, a comment, or only empty fields (spreadsheets write ",,,," for empty rows). */
const skipped = (line: string) => line.startsWith('#') || /^[\s,]*$/.test(line);

/**
 * Reads CSV as RFC 4180 defines it and as Excel writes it ("Save as CSV UTF-8"): an optional
 * UTF-8 byte-order mark, CRLF or LF line ends, fields in double quotes holding commas, line
 * breaks and doubled quotes (""). Lines starting with # and empty rows are skipped; unquoted
 * fields are trimmed. A syntax error ends the reading: what follows it cannot be trusted to
 * be split into the right fields.
 *
 * Line ends are made LF first: csv-parse counts a CRLF inside a quoted field as two lines,
 * and every error must name the line it is on.
 */
export function parseCsv(text: string): { rows: CsvRow[]; errors: CsvSyntaxError[] } {
  const normalised = text.replace(/\r\n/g, '\n');
  const rows: CsvRow[] = [];
  try {
    parse(normalised, {
      bom: true,
      comment: '#',
      comment_no_infix: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      relax_column_count: true,
      trim: true,
      on_record: (record: string[], { lines }) => {
        // `lines` is where the record ends; a quoted field may span lines before it.
        rows.push({ line: lines - record.reduce((n, field) => n + lineBreaks(field), 0), fields: record });
        return null;
      },
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const lines = normalised.split('\n');
    // The record that failed starts on the first line after the last good one that is not skipped.
    let start = rows.length > 0 ? rows[rows.length - 1]!.line + lineBreaks(rows[rows.length - 1]!.fields.join('')) + 1 : 1;
    while (start < lines.length && skipped(lines[start - 1]!)) start++;
    const where = error.code === 'CSV_QUOTE_NOT_CLOSED' || typeof error['lines'] !== 'number' ? start : error['lines'];
    const fieldIndex = typeof error['column'] === 'number' ? { fieldIndex: error['column'] } : {};
    const message = SYNTAX_MESSAGES[error.code] ?? `${error.message} [${error.code}]`;
    return { rows, errors: [{ line: where, ...fieldIndex, message: `${message}; reading stops here` }] };
  }
  return { rows, errors: [] };
}
