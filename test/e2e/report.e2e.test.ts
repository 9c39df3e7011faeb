// Issue 15, item 6: the monthly report people look at. A month of readings goes through the
// real pipeline (MQTT → ingest → Kafka → writer → InfluxDB); the built API serves the report
// as HTML and as a PDF printed by headless Chromium; Chromium renders the HTML; the numbers
// in the rendered page and in the PDF's text are those of `meterline account` on the same
// stored readings. The page, its screenshot and the PDF are kept under .run/artifacts.
// Issue 16, item 4: the page and the PDF carry "Targets and limits" from the target_progress and
// limit_compliance figures and the region progress stored as the aggregator stores them.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FIGURE_KINDS, type FigureV1 } from '@meterline/contracts';
import type { EnterpriseFigures } from '@meterline/domain';
import { FIGURE_DETAIL_FIELDS as D, figurePoint, regionTargetProgressPoint } from '@meterline/series';
import { apiProcess } from '../harness/api-process.ts';
import { accountStoredReadings, waitUntilEqual } from '../harness/aggregation.ts';
import { renderedDom, runTool, screenshot } from '../harness/chromium.ts';
import { publishAccepted } from '../harness/publish-fleet.ts';
import { createPipeline, type Pipeline } from '../harness/pipeline.ts';
import { reportMonth, type ReportMonth } from '../harness/report-month.ts';
import { storedReadings } from '../harness/scenario.ts';
import type { ServiceProcess } from '../harness/service-process.ts';
import { stackEnv } from '../harness/stack-env.ts';

const ARTIFACTS = join(import.meta.dirname, '..', '..', '.run', 'artifacts');
const API_SECRET = 'e2e-report-admin-secret';

let data: ReportMonth;
let pipeline: Pipeline;
let api: ServiceProcess;
let apiUrl: string;

async function get(path: string): Promise<Response> {
  return fetch(`${apiUrl}${path}`, { headers: { authorization: `Bearer ${API_SECRET}` } });
}

/** The figure cells of the rendered DOM by key: the exact numbers behind each shown figure, and its text. */
function figureCells(dom: string): Map<string, { value: number; u: number; text: string }> {
  const cells = new Map<string, { value: number; u: number; text: string }>();
  for (const m of dom.matchAll(/<td class="num[^"]*" data-figure="([^"]+)" data-value="([^"]+)" data-u="([^"]+)"[^>]*>([^<]*)<\/td>/g)) {
    cells.set(m[1]!, { value: Number(m[2]), u: Number(m[3]), text: m[4]! });
  }
  return cells;
}

/**
 * "value ± U" as a reader must see it, formatted here independently of the page's code: U to
 * two significant digits, the value to the same decimal place, thousands separated by commas.
 */
function shown(value: number, u: number): string {
  const decimals = Math.min(6, Math.max(0, 1 - Math.floor(Math.log10(u))));
  const f = (x: number) => x.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  return `${f(value)} ± ${f(u)}`;
}

/** 2026-02-01T00:00:00+08:00 to 2026-03-01T00:00:00+08:00: the report's month in Asia/Shanghai. */
const FEBRUARY = Date.UTC(2026, 0, 31, 16);
const MARCH = Date.UTC(2026, 1, 28, 16);

/** A month figure of the enterprise as the aggregator stores it (the pipeline that computes these is tested elsewhere). */
function februaryFigure(enterpriseId: string, kind: FigureV1['measurement'], subject: Record<string, string>, value: number, u: number, unit: string, revision: number, detail: FigureV1['detail']): FigureV1 {
  return {
    measurement: kind, enterpriseId, subject, periodKind: 'month', periodKey: '2026-02', startMs: FEBRUARY, endMs: MARCH, value, unit, expandedUncertainty: u,
    coveragePercent: 100, estimated: 0, flags: [], factorSet: 'cn-2023@1.0.0', registryVersion: 'e2e', revision, detail,
  };
}

/**
 * The published targets and limits of the enterprise's February: a carbon-intensity target at
 * risk (projection 0.8123 ± 0.0456 tCO2/10^4 CNY against 0.85: 0.8123 + 0.0456 = 0.8579 reaches it),
 * cement clinker clearly above its limit (band 121.1–124.9 kgce/t, all above 117), and the region's
 * total energy on track.
 */
function publishedTargetsAndLimits(enterpriseId: string) {
  const figures = [
    februaryFigure(enterpriseId, FIGURE_KINDS.targetProgress, { region: 'CN-CQ', metric: 'carbon-intensity' }, 0.8123, 0.0456, 'tCO2/10^4 CNY', 1, {
      [D.verdict]: 'at-risk', [D.ceiling]: 0.85, [D.toDate]: 0.4561, [D.toDateExpandedU]: 0.0271, [D.months]: 2, [D.profile]: 'previous-year',
      [D.statusRule]: 'at risk: projection + U reaches the ceiling', [D.year]: 2026, [D.judgedAgainst]: 'tgt-e2e@0.85',
    }),
    februaryFigure(enterpriseId, FIGURE_KINDS.limitCompliance, { region: 'CN-CQ', product: 'clinker', standard: 'cement-clinker', span: 'year-to-date' }, 123.0, 1.9, 'kgce/t', 0, {
      [D.verdict]: 'clearly-above', [D.bindingGrade]: 'limit', [D.standardNumber]: 'GB 16780-2021', [D.clause]: '4.1', [D.limitValue]: 117, [D.limitVerdict]: 'clearly-above',
      [D.accessValue]: 107, [D.accessVerdict]: 'clearly-above', [D.advancedValue]: 100, [D.advancedVerdict]: 'clearly-above', [D.months]: 2, [D.judgedAgainst]: 'limit-standards@1.0.0',
    }),
  ];
  const region = regionTargetProgressPoint({
    region: 'CN-CQ', metric: 'energy-total', basis: 'equivalent', monthStartMs: FEBRUARY, asOf: '2026-02', year: 2026, targetId: 'tgt-cq-2026', ceiling: 1_250_000, unit: 'tce',
    toDate: 180_432.5, toDateExpandedU: 3_210.4, projection: 1_104_880, projectionExpandedU: 41_230, months: 2, profile: 'previous-year', status: 'on-track',
    statusRule: 'on track: projection + U below the ceiling', enterprises: [enterpriseId], missing: [], computedAt: '2026-03-01T01:00:00+08:00',
  });
  return [...figures.map(figurePoint), region];
}

beforeAll(async () => {
  data = reportMonth('e2e-rpt');
  const env = stackEnv();
  pipeline = await createPipeline(env, data.manifest);
  await pipeline.writer.start();
  await pipeline.ingest.start();
  await publishAccepted(inject('stack').mqtt.url, [`e2e-rpt-gw`], data.payloads);
  await waitUntilEqual('stored readings', async () => (await storedReadings(pipeline)).size, data.readingCount, 240_000);
  await pipeline.store.write(publishedTargetsAndLimits(data.enterpriseId));

  ({ process: api, url: apiUrl } = await apiProcess(env.stack, pipeline, [{ id: 'rpt-admin', secret: API_SECRET, role: 'admin' }]));
  await api.start();
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await api?.stop();
  await pipeline?.close();
});

describe('the monthly report people look at, on the real stack', () => {
  let month: EnterpriseFigures;
  let days: EnterpriseFigures[];
  let pageFile: string;

  it('serves the HTML page; rendered by Chromium, its numbers are meterline account’s, day by day, and the names stay text', async () => {
    [month] = (await accountStoredReadings(pipeline.store, data.manifest, ['--period', data.month, '--enterprise', data.enterpriseId])) as [EnterpriseFigures];
    days = await accountStoredReadings(pipeline.store, data.manifest, ['--period', data.month, '--by', 'day', '--enterprise', data.enterpriseId]);
    expect(days).toHaveLength(28);

    const response = await get(`/v1/enterprises/${data.enterpriseId}/reports/${data.month}?format=html`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await response.text();
    pageFile = join(ARTIFACTS, 'monthly-report.html');
    await writeFile(pageFile, page);
    const dom = await renderedDom(pathToFileURL(pageFile).href);
    const cells = figureCells(dom);

    // The month: every headline figure exactly as the CLI computes it, shown as value ± U.
    const expected: Array<[string, { value: number; expandedUncertainty: number }]> = [
      ['carbon.scope1', month.carbon.scope1],
      ['carbon.scope2-location', month.carbon.scope2Location],
      ['carbon.exported-electricity', month.carbon.exportedElectricity],
      ['carbon.total-location-net', month.carbon.totalLocationNetOfExports],
      [`site.e2e-rpt-s0.tceEquivalent`, month.sites[0]!.tce],
      ...month.points.map((p): [string, EnterpriseFigures['tceEquivalent']] => [`point.${p.id}.consumption`, p.consumption]),
    ];
    for (const [key, figure] of expected) {
      expect(cells.get(key), key).toEqual({ value: figure.value, u: figure.expandedUncertainty, text: shown(figure.value, figure.expandedUncertainty) });
    }
    expect(dom).toContain(`data-key-figure="tceEquivalent">${shown(month.tceEquivalent.value, month.tceEquivalent.expandedUncertainty)} tce<`);
    expect(dom).toContain(`data-key-figure="tceEqualValue">${shown(month.tceEqualValue!.value, month.tceEqualValue!.expandedUncertainty)} tce<`);
    // The balance of the incomer against its two sub-meters.
    const balance = month.balances.find((b) => b.parentId === 'e2e-rpt-e-main')!;
    expect(cells.get('balance.e2e-rpt-e-main.gap')).toMatchObject({ value: balance.gap, u: balance.gapExpandedUncertainty });
    expect(dom).toMatch(new RegExp(`data-node="e2e-rpt-e-main" data-band-from="${String(balance.gapPercent! - (balance.gapExpandedUncertainty / balance.input) * 100).replace('.', '\\.')}"`));

    // Every day: the CLI's --by day figures, in the table and in the chart's bars.
    for (const d of days) {
      const day = d.period.key;
      expect(cells.get(`daily.${day}.tceEquivalent`), day).toMatchObject({ value: d.tceEquivalent.value, u: d.tceEquivalent.expandedUncertainty });
      expect(cells.get(`daily.${day}.tCO2LocationNet`), day).toMatchObject({ value: d.carbon.totalLocationNetOfExports.value });
      const gas = d.points.find((p) => p.id === data.silent.point)!;
      const bar = new RegExp(`data-series="natural-gas" data-category="${day}" data-value="([^"]+)"`).exec(dom);
      // No bar at all for a day without gas: its value is 0.
      expect(bar === null ? 0 : Number(bar[1]), day).toBe(gas.tce!.value);
    }
    // Gas silent from the 25th: those days have no gas, and the days say so through their coverage.
    expect(days.filter((d) => d.points.find((p) => p.id === data.silent.point)!.consumption.coveragePercent === 0).map((d) => d.period.key)).toEqual([
      '2026-02-25', '2026-02-26', '2026-02-27', '2026-02-28',
    ]);
    expect(cells.get('daily.2026-02-26.tceEquivalent')!.value).toBe(days[25]!.tceEquivalent.value);
    // The charts mark the days not fully covered (the 24th loses its last quarter-hour of gas), so a short bar is not read as low use.
    const partial = [...new Set([...dom.matchAll(/data-partial="([^"]+)"/g)].map((m) => m[1]))];
    expect(partial).toEqual(days.filter((d) => d.tceEquivalent.coveragePercent < 100).map((d) => d.period.key));
    expect(partial).toEqual(['2026-02-24', '2026-02-25', '2026-02-26', '2026-02-27', '2026-02-28']);

    // The names are text, rendered as such: no element of theirs in the DOM.
    expect(dom).toContain('重庆精密铸造 &lt;script&gt;alert("x")&lt;/script&gt; &amp; Söhne');
    expect(dom).not.toMatch(/<script|<img|<b>main/i);
    // The inputs hash in the footer is the JSON report's.
    const json = (await (await get(`/v1/enterprises/${data.enterpriseId}/reports/${data.month}`)).json()) as { inputsHash: string };
    expect(dom).toContain(`<code data-inputs-hash="">${json.inputsHash}</code>`);

    // Targets and limits, as published. Carbon intensity: U 0.0456 → 3 decimals, 0.812 ± 0.046 against 0.850; to date U 0.0271 → 0.456 ± 0.027.
    expect(cells.get('target.carbon-intensity.projection')).toEqual({ value: 0.8123, u: 0.0456, text: '0.812 ± 0.046' });
    expect(cells.get('target.carbon-intensity.toDate')).toEqual({ value: 0.4561, u: 0.0271, text: '0.456 ± 0.027' });
    expect(dom).toContain('<td class="num">0.850</td>');
    expect(dom).toContain('<td class="status-at-risk" data-status="at-risk">at risk<br><small>at risk: projection + U reaches the ceiling</small></td><td>2 months, previous-year</td><td class="num">revision 1</td>');
    // The region: U 41,230 tce → 0 decimals (1,104,880 ± 41,230 against 1,250,000); to date U 3,210.4 → 0 decimals.
    expect(cells.get('region.energy-total.equivalent.projection')).toEqual({ value: 1_104_880, u: 41_230, text: '1,104,880 ± 41,230' });
    expect(cells.get('region.energy-total.equivalent.toDate')).toEqual({ value: 180_432.5, u: 3_210.4, text: '180,433 ± 3,210' });
    expect(dom).toContain('<td class="status-on-track" data-status="on-track">on track');
    // Clinker year to date: U 1.9 → 1 decimal, 123.0 ± 1.9; clearly above its limit 117.0, access 107.0 and advanced 100.0.
    expect(cells.get('limit.cement-clinker.year-to-date')).toEqual({ value: 123, u: 1.9, text: '123.0 ± 1.9' });
    expect(dom).toContain('<td class="verdict-clearly-above" data-verdict="clearly-above">clearly above<br><small>held to the limit value</small></td><td class="num">117.0<br><small class="verdict-clearly-above">clearly above</small></td><td class="num">107.0<br>');
    expect(dom).toContain('<td>GB 16780-2021, clause 4.1<br><small>cement-clinker</small></td><td>year to date<br><small>2 months</small></td>');

    const png = join(ARTIFACTS, 'monthly-report.png');
    await screenshot(pathToFileURL(pageFile).href, png, 1100, 4200);
    const { stdout } = await runTool('file', ['--brief', png]).catch(() => ({ stdout: Buffer.from('') }));
    console.log(`report e2e: screenshot ${png} (${stdout.toString().trim()})`);
  });

  it('serves the PDF printed by Chromium: A4 pages whose text holds the key numbers, the names and the inputs hash', async () => {
    const response = await get(`/v1/enterprises/${data.enterpriseId}/reports/${data.month}?format=pdf`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await response.arrayBuffer());
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const file = join(ARTIFACTS, 'monthly-report.pdf');
    await writeFile(file, pdf);

    const info = (await runTool('pdfinfo', [file])).stdout.toString();
    // Seven sections (with targets and limits), each from a new page; the day table runs onto a second page.
    const pages = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
    expect(pages).toBeGreaterThanOrEqual(7);
    // A4: 210 × 297 mm, 595.3 × 841.9 points (Chromium: 594.96 × 841.92), and pdfinfo names it.
    expect(info).toMatch(/Page size:\s+59[45](\.\d+)? x 84[12](\.\d+)? pts \(A4\)/);
    const text = (await runTool('pdftotext', ['-layout', file, '-'])).stdout.toString('utf8');
    expect(text).toContain(`${shown(month.tceEquivalent.value, month.tceEquivalent.expandedUncertainty)} tce`);
    expect(text).toContain(`${shown(month.carbon.totalLocationNetOfExports.value, month.carbon.totalLocationNetOfExports.expandedUncertainty)} tCO2`);
    expect(text).toContain('重庆精密铸造 <script>alert("x")</script> & Söhne');
    // The targets and limits section prints: its heading and the values formatted by hand above.
    expect(text).toContain('Targets and limits');
    expect(text).toContain('0.812 ± 0.046');
    expect(text).toContain('123.0 ± 1.9');
    const json = (await (await get(`/v1/enterprises/${data.enterpriseId}/reports/${data.month}`)).json()) as { inputsHash: string };
    expect(text.replace(/\s+/g, '')).toContain(json.inputsHash);
    console.log(`report e2e: PDF ${file}, ${pages} pages, ${pdf.length} bytes`);
  });
});
