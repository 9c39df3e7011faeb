import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import ExcelJS from 'exceljs';
import type { EnterpriseFigures, Figure } from '@meterline/domain';
import { InfluxStore } from '@meterline/store-influx';
import { READING_FIELDS, READING_TAGS, READINGS_MEASUREMENT } from '@meterline/series';
import type { MonthlyReport } from '../src/reports/report-schema.ts';
import { influxSeriesPageReader } from '../src/series/influx-series-page-reader.ts';
import { bearer, SECRETS, testApi, testManifest } from './fixtures.ts';
import { compareWithAccount, meterlineAccount, type StoredReadingRow } from './report-account.ts';
import { REPORT_ENTERPRISE, REPORT_MONTH, reportManifest, reportReadings } from './report-dataset.ts';
import { reportReadingsContract } from './report-readings-contract.ts';

/** A database of its own on the shared real InfluxDB, dropped by close(). */
async function newStore(): Promise<{ store: InfluxStore; close: () => Promise<void> }> {
  const { influx } = inject('stack');
  const database = `api_report_${randomUUID().replace(/-/g, '')}`;
  const store = new InfluxStore({ url: influx.url, token: influx.token, database });
  await store.influxQl(`CREATE DATABASE ${database}`);
  return {
    store,
    close: async () => {
      await store.influxQl(`DROP DATABASE ${database}`);
      await store.close();
    },
  };
}

reportReadingsContract('InfluxDB through the InfluxQL page reader (real server)', async () => {
  const { store, close } = await newStore();
  return { store, reader: influxSeriesPageReader(store), close };
});

const URL = `/v1/enterprises/${REPORT_ENTERPRISE}/reports/${REPORT_MONTH}`;
const manifest = reportManifest(testManifest().enterprises);

describe('monthly report on the real InfluxDB equals meterline account on the stored readings', () => {
  let db: Awaited<ReturnType<typeof newStore>>;
  let app: Awaited<ReturnType<typeof testApi>>['app'];
  let account: EnterpriseFigures;

  beforeAll(async () => {
    db = await newStore();
    // Written as services/writer stores readings: measurement reading, tags enterprise, site, point, carrier, quantity.
    await db.store.write(reportReadings());
    ({ app } = await testApi({ series: influxSeriesPageReader(db.store) }, { manifest }));
    // Every stored reading, read back from InfluxDB, is the CLI's readings file.
    const series = await db.store.influxQl(`SELECT "${READING_FIELDS.value}" FROM "${READINGS_MEASUREMENT}" GROUP BY "${READING_TAGS.point}"`);
    const rows: StoredReadingRow[] = series.flatMap((s) => s.values.map(([time, value]) => ({ point: s.tags![READING_TAGS.point]!, timestampMs: Number(time), value: Number(value) })));
    expect(rows.length).toBe(reportReadings().length);
    account = await meterlineAccount(manifest, rows, REPORT_MONTH, REPORT_ENTERPRISE);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('JSON: every figure equal, field by field', async () => {
    const response = await app.inject({ url: URL, headers: bearer(SECRETS.regulatorCq) });
    expect(response.statusCode, response.body).toBe(200);
    const report = response.json<MonthlyReport>();
    expect(compareWithAccount(report, account, expect)).toBe(30);
    expect(report.yearOnYear.comparison).not.toBeNull();
    // Twice: the same bytes, the same hash.
    expect((await app.inject({ url: URL, headers: bearer(SECRETS.admin) })).body).toBe(response.body);
  });

  /** The figures the CSV rows and the sheets carry: value, U, coverage, estimated and flags of each. */
  const expectedRows = (a: EnterpriseFigures): Map<string, Figure> =>
    new Map<string, Figure>([
      ['carbon:scope1', a.carbon.scope1],
      ['carbon:scope2-location', a.carbon.scope2Location],
      ['carbon:scope2-market', a.carbon.scope2Market],
      ['carbon:purchased-heat', a.carbon.purchasedHeat],
      ['carbon:exported-electricity', a.carbon.exportedElectricity],
      ['carbon:total-location', a.carbon.totalLocation],
      ['carbon:total-market', a.carbon.totalMarket],
      ['carbon:total-location-net', a.carbon.totalLocationNetOfExports],
      ['energy:comprehensive', a.tceEquivalent],
      ['energy:comprehensive-equal-value', a.tceEqualValue!],
      ...a.points.map((p): [string, Figure] => [`metering_points:${p.id}`, p.consumption]),
      ...a.sites.map((s): [string, Figure] => [`sites:${s.id}`, s.tce]),
    ]);
  const figureOf = (cells: unknown[], at: number) => ({
    value: Number(cells[at]),
    unit: String(cells[at + 1]),
    expandedUncertainty: Number(cells[at + 2]),
    coveragePercent: Number(cells[at + 3]),
    estimated: Number(cells[at + 4]),
    flags: cells[at + 5] === undefined || cells[at + 5] === null ? '' : String(cells[at + 5]),
  });
  const figureCells = (f: Figure) => ({ value: f.value, unit: f.unit, expandedUncertainty: f.expandedUncertainty, coveragePercent: f.coveragePercent, estimated: f.quality.estimated, flags: f.quality.flags.join(' ') });
  /** Where each section's first figure column is. */
  const FIRST_FIGURE_COLUMN: Record<string, number> = { carbon: 1, energy: 3, metering_points: 7, sites: 2 };

  it('CSV: the same numbers, parsed back from the text', async () => {
    const csv = await app.inject({ url: `${URL}?format=csv`, headers: bearer(SECRETS.admin) });
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const found = new Map<string, ReturnType<typeof figureOf>>();
    let section = '';
    for (const line of csv.body.split('\r\n')) {
      if (line.startsWith('section:')) section = line.slice(8);
      // No field of these sections is quoted: ids, numbers, units and space-separated flags.
      const cells = line.split(',');
      const at = FIRST_FIGURE_COLUMN[section];
      if (at === undefined || cells.length <= at + 5 || Number.isNaN(Number(cells[at]))) continue;
      // Of the energy rows, the comprehensive one is meterline account's (by carrier are sums of its points, checked on the JSON).
      if (section === 'energy' && cells[0] !== 'comprehensive') continue;
      found.set(`${section}:${cells[0]}`, figureOf(cells, at));
      if (section === 'energy') found.set('energy:comprehensive-equal-value', figureOf(cells, at + 6));
    }
    const expected = expectedRows(account);
    expect(new Set(found.keys())).toEqual(new Set(expected.keys()));
    for (const [key, figure] of expected) expect(found.get(key), key).toEqual(figureCells(figure));
  });

  it('XLSX: the same numbers, as numbers, read back with exceljs', async () => {
    const xlsx = await app.inject({ url: URL, headers: { ...bearer(SECRETS.admin), accept: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } });
    expect(xlsx.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const json = (await app.inject({ url: URL, headers: bearer(SECRETS.admin) })).json<MonthlyReport>();
    expect(workbook.getWorksheet('report')!.getRow(3).getCell(2).value).toBe(json.inputsHash);
    const found = new Map<string, ReturnType<typeof figureOf>>();
    for (const [section, at] of Object.entries(FIRST_FIGURE_COLUMN)) {
      const sheet = workbook.getWorksheet(section)!;
      for (let r = 2; r <= sheet.rowCount; r++) {
        // exceljs rows are 1-based and so are its values arrays: cells[0] is the first cell here.
        const cells = (sheet.getRow(r).values as unknown[]).slice(1);
        if (typeof cells[at] !== 'number') continue;
        for (const k of [0, 2, 3, 4]) expect(typeof cells[at + k], `${section} row ${r} column ${at + k}`).toBe('number');
        if (section === 'energy' && cells[0] !== 'comprehensive') continue;
        found.set(`${section}:${String(cells[0])}`, figureOf(cells, at));
        if (section === 'energy') found.set('energy:comprehensive-equal-value', figureOf(cells, at + 6));
      }
    }
    const expected = expectedRows(account);
    expect(new Set(found.keys())).toEqual(new Set(expected.keys()));
    for (const [key, figure] of expected) expect(found.get(key), key).toEqual(figureCells(figure));
  });
});
