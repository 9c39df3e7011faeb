import { Type } from '@sinclair/typebox';
import { readManualEntries } from '@meterline/series';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Enterprise } from '@meterline/domain';
import { readableEnterprise } from '../auth/authenticate.ts';
import type { ApiContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { AUTHENTICATED_PROBLEMS, BEARER, IdParam, problemResponses, stringEnum } from '../http/schemas.ts';
import { monthlyReport } from '../reports/monthly-report.ts';
import { reportCsv } from '../reports/report-csv.ts';
import { pagedReportReadings } from '../reports/report-readings.ts';
import { readReportFigures } from '../reports/report-figures.ts';
import { logUnreadable } from '../series/log-unreadable.ts';
import { ReportSchema, type MonthlyReport } from '../reports/report-schema.ts';
import { reportTables } from '../reports/report-tables.ts';
import { reportXlsx } from '../reports/report-xlsx.ts';
import { negotiateFormat, REPORT_FORMATS, REPORT_MEDIA_TYPES } from '../reports/report-format.ts';
import { REPORT_CSP, reportHtml } from '../reports/report-html.ts';
import type { PdfRenderer } from '../reports/report-pdf.ts';

const MonthParams = Type.Object({
  id: IdParam('enterprise id', 'cq-autoparts'),
  month: Type.String({ pattern: '^(19[7-9][0-9]|2[01][0-9]{2}|22[0-5][0-9])-(0[1-9]|1[0-2])$', description: "YYYY-MM, in the enterprise's time zone", examples: ['2026-03'] }),
});

/** The scorecard of the report, naming whom and which month it judges. */
const ScorecardResponse = Type.Object(
  {
    enterprise: Type.Object({ id: Type.String(), name: Type.String() }),
    month: Type.String({ description: "YYYY-MM, in the enterprise's time zone" }),
    ...ReportSchema.properties.scorecard.properties,
  },
  { additionalProperties: false },
);

/** The report's page printed to PDF, or the problem that says why not. */
async function printed(renderer: PdfRenderer, page: string): Promise<Buffer> {
  const result = await renderer.render(page);
  if (result.ok) return result.pdf;
  throw new ApiError(result.reason === 'missing' ? 'MTL_API_PDF_RENDERER_MISSING' : 'MTL_API_PDF_RENDER_FAILED', `the report could not be printed to PDF: ${result.detail}; the same report is available as HTML (?format=html)`);
}

export const reportRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, ctx) => {
  const readings = pagedReportReadings(ctx.series, ctx.readingsMeasurement, logUnreadable(app.log));

  /** The enterprise's report of the month, from the stored readings and its manual entries; a problem when its factor set cannot give it figures. */
  const reportFor = async (request: FastifyRequest, enterpriseId: string, month: string): Promise<{ enterprise: Enterprise; report: MonthlyReport }> => {
    const enterprise = readableEnterprise(request, enterpriseId);
    const factorSet = ctx.factorCatalog.resolveFor(enterprise);
    if (!factorSet.ok && factorSet.error.code === 'MTL_DOMAIN_FACTOR_SET_OUTSIDE_REGION') {
      throw new ApiError('MTL_API_FACTOR_SET_OUTSIDE_REGION', `${factorSet.error.message} (PUT /v1/enterprises/${enterprise.id}/factor-set)`, { cause: factorSet.error });
    }
    if (!factorSet.ok) {
      // The registry may name a set this API has not read (a custom set published elsewhere, a catalogue of another version): the client's to fix, not a 500.
      const { name, version } = enterprise.factorSet;
      throw new ApiError(
        'MTL_API_FACTOR_SET_UNKNOWN',
        `enterprise ${enterprise.id} is pinned to factor set ${name}@${version}, which this API does not know (GET /v1/factor-sets lists those it does): no report can be computed until the set is added (POST /v1/factor-sets) or another one is pinned (PUT /v1/enterprises/${enterprise.id}/factor-set)`,
        { cause: factorSet.error },
      );
    }
    const [manualEntries, published] = await Promise.all([
      readManualEntries(ctx.store, enterprise.id, logUnreadable(request.log)),
      readReportFigures(ctx.store, enterprise, month, logUnreadable(request.log)),
    ]);
    return { enterprise, report: await monthlyReport(readings, enterprise, month, factorSet.factor, manualEntries, published) };
  };

  app.get(
    '/v1/enterprises/:id/reports/:month',
    {
      schema: {
        summary: 'The monthly regulator report of one enterprise, as JSON, CSV, XLSX, a printable HTML page or PDF',
        description:
          'Computed from the stored readings with the same accounting as `meterline account --period YYYY-MM --equal-value`: standard coal by carrier and comprehensive (GB/T 2589-2020), CO2 by scope, intensity, year on year, coverage, calibration, data quality, each figure with its expanded uncertainty (k = 2). `inputsHash` names the inputs (registry entry, factor set, readings used, and the day figures of the declared energy baselines when there are any) so the report can be reproduced. `targetsAndLimits` shows the dual-control target progress, the region’s progress and the products’ limit-standard compliance of the month as the aggregator published them (each with its revision; not covered by the inputs hash). `baselines` fits each energy baseline the enterprise declared (registry `energyBaselines`) and gives the month’s savings ± U with the days against the prediction band and the CUSUM, and the fabrication detectors’ findings of the month as the aggregator judged them. The HTML page is self-contained (inline CSS and SVG charts: daily tce and CO2 by carrier, balance gap with its U band, completeness by point; no script) and prints on A4; the PDF is that page printed by headless Chromium on the API host (503 when it is not installed or fails). The representation is chosen by `format`, else by the Accept header (JSON by default).',
        tags: ['reports'],
        security: BEARER,
        params: MonthParams,
        querystring: Type.Object(
          { format: Type.Optional(stringEnum(REPORT_FORMATS, { description: 'json, csv, xlsx, html or pdf: overrides the Accept header' })) },
          { additionalProperties: false },
        ),
        response: {
          200: {
            description: 'the report',
            content: {
              [REPORT_MEDIA_TYPES.json]: { schema: ReportSchema },
              [REPORT_MEDIA_TYPES.csv]: { schema: Type.String({ description: 'RFC 4180; one section after another, each a line `section:<name>`, a header and rows' }) },
              [REPORT_MEDIA_TYPES.xlsx]: { schema: Type.Unsafe<Buffer>({ type: 'string', description: 'Office Open XML workbook (binary), a sheet per section' }) },
              [REPORT_MEDIA_TYPES.html]: { schema: Type.String({ description: 'a self-contained HTML page (inline CSS and SVG, no script), printable on A4; the inputs hash in its footer' }) },
              [REPORT_MEDIA_TYPES.pdf]: { schema: Type.Unsafe<Buffer>({ type: 'string', description: 'the HTML page printed to PDF (A4) by headless Chromium' }) },
            },
          },
          ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 406, 409, 503),
        },
      },
    },
    async (request, reply) => {
      const format = negotiateFormat(request.query.format, request.headers.accept);
      const { enterprise, report } = await reportFor(request, request.params.id, request.params.month);
      reply.header('vary', 'accept');
      if (format === 'json') return reply.type(REPORT_MEDIA_TYPES.json).send(report);
      const filename = `${enterprise.id}-${report.month}.${format}`;
      if (format === 'html' || format === 'pdf') {
        const page = reportHtml(report);
        // The page is shown where it is opened; its policy holds in a browser as in the PDF renderer.
        const body = format === 'html' ? page : await printed(ctx.reportPdf, page);
        reply.type(format === 'html' ? `${REPORT_MEDIA_TYPES.html}; charset=utf-8` : REPORT_MEDIA_TYPES.pdf);
        return reply.header('content-security-policy', REPORT_CSP).header('content-disposition', `inline; filename="${filename}"`).send(body);
      }
      reply.type(REPORT_MEDIA_TYPES[format]).header('content-disposition', `attachment; filename="${filename}"`);
      const tables = reportTables(report);
      return reply.send(format === 'csv' ? reportCsv(tables) : await reportXlsx(tables, `${enterprise.name} ${report.month}`));
    },
  );

  app.get(
    '/v1/enterprises/:id/scorecards/:month',
    {
      schema: {
        summary: "The regulator's upload data-quality scorecard of one enterprise and month",
        description:
          'The online monitoring system’s upload data-quality rules for key energy-consuming units, judged on the month’s figures and its days’ as the monthly report computes them (the report carries the same scorecard): completeness of each metering point’s readings ≥ 90 %, the days of comprehensive, primary and secondary energy consumption adding up to the month within 5 %, daily periods starting at 00:00 (± 1 min) and monthly ones on the 1st (± 1 day), and the required indicators present (those three per day and month; output and unit-product consumption per product; industrial output value and value added from the manual entries). Each rule names its source and confidence (reference data `online-monitoring-upload-quality`) and lists what fails.',
        tags: ['reports'],
        security: BEARER,
        params: MonthParams,
        response: { 200: ScorecardResponse, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 409) },
      },
    },
    async (request) => {
      const { enterprise, report } = await reportFor(request, request.params.id, request.params.month);
      return { enterprise: { id: enterprise.id, name: enterprise.name }, month: report.month, ...report.scorecard };
    },
  );
};
