import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { FIGURE_KINDS } from '@meterline/contracts';
import { CARBON_SCOPE_NAMES, CARRIERS } from '@meterline/domain';
import {
  completenessOf, DEFAULT_READING_QUALITY, FIGURE_SUBJECT_TAGS, FIGURE_TAGS, figureOf, figureTags, readingOf, readingTags, RESTATEMENT_MEASUREMENT, restatementOf, restatementTags, type RowRead,
} from '@meterline/series';
import { readableEnterprise } from '../auth/authenticate.ts';
import type { ApiContext } from '../context.ts';
import { registryOf } from '../registry/registry-view.ts';
import { ApiError } from '../errors.ts';
import { decodeCursor, nextLink, pageOf, PageQuery, type Page } from '../http/pagination.ts';
import { AUTHENTICATED_PROBLEMS, BEARER, IdParam, InstantQuery, problemResponses, stringEnum } from '../http/schemas.ts';
import { timeRange } from '../http/time-range.ts';
import type { StoredRow } from '../series/series-page-reader.ts';
import type { FigurePage } from '../figure-cache/figure-page-cache.ts';
import { rememberedLastPeriodEnd } from '../figure-cache/last-period-end.ts';

const MEASUREMENTS = Object.values(FIGURE_KINDS);
const PERIOD_KINDS = ['quarter-hour', 'hour', 'day', 'month'] as const;

const Range = {
  from: InstantQuery('start of the range, inclusive (a period is in it when its start is)', '2026-03-01T00:00:00+08:00'),
  to: InstantQuery('end of the range, exclusive', '2026-04-01T00:00:00+08:00'),
};

const FiguresQuery = Type.Object(
  {
    measurement: stringEnum(MEASUREMENTS, { examples: [FIGURE_KINDS.consumption] }),
    period: stringEnum(PERIOD_KINDS, { examples: ['day'] }),
    ...Range,
    site: Type.Optional(IdParam('only this site (consumption, standard_coal, energy_balance, intensity)', 'cq-plant-a')),
    point: Type.Optional(IdParam('only this metering point (consumption)', 'cq-e-main')),
    carrier: Type.Optional(stringEnum(CARRIERS, { description: 'only this carrier (consumption, energy_balance)' })),
    scope: Type.Optional(stringEnum(CARBON_SCOPE_NAMES, { description: 'only this scope (carbon)' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);

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
    coveragePercent: Type.Number({ description: 'energy coverage: share of the period whose energy real readings bound, 0–100; aggregates: the lowest part' }),
    completenessPercent: Type.Union([Type.Number(), Type.Null()], {
      description:
        'data completeness: readings received ÷ readings expected at each point\'s declared cadence (expectedInterval, default PT15M), 0–100; aggregates: pooled over the parts; the counts are detail.readings_received and detail.readings_expected; null for a figure published before completeness was kept',
    }),
    estimated: Type.Number({ description: 'the estimated part of value' }),
    flags: Type.Array(Type.String()),
    factorSet: Type.String(),
    registryVersion: Type.String(),
    revision: Type.Integer(),
    detail: Type.Record(Type.String(), Type.Union([Type.Number(), Type.String(), Type.Boolean()])),
  },
  { additionalProperties: false },
);
export type FigureView = Static<typeof FigureView>;

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
export type RestatementView = Static<typeof RestatementView>;

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
export type ReadingView = Static<typeof ReadingView>;

const iso = (ms: number): string => new Date(ms).toISOString();

/** A body that is JSON text already: fastify sends a string as it is, skipping the route's serialiser; the text is that reply's JSON. */
const serialised = <T>(json: string): T => json as unknown as T;

/** A stored row of a series the API serves; a row the series cannot read is a fault of the store, not of the request. */
function readable<T>(read: RowRead<T>): T {
  if (!read.ok) throw new Error(`stored row unreadable: ${read.reason}`);
  return read.value;
}

function figureView(measurement: string, row: StoredRow): FigureView {
  const f = readable(figureOf({ measurement, ...row }));
  return {
    measurement,
    period: f.periodKind,
    periodKey: f.periodKey,
    start: iso(f.startMs),
    end: iso(f.endMs),
    subject: f.subject,
    value: f.value,
    unit: f.unit,
    expandedUncertainty: f.expandedUncertainty,
    coveragePercent: f.coveragePercent,
    completenessPercent: completenessOf(f) ?? null,
    estimated: f.estimated,
    flags: f.flags,
    factorSet: f.factorSet,
    registryVersion: f.registryVersion,
    revision: f.revision,
    detail: f.detail,
  };
}

function restatementView(row: StoredRow): RestatementView {
  const r = readable(restatementOf({ measurement: RESTATEMENT_MEASUREMENT, ...row }));
  const optional = (u: number | undefined, name: string) => (u === undefined ? {} : { [name]: u });
  return {
    restatementId: r.restatementId,
    figure: r.figure,
    period: r.periodKind,
    periodKey: r.periodKey,
    start: iso(r.startMs),
    subject: r.subject,
    revision: r.revision,
    unit: r.unit,
    oldValue: r.old.value,
    newValue: r.new.value,
    ...optional(r.old.expandedUncertainty, 'oldExpandedUncertainty'),
    ...optional(r.new.expandedUncertainty, 'newExpandedUncertainty'),
    oldCoverage: r.old.coveragePercent,
    newCoverage: r.new.coveragePercent,
    oldFlags: r.old.flags,
    newFlags: r.new.flags,
    reason: r.reason,
    detail: r.detail,
    restatedAt: r.restatedAt,
  };
}

function readingView(row: StoredRow): ReadingView {
  const r = readable(readingOf(row));
  return {
    time: iso(r.tsMs),
    value: r.value,
    // The route reads every field: a reading without a stored quality is of the default one.
    quality: r.quality ?? DEFAULT_READING_QUALITY,
    ...(r.deviceId === undefined ? {} : { device: r.deviceId }),
    site: r.siteId,
    carrier: r.carrier,
    quantity: r.quantity,
  };
}

const EnterpriseParams = Type.Object({ id: IdParam('enterprise id', 'cq-autoparts') });

export const seriesRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, ctx) => {
  const closesAt = rememberedLastPeriodEnd();
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
    async (request, reply) => {
      const enterprise = readableEnterprise(request, request.params.id);
      const { measurement, period, site, point, carrier, scope } = request.query;
      // Each filter is the series tag of its name; a kind whose series lack that tag refuses it.
      const asked: Record<string, string | undefined> = { [FIGURE_TAGS.site]: site, [FIGURE_TAGS.point]: point, [FIGURE_TAGS.carrier]: carrier, [FIGURE_TAGS.scope]: scope };
      const allowed = new Set(FIGURE_SUBJECT_TAGS[measurement]);
      const filters: Record<string, string> = {};
      for (const [name, value] of Object.entries(asked)) {
        if (value === undefined) continue;
        if (!allowed.has(name)) {
          const detail = `does not apply to measurement ${measurement}`;
          throw new ApiError('MTL_API_VALIDATION_FAILED', `query /${name}: ${detail}`, { issues: [{ in: 'query', pointer: `/${name}`, detail }] });
        }
        filters[name] = value;
      }
      const { fromMs, toMs } = timeRange(request.query);
      const offset = decodeCursor(request.query.cursor);
      const limit = request.query.limit ?? 100;
      const load = async (): Promise<FigurePage> => {
        const tags = { ...figureTags(enterprise.id, period), ...filters };
        const rows = await ctx.series.page({ measurement, tags, fromMs, toMs, offset, limit: limit + 1 });
        return { itemsJson: JSON.stringify(rows.slice(0, limit).map((row) => figureView(measurement, row))), hasMore: rows.length > limit };
      };
      const key = { enterpriseId: enterprise.id, measurement, periodKind: period, filters, fromMs, toMs, offset, limit };
      const page = ctx.figureCache ? await ctx.figureCache.read(key, closesAt(period, toMs, enterprise.timeZone), load) : await load();
      // The items are JSON already (a cached page is kept as text): only the next link is the request's own.
      const next = JSON.stringify(nextLink(request.url, offset + limit, page.hasMore));
      return reply.type('application/json; charset=utf-8').send(serialised<Page<FigureView>>(`{"items":${page.itemsJson},"next":${next}}`));
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
      const { rows, next } = await readPage(request.url, RESTATEMENT_MEASUREMENT, restatementTags(enterprise.id), request.query);
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
      const { rows, next } = await readPage(request.url, ctx.readingsMeasurement, readingTags(enterprise.id, location.point.id), request.query);
      return { items: rows.map(readingView), next };
    },
  );
};
