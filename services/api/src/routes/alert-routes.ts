import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ALERT_RULES, ALERT_SEVERITIES, type AlertV1 } from '@meterline/contracts';
import { parseInstant } from '@meterline/domain';
import { ALERT_HISTORY, alertOfHistoryRow, DELIVERY_OUTCOMES, loadAlerts, readDeliveries, readRows } from '@meterline/series';
import { readableEnterprise } from '../auth/authenticate.ts';
import type { ApiContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { decodeCursor, nextLink, pageOf, PageQuery, slicePage } from '../http/pagination.ts';
import { AUTHENTICATED_PROBLEMS, BEARER, IdParam, InstantQuery, problemResponses, stringEnum } from '../http/schemas.ts';
import { timeRange } from '../http/time-range.ts';
import { logUnreadable } from '../series/log-unreadable.ts';

const STATUSES = ['firing', 'resolved'] as const;
/** The delivery log is read whole for a range, then paged: the range is bounded. */
const MAX_DELIVERY_RANGE_DAYS = 31;

const AlertView = Type.Object(
  {
    alertId: Type.String({ description: 'this episode: from the dedup key and the instant the condition began' }),
    dedupKey: Type.String({ description: 'enterprise/rule/subject: at most one open alert per key' }),
    enterpriseId: Type.String(),
    rule: stringEnum(ALERT_RULES),
    severity: stringEnum(ALERT_SEVERITIES),
    subject: Type.Record(Type.String(), Type.String(), { description: 'what the alert is about, e.g. { site, point }' }),
    status: stringEnum(STATUSES),
    startsAt: Type.String(),
    endsAt: Type.Optional(Type.String({ description: 'set once resolved' })),
    summary: Type.String(),
    value: Type.Optional(Type.Number({ description: 'the observed value, in unit' })),
    threshold: Type.Optional(Type.Number({ description: 'the limit it crossed, in unit' })),
    unit: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type AlertView = Static<typeof AlertView>;

const DeliveryView = Type.Object(
  {
    at: Type.String({ description: 'when the attempt was made' }),
    subscriptionId: Type.String(),
    notificationId: Type.String({ description: 'the webhook idempotency key: the same on every attempt of one notification' }),
    rule: Type.String(),
    status: Type.String({ description: 'the notification’s: firing or resolved' }),
    attempt: Type.Integer({ description: '1 for the first request; 0 when given up before any request' }),
    outcome: stringEnum(DELIVERY_OUTCOMES, { description: 'delivered; retrying (another attempt follows); dead (given up, dead-lettered)' }),
    httpStatus: Type.Optional(Type.Integer({ description: 'the receiver’s answer, when there was one' })),
    error: Type.Optional(Type.String({ description: 'why it failed' })),
    durationMs: Type.Number(),
    alerts: Type.Integer({ description: 'alerts in the notification' }),
  },
  { additionalProperties: false },
);
export type DeliveryView = Static<typeof DeliveryView>;

const EnterpriseParams = Type.Object({ id: IdParam('enterprise id', 'cq-autoparts') });

const AlertsQuery = Type.Object(
  {
    status: Type.Optional(stringEnum(STATUSES, { description: 'only firing or only resolved alerts' })),
    rule: Type.Optional(stringEnum(ALERT_RULES, { description: 'only alerts of this rule' })),
    severity: Type.Optional(stringEnum(ALERT_SEVERITIES, { description: 'only alerts of this severity' })),
    from: Type.Optional(InstantQuery('only alerts still open at or after this instant (firing, or resolved after it)', '2026-03-01T00:00:00+08:00')),
    to: Type.Optional(InstantQuery('only alerts that began before this instant', '2026-04-01T00:00:00+08:00')),
    ...PageQuery,
  },
  { additionalProperties: false },
);

const Range = {
  from: InstantQuery('start of the range, inclusive', '2026-03-01T00:00:00+08:00'),
  to: InstantQuery('end of the range, exclusive', '2026-03-08T00:00:00+08:00'),
};

const iso = (ms: number): string => new Date(ms).toISOString();

const badQuery = (name: string, detail: string) => new ApiError('MTL_API_VALIDATION_FAILED', `query /${name}: ${detail}`, { issues: [{ in: 'query', pointer: `/${name}`, detail }] });

function optionalInstant(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseInstant(value);
  if (ms === undefined) throw badQuery(name, 'is not a real instant');
  return ms;
}

function viewOf(alert: AlertV1): AlertView {
  const { alertId, dedupKey, enterpriseId, rule, severity, subject, status, startsAt, endsAt, summary, value, threshold, unit } = alert;
  return {
    alertId,
    dedupKey,
    enterpriseId,
    rule,
    severity,
    subject,
    status,
    startsAt,
    ...(endsAt !== undefined ? { endsAt } : {}),
    summary,
    ...(value !== undefined ? { value } : {}),
    ...(threshold !== undefined ? { threshold } : {}),
    ...(unit !== undefined ? { unit } : {}),
  };
}

export const alertRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, ctx) => {
  app.get(
    '/v1/enterprises/:id/alerts',
    {
      schema: {
        summary: 'The alerts of one enterprise as the alerter holds them now: the latest episode of each rule and subject, firing or resolved',
        description:
          'Newest first (by startsAt, then dedupKey). `from` and `to` select alerts open at some moment in the range: an alert that began before `to` and was not resolved before `from`.',
        tags: ['alerts'],
        security: BEARER,
        params: EnterpriseParams,
        querystring: AlertsQuery,
        response: { 200: pageOf(AlertView), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 503) },
      },
    },
    async (request) => {
      const enterprise = readableEnterprise(request, request.params.id);
      const { status, rule, severity, from, to } = request.query;
      const fromMs = optionalInstant('from', from);
      const toMs = optionalInstant('to', to);
      if (fromMs !== undefined && toMs !== undefined && toMs <= fromMs) throw badQuery('to', 'must be after from');
      const { records } = await loadAlerts(ctx.store, enterprise.id, logUnreadable(request.log));
      const alerts: AlertView[] = [];
      for (const { alert: a } of records.values()) {
        if (a.enterpriseId !== enterprise.id || (status && a.status !== status) || (rule && a.rule !== rule) || (severity && a.severity !== severity)) continue;
        if (toMs !== undefined && Date.parse(a.startsAt) >= toMs) continue;
        if (fromMs !== undefined && a.endsAt !== undefined && Date.parse(a.endsAt) <= fromMs) continue;
        alerts.push(viewOf(a));
      }
      alerts.sort((a, b) => Date.parse(b.startsAt) - Date.parse(a.startsAt) || (a.dedupKey < b.dedupKey ? -1 : a.dedupKey > b.dedupKey ? 1 : 0));
      return slicePage(alerts, request.query, request.url);
    },
  );

  app.get(
    '/v1/enterprises/:id/alerts/history',
    {
      schema: {
        summary: 'Every alert episode of one enterprise that began in the range, oldest first',
        description: 'One item per episode, at its start; a resolved one carries its end.',
        tags: ['alerts'],
        security: BEARER,
        params: EnterpriseParams,
        querystring: Type.Object({ ...Range, rule: Type.Optional(stringEnum(ALERT_RULES, { description: 'only alerts of this rule' })), ...PageQuery }, { additionalProperties: false }),
        response: { 200: pageOf(AlertView), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 503) },
      },
    },
    async (request) => {
      const enterprise = readableEnterprise(request, request.params.id);
      const { fromMs, toMs } = timeRange(request.query);
      const offset = decodeCursor(request.query.cursor);
      const limit = request.query.limit ?? 100;
      const { enterprise: enterpriseTag, rule: ruleTag } = ALERT_HISTORY.tags;
      const tags: Record<string, string> = { [enterpriseTag]: enterprise.id, ...(request.query.rule ? { [ruleTag]: request.query.rule } : {}) };
      const rows = await ctx.series.page({ measurement: ALERT_HISTORY.measurement, tags, fromMs, toMs, offset, limit: limit + 1 });
      const items = readRows(ALERT_HISTORY.measurement, rows.slice(0, limit), alertOfHistoryRow, logUnreadable(request.log)).map(viewOf);
      return { items, next: nextLink(request.url, offset + limit, rows.length > limit) };
    },
  );

  app.get(
    '/v1/enterprises/:id/alert-deliveries',
    {
      schema: {
        summary: 'The webhook delivery log of one enterprise: every attempt in the range, oldest first',
        description: `Each attempt with its outcome, the receiver's HTTP status, the error and the duration. The range is at most ${MAX_DELIVERY_RANGE_DAYS} days.`,
        tags: ['alerts'],
        security: BEARER,
        params: EnterpriseParams,
        querystring: Type.Object(
          { ...Range, subscription: Type.Optional(IdParam('only attempts for this subscription', 'sub-0f3a9c1e5b2d4f6a8c0e')), ...PageQuery },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(DeliveryView), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 503) },
      },
    },
    async (request) => {
      const enterprise = readableEnterprise(request, request.params.id);
      const { fromMs, toMs } = timeRange(request.query);
      if (toMs - fromMs > MAX_DELIVERY_RANGE_DAYS * 86_400_000) throw badQuery('to', `must be at most ${MAX_DELIVERY_RANGE_DAYS} days after from`);
      const subscription = request.query.subscription;
      const attempts = await readDeliveries(ctx.store, { enterpriseId: enterprise.id, ...(subscription ? { subscriptionId: subscription } : {}), fromMs, toMs }, logUnreadable(request.log));
      const items = attempts.map((a) => ({
        at: iso(a.atMs),
        subscriptionId: a.subscriptionId,
        notificationId: a.notificationId,
        rule: a.rule,
        status: a.status,
        attempt: a.attempt,
        outcome: a.outcome,
        ...(a.httpStatus !== undefined ? { httpStatus: a.httpStatus } : {}),
        ...(a.error !== undefined ? { error: a.error } : {}),
        durationMs: a.durationMs,
        alerts: a.alerts,
      }));
      return slicePage(items, request.query, request.url);
    },
  );
};
