import { Type, type Static, type TProperties, type TSchema } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { FIGURE_KINDS, type FigureV1 } from '@meterline/contracts';
import { calendarPeriod, PROJECTION_RULE, standingTargets, TARGET_BASES, TARGET_METRICS, TARGET_STATUSES, TARGET_UNITS, type Target, type TargetHolder } from '@meterline/domain';
import { FIGURE_DETAIL_FIELDS as D, FIGURE_TAGS as T, readFigures, readRegionTargetProgress, readTargets, type RegionTargetProgress } from '@meterline/series';
import { principalOf, readableEnterprise, targetReadingRegion } from '../auth/authenticate.ts';
import type { ApiContext } from '../context.ts';
import { badQuery, MonthQuery, YearQuery } from '../http/month-query.ts';
import { AUTHENTICATED_PROBLEMS, BEARER, IdParam, problemResponses, stringEnum } from '../http/schemas.ts';
import { logUnreadable } from '../series/log-unreadable.ts';

const ProgressQuery = Type.Object(
  {
    year: YearQuery("the targets' year"),
    asOf: Type.Optional(MonthQuery('the progress as of this month of the year (default: the latest month published); the history ends with it')),
  },
  { additionalProperties: false },
);
type ProgressQuery = Static<typeof ProgressQuery>;

const Measured = (description: string) =>
  Type.Object({ value: Type.Number(), expandedUncertainty: Type.Number({ description: 'U, k = 2 (about 95 %), in unit' }) }, { additionalProperties: false, description });

const AS_OF = Type.String({ description: 'the month (YYYY-MM, local) the progress is as of: the months of the year to it are what is counted' });
const Status = stringEnum(TARGET_STATUSES, { description: 'on-track, at-risk, exceeded (no-data: nothing counted; never published)' });

const HistoryMonth = Type.Object(
  {
    asOf: AS_OF,
    months: Type.Integer({ description: 'the months of the year counted' }),
    toDate: Measured('the value to date'),
    projection: Measured("the projection to the year's end"),
    status: Status,
  },
  { additionalProperties: false },
);

/** One target's progress as of a month, with the months of the year before it. */
const progressFields = {
  metric: stringEnum(TARGET_METRICS),
  basis: Type.Optional(stringEnum(TARGET_BASES, { description: 'energy metrics: electricity at its equivalent or its equal value' })),
  unit: Type.String({ description: "the target's unit: tce, tce/10^4 CNY, tCO2, tCO2/10^4 CNY" }),
  targetId: Type.String({ description: 'the target it was judged against' }),
  ceiling: Type.Number({ description: "the target's ceiling for the year, in unit" }),
  asOf: AS_OF,
  months: Type.Integer({ description: 'the months of the year counted (a month counts when every quantity the metric needs is known for it)' }),
  toDate: Measured('the value to date: a total summed, an intensity as the ratio of its sums'),
  projection: Measured("projected to the year's end (projectionRule)"),
  profile: Type.String({ description: 'the seasonal profile of the projection: previous-year or uniform' }),
  status: Status,
  statusRule: Type.String({ description: 'the rule that gave the status, in words' }),
  history: Type.Array(HistoryMonth, { description: 'each month of the year published up to asOf, oldest first, asOf included' }),
};

const EnterpriseProgress = Type.Object(
  {
    ...progressFields,
    revision: Type.Integer({ description: 'how often the figure was restated (0: as first published)' }),
    factorSet: Type.String({ description: 'the factor set of the as-of month’s accounting' }),
    coveragePercent: Type.Number({ description: 'energy coverage of the as-of month’s accounting, 0–100' }),
  },
  { additionalProperties: false },
);

const RegionProgress = Type.Object(
  {
    ...progressFields,
    enterprises: Type.Object(
      {
        expected: Type.Integer({ description: "how many of the region's enterprises the sum expects" }),
        missing: Type.Integer({ description: 'how many of them lacked a quantity in the as-of month: that month then counts for the region only once they publish it' }),
        expectedIds: Type.Array(Type.String(), { description: "their ids; to an enterprise key only its own (the others' are not its to read)" }),
        missingIds: Type.Array(Type.String(), { description: 'likewise, of those missing' }),
      },
      { additionalProperties: false },
    ),
    computedAt: Type.String({ description: 'when the region’s sum was last computed' }),
  },
  { additionalProperties: false },
);

const WithoutProgress = Type.Array(
  Type.Object(
    { targetId: Type.String(), metric: stringEnum(TARGET_METRICS), basis: Type.Optional(stringEnum(TARGET_BASES)), ceiling: Type.Number(), unit: Type.String() },
    { additionalProperties: false },
  ),
  { description: 'standing targets of the year with no progress published (to asOf): no month of the year counted yet' },
);

const answerOf = <P extends TSchema, H extends TProperties>(progress: P, holder: H) =>
  Type.Object(
    {
      ...holder,
      year: Type.Integer(),
      asOf: Type.Union([Type.String(), Type.Null()], { description: 'the month asked for; null: the latest published' }),
      projectionRule: Type.String({ description: 'how the projection and its uncertainty are made, in words' }),
      progress: Type.Array(progress, { description: 'one per metric and basis, by metric' }),
      withoutProgress: WithoutProgress,
      reason: Type.Union([Type.String(), Type.Null()], { description: 'why progress is empty; null when it is not' }),
    },
    { additionalProperties: false },
  );

const EnterpriseAnswer = answerOf(EnterpriseProgress, { enterpriseId: Type.String() });
const RegionAnswer = answerOf(RegionProgress, { region: Type.String() });
export type EnterpriseProgressAnswer = Static<typeof EnterpriseAnswer>;
export type RegionProgressAnswer = Static<typeof RegionAnswer>;
type EnterpriseProgress = Static<typeof EnterpriseProgress>;
type RegionProgress = Static<typeof RegionProgress>;
type HistoryMonth = Static<typeof HistoryMonth>;

/** ISO 3166-2, as target-routes.ts names regions. */
const RegionParams = Type.Object({ region: Type.String({ pattern: '^[A-Z]{2}-[A-Z0-9]{1,3}$', description: 'ISO 3166-2 subdivision', examples: ['CN-CQ'] }) });
const EnterpriseParams = Type.Object({ id: IdParam('enterprise id', 'cq-autoparts') });
const READ_PROBLEMS = problemResponses(...AUTHENTICATED_PROBLEMS, 404, 503);

/** asOf must be a month of the year asked for: a month of another year judges another year's targets. */
function checkedAsOf(query: ProgressQuery): string | undefined {
  if (query.asOf !== undefined && !query.asOf.startsWith(`${query.year}-`)) throw badQuery('asOf', `${query.asOf} is not a month of ${query.year}`);
  return query.asOf;
}

const num = (f: FigureV1, k: string): number | undefined => (typeof f.detail[k] === 'number' ? f.detail[k] : undefined);
const str = (f: FigureV1, k: string): string | undefined => (typeof f.detail[k] === 'string' ? f.detail[k] : undefined);
const isStatus = (s: string | undefined): s is HistoryMonth['status'] => (TARGET_STATUSES as readonly string[]).includes(s ?? '');
const isMetric = (s: string | undefined): s is EnterpriseProgress['metric'] => (TARGET_METRICS as readonly string[]).includes(s ?? '');
const isBasis = (s: string | undefined): s is NonNullable<EnterpriseProgress['basis']> => (TARGET_BASES as readonly string[]).includes(s ?? '');

/** `tg-…@48500` (the figure's judged_against): the target's id is what precedes the last @. */
const targetIdOf = (judgedAgainst: string): string => judgedAgainst.slice(0, Math.max(0, judgedAgainst.lastIndexOf('@')));

const slotOf = (metric: string, basis: string | undefined): string => `${metric}|${basis ?? ''}`;

/** Items grouped by their slot (metric, basis), each group oldest first. */
function bySlot<X>(items: readonly X[], slot: (x: X) => string, month: (x: X) => string): Map<string, X[]> {
  const groups = new Map<string, X[]>();
  for (const x of items) groups.set(slot(x), [...(groups.get(slot(x)) ?? []), x]);
  for (const group of groups.values()) group.sort((a, b) => month(a).localeCompare(month(b)));
  return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
}

/** One progress figure as a month of the history; undefined when it lacks what every progress figure has (then it is left out, and logged). */
function historyMonthOf(f: FigureV1): HistoryMonth | undefined {
  const toDate = num(f, D.toDate);
  const toDateU = num(f, D.toDateExpandedU);
  const months = num(f, D.months);
  const status = str(f, D.verdict);
  if (toDate === undefined || toDateU === undefined || months === undefined || !isStatus(status)) return undefined;
  return { asOf: f.periodKey, months, toDate: { value: toDate, expandedUncertainty: toDateU }, projection: { value: f.value, expandedUncertainty: f.expandedUncertainty }, status };
}

function enterpriseProgressOf(history: readonly FigureV1[]): EnterpriseProgress | undefined {
  const latest = history.at(-1)!;
  const metric = latest.subject[T.metric];
  const basis = latest.subject[T.basis];
  const month = historyMonthOf(latest);
  const ceiling = num(latest, D.ceiling);
  const judgedAgainst = str(latest, D.judgedAgainst);
  if (!month || !isMetric(metric) || (basis !== undefined && !isBasis(basis)) || ceiling === undefined || judgedAgainst === undefined) return undefined;
  return {
    metric,
    ...(basis === undefined ? {} : { basis }),
    unit: latest.unit,
    targetId: targetIdOf(judgedAgainst),
    ceiling,
    ...month,
    profile: str(latest, D.profile) ?? '',
    statusRule: str(latest, D.statusRule) ?? '',
    history: history.map(historyMonthOf).filter((m): m is HistoryMonth => m !== undefined),
    revision: latest.revision,
    factorSet: latest.factorSet,
    coveragePercent: latest.coveragePercent,
  };
}

function regionProgressOf(history: readonly RegionTargetProgress[], ownOnly: string | undefined): RegionProgress | undefined {
  const p = history.at(-1)!;
  if (!isMetric(p.metric) || (p.basis !== undefined && !isBasis(p.basis)) || !isStatus(p.status)) return undefined;
  const shown = (ids: readonly string[]) => (ownOnly === undefined ? [...ids] : ids.filter((id) => id === ownOnly));
  const monthOf = (x: RegionTargetProgress): HistoryMonth | undefined =>
    isStatus(x.status)
      ? { asOf: x.asOf, months: x.months, toDate: { value: x.toDate, expandedUncertainty: x.toDateExpandedU }, projection: { value: x.projection, expandedUncertainty: x.projectionExpandedU }, status: x.status }
      : undefined;
  return {
    metric: p.metric,
    ...(p.basis === undefined ? {} : { basis: p.basis }),
    unit: p.unit,
    targetId: p.targetId,
    ceiling: p.ceiling,
    ...monthOf(p)!,
    profile: p.profile,
    statusRule: p.statusRule,
    history: history.map(monthOf).filter((m): m is HistoryMonth => m !== undefined),
    enterprises: { expected: p.enterprises.length, missing: p.missing.length, expectedIds: shown(p.enterprises), missingIds: shown(p.missing) },
    computedAt: p.computedAt,
  };
}

/** The standing targets of the year whose slot has no progress. */
const withoutProgress = (targets: readonly Target[], year: number, published: ReadonlySet<string>) =>
  standingTargets(targets)
    .filter((t) => t.year === year && !published.has(slotOf(t.metric, t.basis)))
    .map((t) => ({ targetId: t.id, metric: t.metric, ...(t.basis === undefined ? {} : { basis: t.basis }), ceiling: t.value, unit: TARGET_UNITS[t.metric] }));

function reasonOf(holderName: string, holderPath: string, year: number, asOf: string | undefined, progress: number, standing: number): string | null {
  if (progress > 0) return null;
  if (standing === 0) return `${holderName} has no standing dual-control target for ${year} (${holderPath}/targets)`;
  return `no progress on ${holderName}'s targets for ${year} is published${asOf === undefined ? '' : ` up to ${asOf}`}: no month of the year has been accounted yet, or none has every quantity its metric needs`;
}

/**
 * Progress on dual-control targets (issue 16): as of a month, each target's value to date and
 * its projection to the year's end, both with their expanded uncertainty U (k = 2), the status
 * and the rule that gave it, and the months of the year before. An enterprise's from its
 * target_progress figures; a region's from the region series, the sum of its enterprises.
 */
export const targetProgressRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, ctx) => {
  const targetsOf = (request: FastifyRequest, holder: TargetHolder, year: number) =>
    readTargets(ctx.store, { ...(holder.kind === 'region' ? { region: holder.region } : { enterpriseId: holder.enterpriseId }), year }, logUnreadable(request.log));

  app.get(
    '/v1/enterprises/:id/targets/progress',
    {
      schema: {
        summary: "An enterprise's progress on its dual-control targets",
        description:
          'For each of its targets of the year (metric and basis), as of the latest month published or asOf: the value to date ± U, the projection to the year’s end ± U, the ceiling, the status and its rule, the seasonal profile, the months counted, the revision, and the history of the year to that month. Empty, with a reason, when nothing is published. Admin, the enterprise’s own key and its regulator.',
        tags: ['targets'],
        security: BEARER,
        params: EnterpriseParams,
        querystring: ProgressQuery,
        response: { 200: EnterpriseAnswer, ...READ_PROBLEMS },
      },
    },
    async (request): Promise<EnterpriseProgressAnswer> => {
      const enterprise = readableEnterprise(request, request.params.id);
      const { year } = request.query;
      const asOf = checkedAsOf(request.query);
      const figures = await readFigures(ctx.store, enterprise.id, calendarPeriod(String(year), enterprise.timeZone), ['month'], [FIGURE_KINDS.targetProgress]);
      const upToAsOf = figures.filter((f) => f.periodKey.startsWith(`${year}-`) && (asOf === undefined || f.periodKey <= asOf));
      const progress: EnterpriseProgress[] = [];
      for (const history of bySlot(upToAsOf, (f) => slotOf(f.subject[T.metric] ?? '', f.subject[T.basis]), (f) => f.periodKey).values()) {
        const p = enterpriseProgressOf(history);
        if (p) progress.push(p);
        else request.log.warn({ enterpriseId: enterprise.id, subject: history.at(-1)!.subject, periodKey: history.at(-1)!.periodKey }, 'a target progress figure lacks its detail: left out');
      }
      const targets = await targetsOf(request, { kind: 'enterprise', enterpriseId: enterprise.id }, year);
      const published = new Set(progress.map((p) => slotOf(p.metric, p.basis)));
      const standing = standingTargets(targets).filter((t) => t.year === year).length;
      return {
        enterpriseId: enterprise.id,
        year,
        asOf: asOf ?? null,
        projectionRule: PROJECTION_RULE,
        progress,
        withoutProgress: withoutProgress(targets, year, published),
        reason: reasonOf(`enterprise ${enterprise.id}`, `/v1/enterprises/${enterprise.id}`, year, asOf, progress.length, standing),
      };
    },
  );

  app.get(
    '/v1/regions/:region/targets/progress',
    {
      schema: {
        summary: "A region's progress on its dual-control targets",
        description:
          'For each of the region’s targets of the year, the sum of its enterprises as of the latest month published or asOf: the value to date ± U, the projection ± U, the ceiling, the status and its rule, the months counted, the history of the year to that month, and the enterprises the sum expects and those missing in the as-of month (an enterprise key sees only its own id there). Empty, with a reason, when nothing is published. Admin, the regulator of the region, and an enterprise key of an enterprise in it.',
        tags: ['targets'],
        security: BEARER,
        params: RegionParams,
        querystring: ProgressQuery,
        response: { 200: RegionAnswer, ...READ_PROBLEMS },
      },
    },
    async (request): Promise<RegionProgressAnswer> => {
      const region = targetReadingRegion(request, request.params.region);
      const { year } = request.query;
      const asOf = checkedAsOf(request.query);
      // The series is stamped at each month's local start: a day either side of the UTC year holds every time zone's.
      const fromMs = Date.UTC(year, 0, 1) - 86_400_000;
      const toMs = Date.UTC(year + 1, 0, 1) + 86_400_000;
      const points = (await readRegionTargetProgress(ctx.store, region, fromMs, toMs, logUnreadable(request.log))).filter(
        (p) => p.year === year && p.asOf.startsWith(`${year}-`) && (asOf === undefined || p.asOf <= asOf),
      );
      const principal = principalOf(request);
      const ownOnly = principal.role === 'enterprise' ? principal.enterpriseId : undefined;
      const progress: RegionProgress[] = [];
      for (const history of bySlot(points, (p) => slotOf(p.metric, p.basis), (p) => p.asOf).values()) {
        const p = regionProgressOf(history, ownOnly);
        if (p) progress.push(p);
        else request.log.warn({ region, metric: history.at(-1)!.metric, asOf: history.at(-1)!.asOf }, 'a region target progress point names no known metric, basis or status: left out');
      }
      const targets = await targetsOf(request, { kind: 'region', region }, year);
      const published = new Set(progress.map((p) => slotOf(p.metric, p.basis)));
      const standing = standingTargets(targets).filter((t) => t.year === year).length;
      return {
        region,
        year,
        asOf: asOf ?? null,
        projectionRule: PROJECTION_RULE,
        progress,
        withoutProgress: withoutProgress(targets, year, published),
        reason: reasonOf(`region ${region}`, `/v1/regions/${region}`, year, asOf, progress.length, standing),
      };
    },
  );
};
