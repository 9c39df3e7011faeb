import ExcelJS from 'exceljs';
import type { ReportTable } from './report-tables.ts';

/**
 * The report as an Office Open XML workbook: a sheet per section, in the CSV's order, the
 * first (`report`) with the inputs hash. Numbers stay numbers; an absent value is an empty cell.
 */
export async function reportXlsx(tables: readonly ReportTable[], title: string): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Meterline';
  workbook.title = title;
  for (const t of tables) {
    const sheet = workbook.addWorksheet(t.name);
    sheet.addRow(t.columns).font = { bold: true };
    for (const row of t.rows) sheet.addRow(row.map((cell) => (cell === null ? undefined : cell)));
    sheet.views = [{ state: 'frozen', ySplit: 1 }];
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
