import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { FIGURE_MEASUREMENTS } from '@meterline/contracts';
import { CARRIERS } from '@meterline/domain';
import type { FieldValue } from '@meterline/store';
import { readableEnterprise } from '../auth/authenticate.ts';
import type { ApiContext } from '../context.ts';
import { registryOf } from '../registry/registry-view.ts';
import { ApiError } from '../errors.ts';
import { decodeCursor, nextLink, pageOf, PageQuery } from '../http/pagination.ts';
import { AUTHENTICATED_PROBLEMS, BEARER, IdParam, InstantQuery, problemResponses, stringEnum } from '../http/schemas.ts';
import { timeRange } from '../http/time-range.ts';
import type { StoredRow } from '../series/series-page-reader.ts';

const MEASUREMENTS = Object.values(FIGURE_MEASUREMENTS);
const PERIOD_KINDS = ['quarter-hour', 'hour', 'day', 'month'] as const;
const CARBON_SCOPES = ['scope1', 'scope2-location', 'scope2-market', 'purchased-heat', 'exported-electricity', 'total-location', 'total-market', 'total-location-net'] as const;
const RESTATEMENT_MEASUREMENT = 'restatement';

/** Which subject filters each figure measurement has as series tags (services/aggregator/README.md). */
const FILTERS_BY_MEASUREMENT: Record<string, ReadonlySet<string>> = {
  consumption: new Set(['site', 'point', 'carrier']),
  standard_coal: new Set(['site']),
  energy_balance: new Set(['site', 'carrier']),
  carbon: new Set(['scope']),
  intensity: new Set(['site']),
};

const Range = {
  from: InstantQuery('start of the range, inclusive (a period is in it when its start is)', '2026-03-01T00:00:00+08:00'),
  to: InstantQuery('end of the range, exclusive', '2026-04-01T00:00:00+08:00'),
};

const FiguresQuery = Type.Object(
  {
    measurement: stringEnum(MEASUREMENTS, { examples: ['consumption'] }),
    period: stringEnum(PERIOD_KINDS, { examples: ['day'] }),
    ...Range,
    site: Type.Optional(IdParam('only this site (consumption, standard_coal, energy_balance, intensity)', 'cq-plant-a')),
    point: Type.Optional(IdParam('only this metering point (consumption)', 'cq-e-main')),
    carrier: Type.Optional(stringEnum(CARRIERS, { description: 'only this carrier (consumption, energy_balance)' })),
    scope: Type.Optional(stringEnum(CARBON_SCOPES, { description: 'only this scope (carbon)' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);

/** Stored names of a figure's base fields; anything else in a row is figure-specific detail. */
const BASE_FIELDS = new Set(['value', 'unit', 'u', 'coverage', 'estimated', 'flags', 'factor_set', 'registry_version', 'period_key', 'period_end', 'revision']);

const FigureView = Type.Object(
  {
    measurement: Type.String(),
    period: Type.String({ description: 'period kind' }),
    periodKey: Type.String({ description: "the period in the enterprise's time zone" }),
    start: Type.String({ description: 'period start, UTC' }),
    end: Type.String({ description: 'period end (exclusive), UTC' }),
    subject: Type.Record(Type.String(), Type.String(), { description: 'the series tags besides enterprise and period (site, point, carrier, scope, …)' }),
    value: Type.Number(),
    unit: Type.String(),
    expandedUncertainty: Type.Number({ description: 'U at k = 2, in unit' }),
    coveragePercent: Type.Number(),
    estimated: Type.Number({ description: 'the estimated part of value' }),
    flags: Type.Array(Type.String()),
    factorSet: Type.String(),
    registryVersion: Type.String(),
    revision: Type.Integer(),
    detail: Type.Record(Type.String(), Type.Union([Type.Number(), Type.String(), Type.Boolean()])),
  },
  { additionalProperties: false },
);

const RestatementView = Type.Object(
  {
    restatementId: Type.String(),
    figure: Type.String({ description: 'the measurement of the restated figure' }),
    period: Type.String(),
    periodKey: Type.String(),
    start: Type.String(),
    subject: Type.String({ description: 'the figure subject as key=value pairs joined by ;' }),
    revision: Type.Integer({ description: 'the revision the restatement made' }),
    unit: Type.String(),
    oldValue: Type.Number(),
    newValue: Type.Number(),
    oldExpandedUncertainty: Type.Optional(Type.Number()),
    newExpandedUncertainty: Type.Optional(Type.Number()),
    oldCoverage: Type.Number(),
    newCoverage: Type.Number(),
    oldFlags: Type.Array(Type.String()),
    newFlags: Type.Array(Type.String()),
    reason: Type.String(),
    detail: Type.String(),
    restatedAt: Type.String(),
  },
  { additionalProperties: false },
);

const ReadingView = Type.Object(
  {
    time: Type.String(),
    value: Type.Number(),
    quality: Type.String(),
    device: Type.Optional(Type.String()),
    site: Type.String(),
    carrier: Type.String(),
    quantity: Type.String(),
  },
  { additionalProperties: false },
);

const num = (fields: Record<string, FieldValue>, key: string): number => (typeof fields[key] === 'number' ? (fields[key] as number) : 0);
const str = (fields: Record<string, FieldValue>, key: string): string => (typeof fields[key] === 'string' ? (fields[key] as string) : '');
const list = (text: string): string[] => (text === '' ? [] : text.split(','));
const iso = (ms: number): string => new Date(ms).toISOString();

function figureView(measurement: string, row: StoredRow): Static<typeof FigureView> {
  const { enterprise: _enterprise, period, ...subject } = row.tags;
  const f = row.fields;
  const detail: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(f)) if (!BASE_FIELDS.has(k)) detail[k] = v;
  return {
    measurement,
    period: period ?? '',
    periodKey: str(f, 'period_key'),
    start: iso(row.timestampMs),
    end: iso(num(f, 'period_end')),
    subject,
    value: num(f, 'value'),
    unit: str(f, 'unit'),
    expandedUncertainty: num(f, 'u'),
    coveragePercent: num(f, 'coverage'),
    estimated: num(f, 'estimated'),
    flags: list(str(f, 'flags')),
    factorSet: str(f, 'factor_set'),
    registryVersion: str(f, 'registry_version'),
    revision: num(f, 'revision'),
    detail,
  };
}

function restatementView(row: StoredRow): Static<typeof RestatementView> {
  const f = row.fields;
  const optional = (key: string, name: string) => (typeof f[key] === 'number' ? { [name]: f[key] as number } : {});
  return {
    restatementId: str(f, 'restatement_id'),
    figure: row.tags['figure'] ?? '',
    period: row.tags['period'] ?? '',
    periodKey: str(f, 'period_key'),
    start: iso(row.timestampMs),
    subject: row.tags['subject'] ?? '',
    revision: Number(row.tags['revision'] ?? 0),
    unit: str(f, 'unit'),
    oldValue: num(f, 'old_value'),
    newValue: num(f, 'new_value'),
    ...optional('old_u', 'oldExpandedUncertainty'),
    ...optional('new_u', 'newExpandedUncertainty'),
    oldCoverage: num(f, 'old_coverage'),
    newCoverage: num(f, 'new_coverage'),
    oldFlags: list(str(f, 'old_flags')),
    newFlags: list(str(f, 'new_flags')),
    reason: str(f, 'reason'),
    detail: str(f, 'detail'),
    restatedAt: str(f, 'restated_at'),
  };
}

const readingView = (row: StoredRow): Static<typeof ReadingView> => ({
  time: iso(row.timestampMs),
  value: num(row.fields, 'value'),
  quality: str(row.fields, 'quality'),
  ...(typeof row.fields['device'] === 'string' ? { device: row.fields['device'] } : {}),
  site: row.tags['site'] ?? '',
  carrier: row.tags['carrier'] ?? '',
  quantity: row.tags['quantity'] ?? '',
});

const EnterpriseParams = Type.Object({ id: IdParam('enterprise id', 'cq-autoparts') });

export const seriesRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, ctx) => {
  /** One page of a measurement: asks for one row more than the page to know whether there is a next. */
  const readPage = async (url: string, measurement: string, tags: Record<string, string>, query: { from: string; to: string; limit?: number; cursor?: string }) => {
    const { fromMs, toMs } = timeRange(query);
    const offset = decodeCursor(query.cursor);
    const limit = query.limit ?? 100;
    const rows = await ctx.series.page({ measurement, tags, fromMs, toMs, offset, limit: limit + 1 });
    return { rows: rows.slice(0, limit), next: nextLink(url, offset + limit, rows.length > limit) };
  };

  app.get(
    '/v1/enterprises/:id/figures',
    {
      schema: {
        summary: 'Figures of one enterprise: one measurement and period kind over a time range',
        description:
          'Figures are read as the aggregator stored them, with coverage, quality flags and expanded uncertainty. A filter applies only to the measurements that have it as a series tag.',
        tags: ['figures'],
        security: BEARER,
        params: EnterpriseParams,
        querystring: FiguresQuery,
        response: { 200: pageOf(FigureView), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 503) },
      },
    },
    async (request) => {
      const enterprise = readableEnterprise(request, request.params.id);
      const { measurement, period, site, point, carrier, scope } = request.query;
      const filters: Record<string, string | undefined> = { site, point, carrier, scope };
      const allowed = FILTERS_BY_MEASUREMENT[measurement] ?? new Set<string>();
      const tags: Record<string, string> = { enterprise: enterprise.id, period };
      for (const [name, value] of Object.entries(filters)) {
        if (value === undefined) continue;
        if (!allowed.has(name)) {
          const detail = `does not apply to measurement ${measurement}`;
          throw new ApiError('MTL_API_VALIDATION_FAILED', `query /${name}: ${detail}`, { issues: [{ in: 'query', pointer: `/${name}`, detail }] });
        }
        tags[name] = value;
      }
      const { rows, next } = await readPage(request.url, measurement, tags, request.query);
      return { items: rows.map((row) => figureView(measurement, row)), next };
    },
  );

  app.get(
    '/v1/enterprises/:id/restatements',
    {
      schema: {
        summary: 'Restatements of the figures of one enterprise whose period starts in the range',
        tags: ['figures'],
        security: BEARER,
        params: EnterpriseParams,
        querystring: Type.Object({ ...Range, ...PageQuery }, { additionalProperties: false }),
        response: { 200: pageOf(RestatementView), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 503) },
      },
    },
    async (request) => {
      const enterprise = readableEnterprise(request, request.params.id);
      const { rows, next } = await readPage(request.url, RESTATEMENT_MEASUREMENT, { enterprise: enterprise.id }, request.query);
      return { items: rows.map(restatementView), next };
    },
  );

  app.get(
    '/v1/enterprises/:id/points/:pointId/readings',
    {
      schema: {
        summary: 'Raw readings of one metering point of the enterprise',
        tags: ['readings'],
        security: BEARER,
        params: Type.Object({ id: EnterpriseParams.properties.id, pointId: IdParam('metering point id', 'cq-e-main') }),
        querystring: Type.Object({ ...Range, ...PageQuery }, { additionalProperties: false }),
        response: { 200: pageOf(ReadingView), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 503) },
      },
    },
    async (request) => {
      const enterprise = readableEnterprise(request, request.params.id);
      const location = registryOf(request).index.point(request.params.pointId);
      if (location?.enterpriseId !== enterprise.id) {
        throw new ApiError('MTL_API_NOT_FOUND', `enterprise ${enterprise.id} has no metering point ${request.params.pointId}`);
      }
      const tags = { enterprise: enterprise.id, point: location.point.id };
      const { rows, next } = await readPage(request.url, ctx.readingsMeasurement, tags, request.query);
      return { items: rows.map(readingView), next };
    },
  );
};
