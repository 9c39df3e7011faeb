import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { FIGURE_KINDS } from '@meterline/contracts';
import { calendarPeriod, isWorkingDay, localDate, periodLastDay } from '@meterline/domain';
import { baseLoadByBucket } from '@meterline/mining';
import { baselineSubjectOf, FIGURE_TAGS as T, readFigureMeasures } from '@meterline/series';
import { readableEnterprise } from '../auth/authenticate.ts';
import type { ApiContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { badQuery } from '../http/month-query.ts';
import { AUTHENTICATED_PROBLEMS, BEARER, IdParam, problemResponses, stringEnum } from '../http/schemas.ts';
import { logUnreadable } from '../series/log-unreadable.ts';

const DAY_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';
/** A year and a bit of hours: 9 500 hour figures of one point, one read. */
const MAX_DAYS = 400;
const DAY_MS = 86_400_000;

const Query = Type.Object(
  {
    from: Type.String({ pattern: DAY_PATTERN, description: 'first local day', examples: ['2026-03-01'] }),
    to: Type.String({ pattern: DAY_PATTERN, description: 'last local day (inclusive)', examples: ['2026-03-31'] }),
    bucket: Type.Optional(stringEnum(['week', 'month'] as const, { description: 'what a level is the mean of (default week: weeks begin on Monday)' })),
    reference: Type.Optional(stringEnum(['first', 'previous'] as const, { description: 'a rise is judged against the first bucket (default) or the one before' })),
  },
  { additionalProperties: false },
);
type Query = Static<typeof Query>;

const Level = Type.Union([
  Type.Object(
    { value: Type.Number({ description: "mean hourly consumption, in the point's unit per hour" }), u: Type.Number({ description: 'standard uncertainty of the mean (type A, s/√N)' }), hours: Type.Integer() },
    { additionalProperties: false },
  ),
  Type.Null(),
]);

const Answer = Type.Object(
  {
    enterpriseId: Type.String(),
    pointId: Type.String(),
    unit: Type.String(),
    nightHours: Type.String({ description: 'the local hours the night level is the mean of' }),
    buckets: Type.Array(
      Type.Object(
        {
          key: Type.String({ description: "YYYY-MM, or the week's Monday" }),
          night: Level,
          nonWorkingDay: Level,
          nightRising: Type.Boolean({ description: 'above the reference by more than 2·√(u² + u_ref²)' }),
          nonWorkingDayRising: Type.Boolean(),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type BaseLoadAnswer = Static<typeof Answer>;

const NIGHT = { start: 0, end: 5 };

/**
 * Base load (issue 20): a point's night load and its load on days off, per week or month, and
 * whether each rose: the waste an energy manager finds at 3 a.m. (a compressor left running, a
 * leak) shows first in the hours nothing should run.
 */
export const baseLoadRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, ctx) => {
  app.get(
    '/v1/enterprises/:id/points/:pointId/base-load',
    {
      schema: {
        summary: "A metering point's night and non-working-day base load, and whether it rose",
        description: `From the point's hour consumption figures: the mean hourly consumption of the local hours ${NIGHT.start}:00–${NIGHT.end}:00 and of the days off (Saturdays and Sundays, or as the enterprise's registry calendar says), per week or month, each with its standard uncertainty, and whether it rose beyond twice the combined uncertainty against the first bucket (or the one before). At most ${MAX_DAYS} days. Admin, the enterprise’s own key and its regulator.`,
        tags: ['baselines'],
        security: BEARER,
        params: Type.Object({ id: IdParam('enterprise id', 'cq-autoparts'), pointId: IdParam('metering point id', 'cq-e-main') }),
        querystring: Query,
        response: { 200: Answer, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 503) },
      },
    },
    async (request): Promise<BaseLoadAnswer> => {
      const enterprise = readableEnterprise(request, request.params.id);
      const query: Query = request.query;
      for (const name of ['from', 'to'] as const) if (periodLastDay(query[name]) !== query[name]) throw badQuery(name, `${query[name]} is not a calendar day`);
      if (query.from > query.to) throw badQuery('to', `${query.to} is before ${query.from}`);
      if ((Date.parse(query.to) - Date.parse(query.from)) / DAY_MS + 1 > MAX_DAYS) throw badQuery('to', `the range spans more than ${MAX_DAYS} days`);
      const subject = baselineSubjectOf(enterprise, { point: request.params.pointId });
      if (subject?.kind !== 'point') throw new ApiError('MTL_API_NOT_FOUND', `enterprise ${enterprise.id} has no metering point ${request.params.pointId}`);
      const tz = enterprise.timeZone;
      const hours = await readFigureMeasures(
        ctx.store,
        { kind: FIGURE_KINDS.consumption, enterpriseId: enterprise.id, periodKind: 'hour', subject: { [T.point]: subject.point.id }, fromMs: calendarPeriod(query.from, tz).start, toMs: calendarPeriod(query.to, tz).end },
        logUnreadable(request.log),
      );
      const buckets = baseLoadByBucket(
        hours.map((h) => {
          return { startMs: h.startMs, energy: h.value, workingDay: isWorkingDay(localDate(h.startMs, tz), enterprise.calendar) };
        }),
        { timeZone: tz, bucket: query.bucket ?? 'week', reference: query.reference ?? 'first', nightStartHour: NIGHT.start, nightEndHour: NIGHT.end },
      );
      return { enterpriseId: enterprise.id, pointId: subject.point.id, unit: subject.unit, nightHours: `${NIGHT.start}:00–${NIGHT.end}:00`, buckets };
    },
  );
};
