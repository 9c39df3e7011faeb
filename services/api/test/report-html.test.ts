import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { READING_TAGS } from '@meterline/series';
import { InMemoryStore, type SeriesPoint } from '@meterline/store';
import type { Manifest } from '@meterline/domain';
import { reportHtml } from '../src/reports/report-html.ts';
import { chromiumPdf, type PdfRenderer } from '../src/reports/report-pdf.ts';
import type { MonthlyReport } from '../src/reports/report-schema.ts';
import { storeSeriesPageReader } from '../src/series/series-page-reader.ts';
import { bearer, SECRETS, testApi, testManifest } from './fixtures.ts';
import { REPORT_ENTERPRISE, REPORT_MONTH, reportManifest, reportReadings } from './report-dataset.ts';

const URL = `/v1/enterprises/${REPORT_ENTERPRISE}/reports/${REPORT_MONTH}`;
const HOSTILE = `<script>alert("x")</script> & 'Co' <img src=http://evil.example/x>`;

/** The report dataset's registry, with user input a page could be attacked with: the enterprise's, a site's and a point's names. */
function hostileManifest(): Manifest {
  const m = reportManifest(testManifest().enterprises);
  const e = m.enterprises.find((x) => x.id === REPORT_ENTERPRISE)!;
  e.name = HOSTILE;
  e.sites[0]!.name = `"><svg onload=alert(1)>`;
  e.sites[0]!.meteringPoints[0]!.name = `</td></tr></table><script>x()</script>`;
  return m;
}

async function reportApi(options: { points?: SeriesPoint[]; manifest?: Manifest; reportPdf?: PdfRenderer } = {}) {
  const store = new InMemoryStore();
  await store.write(options.points ?? reportReadings());
  const { app } = await testApi({ series: storeSeriesPageReader(store), ...(options.reportPdf ? { reportPdf: options.reportPdf } : {}) }, { manifest: options.manifest ?? reportManifest(testManifest().enterprises) });
  return app;
}

/** The figure cells of a page by their key: the exact numbers and the text shown. */
function figureCells(page: string): Map<string, { value: number; u: number; text: string }> {
  const cells = new Map<string, { value: number; u: number; text: string }>();
  for (const m of page.matchAll(/<td class="num[^"]*" data-figure="([^"]+)" data-value="([^"]+)" data-u="([^"]+)"[^>]*>([^<]*)<\/td>/g)) {
    cells.set(m[1]!, { value: Number(m[2]), u: Number(m[3]), text: m[4]! });
  }
  return cells;
}

describe('monthly report as HTML', () => {
  it('escapes every name from the registry: no markup of theirs reaches the page', async () => {
    const app = await reportApi({ manifest: hostileManifest() });
    const response = await app.inject({ url: `${URL}?format=html`, headers: bearer(SECRETS.admin) });
    expect(response.statusCode, response.body).toBe(200);
    const page = response.body;
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Co&#39; &lt;img src=http://evil.example/x&gt;');
    expect(page).toContain('&quot;&gt;&lt;svg onload=alert(1)&gt;');
    expect(page).toContain('&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;x()&lt;/script&gt;');
    // No script at all, no element of theirs, nothing loaded from elsewhere.
    expect(page).not.toMatch(/<script|<img|<[a-z][^>]*\son\w+=/i);
    expect(page).not.toMatch(/<[a-z][^>]*\s(src|href)=/i);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    expect(response.headers['content-disposition']).toBe(`inline; filename="${REPORT_ENTERPRISE}-${REPORT_MONTH}.html"`);
  });

  it('shows the JSON report’s numbers, ± U to two significant digits, the inputs hash in the footer, and the month’s scorecard', async () => {
    const app = await reportApi();
    const json = (await app.inject({ url: URL, headers: bearer(SECRETS.admin) })).json<MonthlyReport>();
    const page = (await app.inject({ url: URL, headers: { ...bearer(SECRETS.admin), accept: 'text/html' } })).body;
    const cells = figureCells(page);
    expect(cells.get('carbon.total-location-net')).toMatchObject({ value: json.carbon.totalLocationNetOfExports.value, u: json.carbon.totalLocationNetOfExports.expandedUncertainty });
    expect(cells.get('point.rpt-gas.consumption')!.value).toBe(json.meteringPoints.find((p) => p.id === 'rpt-gas')!.consumption.value);
    // Every day of March, its totals as in the JSON.
    expect([...cells.keys()].filter((k) => /^daily\.\d{4}-\d{2}-\d{2}\.tceEquivalent$/.test(k))).toHaveLength(31);
    expect(cells.get('daily.2026-03-12.tceEquivalent')!.value).toBe(json.daily.find((d) => d.day === '2026-03-12')!.tceEquivalent.value);
    // The text: U to two significant digits, the value to the same decimal (U = 2.87… tce → one decimal).
    const tce = json.energy.comprehensive.tceEquivalent;
    expect(tce.expandedUncertainty).toBeGreaterThan(1);
    expect(tce.expandedUncertainty).toBeLessThan(10);
    expect(page).toContain(`data-key-figure="tceEquivalent">${(Math.round(tce.value * 10) / 10).toLocaleString('en-US', { minimumFractionDigits: 1 })} ± ${(Math.round(tce.expandedUncertainty * 10) / 10).toFixed(1)} tce<`);
    expect(page).toContain(`<code data-inputs-hash>${json.inputsHash}</code>`);
    // The scorecard of the JSON, rule by rule, with its result.
    const rows = [...page.matchAll(/<tr data-rule="([^"]+)">.*?<td class="(pass|fail)">/g)].map((m) => [m[1], m[2] === 'pass']);
    expect(rows).toEqual(json.scorecard.outcomes.map((o) => [o.rule, o.passed]));
    expect(rows).toHaveLength(5);
    // The completeness chart: a bar per point.
    expect([...page.matchAll(/data-percent="([^"]+)"/g)].map((m) => Number(m[1]))).toEqual(json.meteringPoints.map((p) => p.consumption.completenessPercent));
  });

  it('reads "no data" for a point without readings (0 % coverage, 0), never 0 ± 0', async () => {
    const app = await reportApi({ points: reportReadings().filter((p) => p.tags[READING_TAGS.point] !== 'rpt-diesel') });
    const page = (await app.inject({ url: `${URL}?format=html`, headers: bearer(SECRETS.admin) })).body;
    expect(page).toMatch(/<td class="num nodata" data-figure="point\.rpt-diesel\.consumption" data-value="0" data-u="0" data-coverage="0">no data<\/td>/);
    expect(page).toMatch(/data-figure="energy\.input\.diesel\.tceEquivalent"[^>]*>no data</);
  });

  it('renders a scorecard the report carries, rule by rule', () => {
    const page = reportHtmlOf({
      scorecard: {
        rules: 'rules@1',
        passed: false,
        outcomes: [{ rule: 'completeness', requirement: 'completeness ≥ 90 %', source: 'provincial rules <2024>', confidence: 'M', passed: false, detail: 'rpt-gas 88.2 %', findings: ['rpt-gas 88.2 %'] }],
      },
    });
    expect(page).toContain('<tr data-rule="completeness"><td>completeness<br><small>completeness ≥ 90 %</small></td><td class="fail">failed</td><td>rpt-gas 88.2 %</td><td>provincial rules &lt;2024&gt; (M)</td></tr>');
    expect(page).toContain('1 of 1 rules failed.');
  });
});

/** A minimal report: the HTML of one made by hand, for what the dataset cannot show. */
function reportHtmlOf(extra: Partial<MonthlyReport>): string {
  const figure: MonthlyReport['carbon']['scope1'] = { value: 0, unit: 'tce', expandedUncertainty: 0, coverageFactor: 2, coveragePercent: 0, completenessPercent: 0, quality: { flags: [], estimated: 0, suspectIntervals: 0, readingsOutsideCalibration: 0, readingsReceived: 0, readingsExpected: 0, rollovers: 0 }, factorSet: 'cn-2023@1.0.0' };
  const f = figure;
  const carbon = { scope1: f, scope2Location: f, scope2Market: f, purchasedHeat: f, exportedElectricity: f, totalLocation: f, totalMarket: f, totalLocationNetOfExports: f };
  return reportHtml({
    schema: 'meterline.report/v1',
    inputsHash: 'ab'.repeat(32),
    enterprise: { id: 'e', name: 'E', region: 'CN-CQ', gridRegion: 'southwest', timeZone: 'Asia/Shanghai', scope2Level: 'provincial' },
    month: '2026-03',
    period: { start: '2026-03-01T00:00:00+08:00', end: '2026-04-01T00:00:00+08:00' },
    factorSet: 'cn-2023@1.0.0',
    readingsUsed: 0,
    energy: { standard: 'GB/T 2589-2020', byCarrier: [], comprehensive: { tceEquivalent: figure, tceEqualValue: figure }, sites: [] },
    daily: [],
    balances: [],
    carbon: { ...carbon, scope2LocationFactor: null },
    intensities: [],
    yearOnYear: { month: '2025-03', comparison: null, reason: 'none' },
    coverage: { percent: 0, points: [] },
    meteringPoints: [],
    calibration: [],
    dataQuality: { flags: [], figures: [], suspectIntervals: 0, issues: [] },
    scorecard: { rules: 'rules@1', passed: true, outcomes: [] },
    targetsAndLimits: { source: 'as published by the aggregator', targets: [], targetsReason: 'none', region: [], regionReason: 'none', compliance: [], complianceReason: 'none' },
    baselinesAndIntegrity: { baselines: [], baselinesReason: 'none', fabrication: { source: 'as published by the aggregator', status: 'not-judged', pointsJudged: 0, findings: [], statement: 'not yet judged' } },
    ...extra,
  });
}

describe('monthly report as PDF', () => {
  it('is the HTML page printed by the renderer', async () => {
    const pages: string[] = [];
    const app = await reportApi({ reportPdf: { render: (page) => (pages.push(page), Promise.resolve({ ok: true, pdf: Buffer.from('%PDF-1.4 fake') })) } });
    const response = await app.inject({ url: URL, headers: { ...bearer(SECRETS.admin), accept: 'application/pdf' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.headers['content-disposition']).toBe(`inline; filename="${REPORT_ENTERPRISE}-${REPORT_MONTH}.pdf"`);
    expect(response.rawPayload.toString()).toBe('%PDF-1.4 fake');
    const html = (await app.inject({ url: `${URL}?format=html`, headers: bearer(SECRETS.admin) })).body;
    expect(pages).toEqual([html]);
  });

  it('answers 503 MTL_API_PDF_RENDERER_MISSING, naming the fix, when Chromium is not installed', async () => {
    const app = await reportApi({ reportPdf: chromiumPdf({ command: join(tmpdir(), 'no-such-dir', 'chromium'), timeoutMs: 5_000, concurrency: 1 }) });
    const response = await app.inject({ url: `${URL}?format=pdf`, headers: bearer(SECRETS.admin) });
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: 'MTL_API_PDF_RENDERER_MISSING', status: 503, detail: expect.stringMatching(/ENOENT.*MTL_CHROMIUM_PATH.*format=html/) as unknown });
  });

  it('refuses a malformed month with a problem whatever the format asked for', async () => {
    const app = await reportApi();
    for (const format of ['html', 'pdf']) {
      const r = await app.inject({ url: `/v1/enterprises/${REPORT_ENTERPRISE}/reports/2026-13?format=${format}`, headers: bearer(SECRETS.admin) });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ code: 'MTL_API_VALIDATION_FAILED', errors: [{ in: 'params', pointer: '/month' }] });
    }
    const unknown = await app.inject({ url: '/v1/enterprises/nobody/reports/2026-03?format=pdf', headers: bearer(SECRETS.admin) });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe('the Chromium PDF renderer', () => {
  /** A stand-in for chromium: a shell script, run with chromium's arguments. */
  async function fakeChromium(body: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'fake-chromium-'));
    const path = join(dir, 'chromium');
    await writeFile(path, `#!/bin/sh\n${body}\n`);
    await chmod(path, 0o755);
    return path;
  }

  it('returns the file written at --print-to-pdf, given the page as a file URL', async () => {
    const command = await fakeChromium('for a in "$@"; do case "$a" in --print-to-pdf=*) out="${a#--print-to-pdf=}";; file://*) page="${a#file://}";; esac; done; { printf "%%PDF-1.4 "; cat "$page"; } > "$out"');
    const result = await chromiumPdf({ command, timeoutMs: 10_000, concurrency: 1 }).render('<p>hello</p>');
    expect(result).toEqual({ ok: true, pdf: Buffer.from('%PDF-1.4 <p>hello</p>') });
  });

  it('reports a failed run with the end of its stderr, and a run past the timeout as killed', async () => {
    const failing = await fakeChromium('echo "first line" >&2; echo "cannot open display" >&2; exit 3');
    expect(await chromiumPdf({ command: failing, timeoutMs: 10_000, concurrency: 1 }).render('x')).toEqual({
      ok: false, reason: 'failed', detail: `${failing} exited with 3: first line | cannot open display`,
    });
    const hanging = await fakeChromium('sleep 30');
    const result = await chromiumPdf({ command: hanging, timeoutMs: 300, concurrency: 1 }).render('x');
    expect(result).toEqual({ ok: false, reason: 'timeout', detail: `${hanging} did not finish the PDF within 300 ms` });
    const silent = await fakeChromium('exit 0');
    expect(await chromiumPdf({ command: silent, timeoutMs: 10_000, concurrency: 1 }).render('x')).toMatchObject({ ok: false, reason: 'failed', detail: expect.stringContaining('wrote no PDF') as unknown });
  });

  it('runs at most `concurrency` renders, queues eight times as many and refuses the rest as busy', async () => {
    const marker = await mkdtemp(join(tmpdir(), 'fake-chromium-runs-'));
    // Each run appends a line when it starts and waits until the test releases it.
    const command = await fakeChromium(`echo start >> ${marker}/runs; while [ ! -f ${marker}/go ]; do sleep 0.05; done; for a in "$@"; do case "$a" in --print-to-pdf=*) echo "%PDF" > "\${a#--print-to-pdf=}";; esac; done`);
    const renderer = chromiumPdf({ command, timeoutMs: 20_000, concurrency: 1 });
    const renders = Array.from({ length: 10 }, () => renderer.render('x'));
    // 1 running + 8 waiting: the tenth is refused at once.
    expect(await renders[9]).toMatchObject({ ok: false, reason: 'busy' });
    await expect.poll(() => readFile(join(marker, 'runs'), 'utf8').catch(() => '')).toBe('start\n');
    await writeFile(join(marker, 'go'), '');
    const results = await Promise.all(renders.slice(0, 9));
    expect(results.every((r) => r.ok)).toBe(true);
    expect((await readFile(join(marker, 'runs'), 'utf8')).split('\n').filter(Boolean)).toHaveLength(9);
  });
});
