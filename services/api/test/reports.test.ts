import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { READING_FIELDS, READING_TAGS } from '@meterline/series';
import { InMemoryStore, type SeriesPoint } from '@meterline/store';
import type { MonthlyReport } from '../src/reports/report-schema.ts';
import { storeSeriesPageReader } from '../src/series/series-page-reader.ts';
import { bearer, SECRETS, testApi, testManifest } from './fixtures.ts';
import { compareWithAccount, meterlineAccount } from './report-account.ts';
import { REPORT_ENTERPRISE, REPORT_MONTH, REPORT_PREVIOUS_MONTH, reportManifest, reportReadings, storedReading } from './report-dataset.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const URL = `/v1/enterprises/${REPORT_ENTERPRISE}/reports/${REPORT_MONTH}`;
const manifest = reportManifest(testManifest().enterprises);

async function reportApi(points: SeriesPoint[] = reportReadings()) {
  const store = new InMemoryStore();
  await store.write(points);
  const { app } = await testApi({ series: storeSeriesPageReader(store) }, { manifest });
  return { app, store };
}

const rowsOf = (points: SeriesPoint[]) => points.map((p) => ({ point: p.tags[READING_TAGS.point]!, timestampMs: p.timestampMs, value: p.fields[READING_FIELDS.value] as number }));

/** CSV (RFC 4180) back to rows of fields; enough for what the report writes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

/** The CSV's sections by name: header and rows. */
function csvSections(text: string): Map<string, string[][]> {
  const sections = new Map<string, string[][]>();
  let current: string[][] | undefined;
  for (const row of parseCsv(text)) {
    if (row.length === 1 && row[0]!.startsWith('section:')) sections.set(row[0]!.slice(8), (current = []));
    else if (!(row.length === 1 && row[0] === '')) current!.push(row);
  }
  return sections;
}

describe('monthly report', () => {
  it('equals meterline account --equal-value on the same readings, figure by figure, this month and a year earlier', async () => {
    const points = reportReadings();
    const { app } = await reportApi(points);
    const response = await app.inject({ url: URL, headers: bearer(SECRETS.regulatorCq) });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const report = response.json<MonthlyReport>();
    const account = await meterlineAccount(manifest, rowsOf(points), REPORT_MONTH, REPORT_ENTERPRISE);
    expect(compareWithAccount(report, account, expect)).toBe(30);
    // The dataset's faults show, and the report names them.
    expect(report.dataQuality.flags).toEqual(expect.arrayContaining(['rollover', 'suspect-drop', 'gap', 'calibration-invalid', 'factor-uncertainty-unknown']));
    expect(report.energy.byCarrier.map((c) => `${c.direction}:${c.carrier}`)).toEqual(['input:diesel', 'input:electricity', 'input:heat', 'input:natural-gas', 'output:electricity']);
    expect(report.energy.byCarrier.find((c) => c.direction === 'output')!.tceEquivalent.value).toBeLessThan(0);
    expect(report.carbon.exportedElectricity.value).toBeLessThan(0);
    expect(report.calibration.map((c) => [c.pointId, c.status])).toEqual([
      ['rpt-e-in', 'valid'],
      ['rpt-e-press', 'expired'],
      ['rpt-e-pv-out', 'expiring'],
      ['rpt-gas', 'not-yet-valid'],
      ['rpt-diesel', 'valid'],
      ['rpt-heat', 'valid'],
    ]);
    expect(report.calibration.find((c) => c.pointId === 'rpt-e-press')!.readingsOutsideCalibration).toBeGreaterThan(0);
    expect(report.readingsUsed).toBe(6 * (2976 + 2) - 23);

    // Year on year: the same month a year earlier, as meterline account gives it.
    const previous = await meterlineAccount(manifest, rowsOf(points), REPORT_PREVIOUS_MONTH, REPORT_ENTERPRISE);
    const yoy = new Map(report.yearOnYear.comparison!.map((r) => [r.metric, r]));
    expect(report.yearOnYear).toMatchObject({ month: REPORT_PREVIOUS_MONTH, reason: null });
    expect(yoy.get('tceEquivalent')).toEqual({
      metric: 'tceEquivalent',
      unit: 'tce',
      current: account.tceEquivalent.value,
      currentExpandedUncertainty: account.tceEquivalent.expandedUncertainty,
      previous: previous.tceEquivalent.value,
      previousExpandedUncertainty: previous.tceEquivalent.expandedUncertainty,
      previousCoveragePercent: previous.tceEquivalent.coveragePercent,
      change: account.tceEquivalent.value - previous.tceEquivalent.value,
      changePercent: ((account.tceEquivalent.value - previous.tceEquivalent.value) / previous.tceEquivalent.value) * 100,
    });
    expect(yoy.get('carbon.totalMarket')!.previous).toBe(previous.carbon.totalMarket.value);
    expect(yoy.get('intensity.castings.tce')!.previous).toBe(previous.intensities[0]!.tcePerUnit.value);
  });

  it('gives no year-on-year comparison, with the reason, when the month a year earlier has no readings', async () => {
    const { app } = await reportApi(reportReadings().filter((p) => p.timestampMs >= Date.UTC(2026, 0, 1)));
    const report = (await app.inject({ url: URL, headers: bearer(SECRETS.admin) })).json<MonthlyReport>();
    expect(report.yearOnYear).toEqual({ month: REPORT_PREVIOUS_MONTH, comparison: null, reason: `no readings of ${REPORT_ENTERPRISE} in ${REPORT_PREVIOUS_MONTH}` });
  });

  it('serves CSV (RFC 4180, a section after another) and XLSX (a sheet per section, numbers as numbers) with the JSON numbers', async () => {
    const { app } = await reportApi();
    const json = (await app.inject({ url: URL, headers: bearer(SECRETS.admin) })).json<MonthlyReport>();

    const csv = await app.inject({ url: URL, headers: { ...bearer(SECRETS.admin), accept: 'text/csv' } });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="${REPORT_ENTERPRISE}-${REPORT_MONTH}.csv"`);
    expect(csv.body.split('\r\n').slice(0, 4)).toEqual(['section:report', 'key,value', 'schema,meterline.report/v1', `inputs_hash,${json.inputsHash}`]);
    const sections = csvSections(csv.body);
    expect([...sections.keys()]).toEqual(['report', 'energy', 'daily', 'balances', 'sites', 'carbon', 'intensity', 'year_on_year', 'metering_points', 'calibration', 'data_quality', 'scorecard', 'targets', 'region_targets', 'limit_compliance', 'energy_baselines', 'baseline_days', 'fabrication_findings']);
    // 31 days × (5 carrier rows + the day's comprehensive row), after the header.
    expect(sections.get('daily')!).toHaveLength(1 + 31 * 6);
    expect(sections.get('scorecard')!.slice(1).map((r) => [r[0], r[2]])).toEqual(json.scorecard.outcomes.map((o) => [o.rule, String(o.passed)]));
    const carbon = sections.get('carbon')!;
    expect(carbon[0]).toEqual(['scope', 'value', 'unit', 'expanded_uncertainty', 'coverage_percent', 'estimated', 'flags']);
    expect(carbon.find((r) => r[0] === 'scope2-market')!.slice(1, 4).map((v, i) => (i === 1 ? v : Number(v)))).toEqual([
      json.carbon.scope2Market.value,
      'tCO2',
      json.carbon.scope2Market.expandedUncertainty,
    ]);
    // A field with a comma is quoted: the data-quality issue messages and flags.
    expect(sections.get('energy')!.at(-1)!.slice(0, 4)).toEqual(['comprehensive', 'net', '', String(json.energy.comprehensive.tceEquivalent.value)]);

    for (const request of [{ accept: XLSX }, { accept: 'text/csv;q=0.5, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }]) {
      const xlsx = await app.inject({ url: URL, headers: { ...bearer(SECRETS.admin), ...request } });
      expect(xlsx.statusCode).toBe(200);
      expect(xlsx.headers['content-type']).toBe(XLSX);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
      expect(workbook.worksheets.map((w) => w.name)).toEqual([...sections.keys()]);
      const report = workbook.getWorksheet('report')!;
      expect(report.getRow(3).values).toEqual([undefined, 'inputs_hash', json.inputsHash]);
      const sheet = workbook.getWorksheet('carbon')!;
      const row = sheet.getRows(2, sheet.rowCount - 1)!.find((r) => r.getCell(1).value === 'total-location')!;
      expect([row.getCell(2).value, row.getCell(4).value, row.getCell(5).value]).toEqual([
        json.carbon.totalLocation.value,
        json.carbon.totalLocation.expandedUncertainty,
        json.carbon.totalLocation.coveragePercent,
      ]);
      expect(typeof row.getCell(2).value).toBe('number');
    }
  });

  it('chooses the representation by format, then by Accept (q-values), JSON by default; 406 when nothing acceptable', async () => {
    const { app } = await reportApi();
    const type = async (query: string, accept?: string) => {
      const r = await app.inject({ url: `${URL}${query}`, headers: { ...bearer(SECRETS.admin), ...(accept ? { accept } : {}) } });
      return `${r.statusCode} ${String(r.headers['content-type']).split(';')[0]}`;
    };
    expect(await type('')).toBe('200 application/json');
    expect(await type('', '*/*')).toBe('200 application/json');
    expect(await type('', 'text/*')).toBe('200 text/csv');
    expect(await type('', 'text/csv;q=0.9, application/json;q=0.8')).toBe('200 text/csv');
    expect(await type('?format=xlsx', 'application/json')).toBe(`200 ${XLSX}`);
    expect(await type('?format=csv')).toBe('200 text/csv');
    expect(await type('', 'text/html,application/xhtml+xml;q=0.9')).toBe('200 text/html');
    expect(await type('', 'image/png')).toBe('406 application/problem+json');
    expect(await type('', 'application/json;q=0')).toBe('406 application/problem+json');
    expect(await type('?format=docx')).toBe('400 application/problem+json');
  });

  it('refuses a malformed month (400), another tenant (403) and an unknown enterprise (404 for admin only), as problems', async () => {
    const { app } = await reportApi();
    for (const month of ['2026-13', '2026-3', '202603', '2026-03-01', '0000-01']) {
      const r = await app.inject({ url: `/v1/enterprises/${REPORT_ENTERPRISE}/reports/${month}`, headers: bearer(SECRETS.admin) });
      expect(r.statusCode, month).toBe(400);
      expect(r.json()).toMatchObject({ code: 'MTL_API_VALIDATION_FAILED', errors: [{ in: 'params', pointer: '/month' }] });
    }
    const unknownParameter = await app.inject({ url: `${URL}?fromat=csv`, headers: bearer(SECRETS.admin) });
    expect(unknownParameter.json()).toMatchObject({ status: 400, errors: [{ in: 'query', pointer: '/fromat' }] });
    const other = await app.inject({ url: URL, headers: bearer(SECRETS.enterpriseA) });
    expect(other.statusCode).toBe(403);
    expect(other.body).not.toContain('Report Works');
    expect((await app.inject({ url: URL, headers: bearer(SECRETS.regulatorJs) })).statusCode).toBe(403);
    expect((await app.inject({ url: '/v1/enterprises/nobody/reports/2026-03', headers: bearer(SECRETS.admin) })).statusCode).toBe(404);
    expect((await app.inject({ url: '/v1/enterprises/nobody/reports/2026-03', headers: bearer(SECRETS.regulatorCq) })).statusCode).toBe(403);
    expect([403, 404]).toContain((await app.inject({ method: 'POST', url: URL, headers: bearer(SECRETS.regulatorCq) })).statusCode);
  });

  it('shows per point the share of readings whose signature ingest verified (issue 13), in JSON, CSV and the inputs hash', async () => {
    const points = reportReadings();
    const unsigned = (await (await reportApi(points)).app.inject({ url: URL, headers: bearer(SECRETS.admin) })).json<MonthlyReport>();
    // Readings stored before signing have no `verified` field: none of them counts as verified.
    expect(unsigned.meteringPoints.map((p) => p.verifiedReadings.verified)).toEqual(unsigned.meteringPoints.map(() => 0));

    // Every reading of rpt-heat in March 2026 from 00:00 on the 16th on (local time UTC+8) verified.
    const verifiedFrom = Date.UTC(2026, 2, 15, 16);
    const marked = points.map((p) =>
      p.tags[READING_TAGS.point] === 'rpt-heat' && p.timestampMs >= verifiedFrom ? { ...p, fields: { ...p.fields, [READING_FIELDS.verified]: true } } : p,
    );
    const { app } = await reportApi(marked);
    const report = (await app.inject({ url: URL, headers: bearer(SECRETS.admin) })).json<MonthlyReport>();
    const heat = report.meteringPoints.find((p) => p.id === 'rpt-heat')!.verifiedReadings;
    const heatReadings = points.filter((p) => p.tags[READING_TAGS.point] === 'rpt-heat');
    const inMonth = heatReadings.filter((p) => p.timestampMs >= Date.UTC(2026, 1, 28, 16) && p.timestampMs < Date.UTC(2026, 2, 31, 16));
    const expectedVerified = inMonth.filter((p) => p.timestampMs >= verifiedFrom).length + 1; // and the reading that brackets the month's end
    expect(heat.verified).toBe(expectedVerified);
    expect(heat.percent).toBeCloseTo((100 * heat.verified) / heat.used, 12);
    expect(heat.used).toBe(inMonth.length + 2);
    expect(report.meteringPoints.filter((p) => p.id !== 'rpt-heat').every((p) => p.verifiedReadings.verified === 0)).toBe(true);
    // The flag is an input of the report, so its hash changes with it.
    expect(report.inputsHash).not.toBe(unsigned.inputsHash);

    const csv = csvSections((await app.inject({ url: `${URL}?format=csv`, headers: bearer(SECRETS.admin) })).body).get('metering_points')!;
    const columns = csv[0]!;
    const heatRow = csv.find((r) => r[0] === 'rpt-heat')!;
    expect(['readings_used', 'readings_verified', 'readings_verified_percent'].map((c) => Number(heatRow[columns.indexOf(c)]))).toEqual([heat.used, heat.verified, heat.percent]);
  });

  it('names its inputs: the same readings give the same hash byte for byte; a changed reading, registry entry or factor set another', async () => {
    const points = reportReadings();
    const hashOf = async (pts: SeriesPoint[], m = manifest) => {
      const store = new InMemoryStore();
      await store.write(pts);
      const { app } = await testApi({ series: storeSeriesPageReader(store) }, { manifest: m });
      const r = await app.inject({ url: URL, headers: bearer(SECRETS.admin) });
      const csv = await app.inject({ url: `${URL}?format=csv`, headers: bearer(SECRETS.admin) });
      return { hash: r.json<MonthlyReport>().inputsHash, body: r.body, csv: csv.body };
    };
    const first = await hashOf(points);
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    // Written in another order, to another store: the same bytes.
    const again = await hashOf([...points].reverse());
    expect(again).toEqual(first);
    // One reading of the month moved by a thousandth: another hash.
    const i = points.findIndex((p) => p.tags[READING_TAGS.point] === 'rpt-heat' && p.timestampMs > Date.UTC(2026, 2, 10));
    const changed = points.map((p, k) => (k === i ? storedReading('rpt-heat', p.timestampMs, (p.fields[READING_FIELDS.value] as number) + 0.001) : p));
    expect((await hashOf(changed)).hash).not.toBe(first.hash);
    // A reading of the month a year earlier (year on year) counts too; one the report does not use does not.
    const previous = points.findIndex((p) => p.tags[READING_TAGS.point] === 'rpt-gas' && p.timestampMs > Date.UTC(2025, 2, 10) && p.timestampMs < Date.UTC(2025, 2, 20));
    expect((await hashOf(points.map((p, k) => (k === previous ? storedReading('rpt-gas', p.timestampMs, (p.fields[READING_FIELDS.value] as number) + 1) : p)))).hash).not.toBe(first.hash);
    expect((await hashOf([...points, storedReading('rpt-gas', Date.UTC(2026, 5, 1), 1)])).hash).toBe(first.hash);
    // The registry entry is an input.
    const renamed = { ...manifest, enterprises: manifest.enterprises.map((e) => (e.id === REPORT_ENTERPRISE ? { ...e, name: 'Renamed Works' } : e)) };
    expect((await hashOf(points, renamed)).hash).not.toBe(first.hash);
  });
});

describe('GET /v1/enterprises/{id}/scorecards/{month} (issue 15, item 2)', () => {
  const SCORECARD = `/v1/enterprises/${REPORT_ENTERPRISE}/scorecards/${REPORT_MONTH}`;
  const requiredFindings = (card: MonthlyReport['scorecard']) => card.outcomes.find((o) => o.rule === 'required-indicators')!.findings;

  it('is the report’s scorecard; output value and value added entered by hand complete the required indicators', async () => {
    const { app } = await reportApi();
    const before = (await app.inject({ url: SCORECARD, headers: bearer(SECRETS.admin) })).json<MonthlyReport['scorecard']>();
    const report = (await app.inject({ url: URL, headers: bearer(SECRETS.admin) })).json<MonthlyReport>();
    expect(before).toEqual({ enterprise: { id: REPORT_ENTERPRISE, name: report.enterprise.name }, month: REPORT_MONTH, ...report.scorecard });
    expect(before.outcomes.map((o) => o.rule)).toEqual(['completeness', 'daily-monthly-consistency', 'daily-period-start', 'monthly-period-start', 'required-indicators']);
    // The dataset has no output value or value added: nothing meters them.
    expect(requiredFindings(before)).toEqual(expect.arrayContaining(['output-value 2026-03 is missing', 'value-added 2026-03 is missing']));
    for (const [kind, value] of [['output-value', 1200], ['value-added', 300]] as const) {
      const entry = { kind, period: REPORT_MONTH, value, unit: '10^4 CNY', document: `statistics form 2026-03 (${kind})` };
      const posted = await app.inject({ method: 'POST', url: `/v1/enterprises/${REPORT_ENTERPRISE}/manual-entries`, headers: bearer(SECRETS.admin), payload: entry });
      expect(posted.statusCode, posted.body).toBe(201);
    }
    const after = (await app.inject({ url: SCORECARD, headers: bearer(SECRETS.admin) })).json<MonthlyReport['scorecard']>();
    expect(requiredFindings(after)).not.toContain('output-value 2026-03 is missing');
    expect(requiredFindings(after)).not.toContain('value-added 2026-03 is missing');
    expect(requiredFindings(after)).toHaveLength(requiredFindings(before).length - 2);
  });

  it('answers a problem for an enterprise the key may not read, and for a month that is no month', async () => {
    const { app } = await reportApi();
    expect((await app.inject({ url: SCORECARD, headers: bearer(SECRETS.enterpriseA) })).statusCode).toBe(403);
    const bad = await app.inject({ url: `/v1/enterprises/${REPORT_ENTERPRISE}/scorecards/2026-13`, headers: bearer(SECRETS.admin) });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
