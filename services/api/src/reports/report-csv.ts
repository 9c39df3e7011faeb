import type { ReportTable } from './report-tables.ts';

/** RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled. */
const field = (cell: string | number | boolean | null): string => {
  const text = cell === null ? '' : String(cell);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/**
 * The report as CSV (RFC 4180, CRLF line ends): each section is a line with its name, its
 * header and its rows, and an empty line before the next. Numbers are written as
 * ECMAScript prints them, which parse back to the same double.
 */
export function reportCsv(tables: readonly ReportTable[]): string {
  const lines: string[] = [];
  for (const [i, t] of tables.entries()) {
    if (i > 0) lines.push('');
    lines.push(field(`section:${t.name}`), t.columns.map(field).join(','), ...t.rows.map((row) => row.map(field).join(',')));
  }
  return `${lines.join('\r\n')}\r\n`;
}
