import { randomBytes } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import {
  checkTarget, standingTargets, TARGET_BASES, TARGET_METRICS, TARGET_UNITS, targetHistory, targetSlot, toLocalTime,
  type Enterprise, type Target, type TargetHolder, type TargetIssue, type TargetRecord,
} from '@meterline/domain';
import { readTargets, writeTargets, type TargetFilter } from '@meterline/series';
import { monthsJob, queueRecomputation } from '../aggregation/recomputation.ts';
import { principalOf, readableEnterprise, targetReadingRegion, targetSettingEnterprise, targetSettingRegion } from '../auth/authenticate.ts';
import type { ApiContext } from '../context.ts';
import { ApiError, type FieldIssue } from '../errors.ts';
import { jsonBodyValidator } from '../http/body-validation.ts';
import { oneAtATime } from '../http/one-at-a-time.ts';
import { pageOf, PageQuery, slicePage } from '../http/pagination.ts';
import { AUTHENTICATED_PROBLEMS, BEARER, IdParam, problemResponses, stringEnum } from '../http/schemas.ts';
import { registryOf } from '../registry/registry-view.ts';
import { logUnreadable } from '../series/log-unreadable.ts';

/** ISO 3166-2, as enterprises and regulators' jurisdictions name regions. */
const REGION_PATTERN = '^[A-Z]{2}-[A-Z0-9]{1,3}$';
const FIRST_YEAR = 1970;
const LAST_YEAR = 2199;
const Text = (description: string) => Type.String({ minLength: 1, maxLength: 200, description });

const TargetBody = Type.Object(
  {
    year: Type.Integer({ minimum: FIRST_YEAR, maximum: LAST_YEAR, description: 'the calendar year the ceiling is for (local years of the enterprises concerned)' }),
    metric: stringEnum(TARGET_METRICS, { description: 'energy-total (tce), energy-intensity (tce per 10^4 CNY of value added), co2-total (tCO2), carbon-intensity (tCO2 per 10^4 CNY)' }),
    basis: Type.Optional(stringEnum(TARGET_BASES, { description: 'energy metrics only, and required there: electricity counted at its equivalent value (当量值) or its equal value (等价值)' })),
    value: Type.Number({
      exclusiveMinimum: 0,
      description: "the ceiling for the whole year in the metric's unit, > 0; a value beyond any real ceiling (a unit slip: kgce for tce, CNY for 10^4 CNY) is refused naming the unit",
    }),
    document: Text('the document that sets it: a provincial plan, a notice, a target agreement'),
    reason: Type.Optional(Text('why it replaces the standing target of its slot (holder, year, metric, basis)')),
  },
  {
    additionalProperties: false,
    examples: [{ year: 2026, metric: 'energy-intensity', basis: 'equivalent', value: 0.412, document: 'provincial energy-saving plan, 2026 decomposition' }],
  },
);
type TargetBody = Static<typeof TargetBody>;

const HolderView = Type.Union([
  Type.Object({ kind: Type.Literal('region'), region: Type.String() }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('enterprise'), enterpriseId: Type.String() }, { additionalProperties: false }),
]);

const TargetView = Type.Object(
  {
    id: Type.String(),
    holder: HolderView,
    year: Type.Integer(),
    metric: stringEnum(TARGET_METRICS),
    basis: Type.Optional(stringEnum(TARGET_BASES)),
    value: Type.Number(),
    unit: Type.String({ description: "the metric's unit: tce, tce/10^4 CNY, tCO2, tCO2/10^4 CNY" }),
    document: Type.String(),
    reason: Type.Optional(Type.String()),
    enteredBy: Type.String({ description: 'the API key that recorded it' }),
    enteredAt: Type.String({ description: 'server time it was recorded' }),
    supersededBy: Type.Union([Type.String(), Type.Null()], { description: 'the later target of the same slot that supersedes it; null while it stands' }),
  },
  { additionalProperties: false },
);
export type TargetView = Static<typeof TargetView>;

const RecordedView = Type.Composite([
  TargetView,
  Type.Object({
    restates: Type.Object(
      {
        enterprises: Type.Array(
          Type.Object(
            {
              enterpriseId: Type.String(),
              months: Type.Array(Type.String(), { description: 'the months (YYYY-MM) of the year that have ended in the enterprise’s time zone, January first' }),
              requested: Type.Boolean({ description: 'true: an aggregation job for them was queued; false (no Kafka, or it did not answer in time): they are recomputed by the next scheduled run that covers them, or a backfill' }),
            },
            { additionalProperties: false },
          ),
          { description: 'the enterprises the target binds (an enterprise target: it; a region target: every enterprise of the region in the registry) that have months to recompute; none before the year’s first month has ended' },
        ),
      },
      { additionalProperties: false },
    ),
  }),
]);
export type RecordedTarget = Static<typeof RecordedView>;

const RegionParams = Type.Object({ region: Type.String({ pattern: REGION_PATTERN, description: 'ISO 3166-2 subdivision', examples: ['CN-CQ'] }) });
const EnterpriseParams = Type.Object({ id: IdParam('enterprise id', 'cq-autoparts') });
const TargetId = IdParam('target id', 'tg-5b0e7d2c9a41f3e68d17');
const RegionTargetParams = Type.Object({ region: RegionParams.properties.region, targetId: TargetId });
const EnterpriseTargetParams = Type.Object({ id: EnterpriseParams.properties.id, targetId: TargetId });
const STATES = ['standing', 'superseded'] as const;
const ListQuery = Type.Object(
  {
    year: Type.Optional(Type.Integer({ minimum: FIRST_YEAR, maximum: LAST_YEAR, description: 'only targets for this year' })),
    metric: Type.Optional(stringEnum(TARGET_METRICS, { description: 'only targets of this metric' })),
    state: Type.Optional(stringEnum(STATES, { description: 'only standing targets, or only superseded ones' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);

const WRITERS = { 'x-meterline-roles': ['admin', 'regulator'] };
const READ_PROBLEMS = problemResponses(...AUTHENTICATED_PROBLEMS, 404, 503);
const WRITE_PROBLEMS = problemResponses(...AUTHENTICATED_PROBLEMS, 404, 409, 413, 415, 503);

const viewOf = ({ target, supersededBy }: TargetRecord): TargetView => ({ ...target, unit: TARGET_UNITS[target.metric], supersededBy });

/** The domain's verdict as one problem: a bad field first (400), then a reused id (409). */
function refusal(issues: readonly TargetIssue[]): ApiError {
  const invalid = issues.filter((i) => i.code === 'MTL_DOMAIN_TARGET_INVALID');
  const shown = invalid.length > 0 ? invalid : issues;
  const problems: FieldIssue[] = shown.map((i) => ({ in: 'body', pointer: `/${i.field}`, detail: i.message }));
  const detail = problems.map((p) => `body ${p.pointer}: ${p.detail}`).join('; ');
  return new ApiError(invalid.length > 0 ? 'MTL_API_VALIDATION_FAILED' : 'MTL_API_TARGET_CONFLICT', detail, { issues: problems });
}

/** An id for a new target: random, so it tells nothing of other holders' targets. */
const newTargetId = (): string => `tg-${randomBytes(10).toString('hex')}`;

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * The months of `year` that have ended at `nowMs` on the time zone's wall clock, January
 * first: what a target's progress to date is made of, so what a new target restates. None
 * while the year's January runs or before the year begins; all twelve once it is over.
 */
export function endedMonthsOf(year: number, nowMs: number, timeZone: string): string[] {
  const now = toLocalTime(nowMs, timeZone);
  const ended = now.year > year ? 12 : now.year < year ? 0 : now.month - 1;
  return Array.from({ length: ended }, (_, i) => `${year}-${pad2(i + 1)}`);
}

const filterOf = (holder: TargetHolder, year?: number): TargetFilter => ({
  ...(holder.kind === 'region' ? { region: holder.region } : { enterpriseId: holder.enterpriseId }),
  ...(year !== undefined ? { year } : {}),
});

const holderPath = (holder: TargetHolder): string => (holder.kind === 'region' ? `/v1/regions/${holder.region}` : `/v1/enterprises/${holder.enterpriseId}`);
const holderName = (holder: TargetHolder): string => (holder.kind === 'region' ? `region ${holder.region}` : `enterprise ${holder.enterpriseId}`);

/**
 * Dual-control targets of a region and of an enterprise (issue 16): entered by an admin or by
 * the regulator of the region with provenance (the API key as who, the server time as when,
 * the document from the body), listed with their history. Append-only: there is no PUT or
 * DELETE; a change is a new target of the same slot, which supersedes the standing one, and
 * the figures of the year to date are restated for every enterprise it binds.
 */
export const targetRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, ctx) => {
  // One check-and-append at a time per slot in this instance, so the same target sent twice at once is recorded once.
  const serially = oneAtATime();

  const history = async (holder: TargetHolder, year: number | undefined, log: FastifyBaseLogger) =>
    targetHistory(await readTargets(ctx.store, filterOf(holder, year), logUnreadable(log)));

  const list = async (request: FastifyRequest, holder: TargetHolder, query: Static<typeof ListQuery>) => {
    const { year, metric, state } = query;
    const records = (await history(holder, year, request.log)).filter(
      ({ target, supersededBy }) => (metric === undefined || target.metric === metric) && (state === undefined || (supersededBy === null) === (state === 'standing')),
    );
    return slicePage(records.map(viewOf), query, request.url);
  };

  const one = async (request: FastifyRequest, holder: TargetHolder, targetId: string): Promise<TargetView> => {
    const found = (await history(holder, undefined, request.log)).find((r) => r.target.id === targetId);
    if (!found) throw new ApiError('MTL_API_NOT_FOUND', `${holderName(holder)} has no target ${targetId}`);
    return viewOf(found);
  };

  /**
   * Checks and appends a target, stamped with the time it is recorded; refuses a bad field
   * (400), a reused id or a repeat of the standing target of its slot (409). The latest of a
   * slot stands, by entry time and then by id: a target recorded in the same millisecond as
   * the slot's newest (or after it on a clock behind another instance's) would stand or not by
   * the chance of its random id, so it is stamped a millisecond after the slot's newest.
   */
  const record = (draft: Omit<Target, 'enteredAt'>, log: FastifyBaseLogger): Promise<Target> =>
    serially(targetSlot(draft), async () => {
      const existing = await readTargets(ctx.store, filterOf(draft.holder), logUnreadable(log));
      const newestOfSlot = Math.max(-Infinity, ...existing.filter((t) => targetSlot(t) === targetSlot(draft)).map((t) => Date.parse(t.enteredAt)));
      const target: Target = { ...draft, enteredAt: new Date(Math.max(ctx.now(), newestOfSlot + 1)).toISOString() };
      const issues = checkTarget(target, existing);
      if (issues.length > 0) throw refusal(issues);
      const standing = standingTargets(existing).find((t) => targetSlot(t) === targetSlot(target));
      if (standing && standing.value === target.value && standing.document === target.document) {
        const detail = `the standing target ${standing.id} of this slot states ${standing.value} ${TARGET_UNITS[standing.metric]} from the same document already: a change states another value or document`;
        throw new ApiError('MTL_API_TARGET_CONFLICT', `body /value: ${detail}`, { issues: [{ in: 'body', pointer: '/value', detail }] });
      }
      await writeTargets(ctx.store, [target]);
      return target;
    });

  /** Queues the recomputation of the year's ended months for each enterprise the target binds, all at once (each bounded). */
  const restate = async (target: Target, bound: readonly Enterprise[], log: FastifyBaseLogger) => {
    const nowMs = Date.parse(target.enteredAt);
    const jobs = await Promise.all(
      bound.map(async (enterprise) => {
        const months = endedMonthsOf(target.year, nowMs, enterprise.timeZone);
        if (months.length === 0) return undefined;
        const jobId = target.holder.kind === 'region' ? `target:${target.id}:${enterprise.id}` : `target:${target.id}`;
        const requested = await queueRecomputation(ctx.aggregationJobs, () => monthsJob(enterprise, months, jobId, target.enteredAt), 'target', log);
        return { enterpriseId: enterprise.id, months, requested };
      }),
    );
    return { enterprises: jobs.filter((j) => j !== undefined) };
  };

  const enter = async (request: FastifyRequest, holder: TargetHolder, body: TargetBody, bound: readonly Enterprise[]): Promise<RecordedTarget> => {
    const target = await record({ ...body, holder, id: newTargetId(), enteredBy: principalOf(request).keyId }, request.log);
    const restates = await restate(target, bound, request.log);
    return { ...viewOf({ target, supersededBy: null }), restates };
  };

  const listSchema = <P extends typeof RegionParams | typeof EnterpriseParams>(summary: string, description: string, params: P) => ({
    summary,
    description,
    tags: ['targets'],
    security: BEARER,
    params,
    querystring: ListQuery,
    response: { 200: pageOf(TargetView), ...READ_PROBLEMS },
  });
  const POST_DESCRIPTION =
    'Body: year, metric, basis (energy metrics only, required there), value (the year’s ceiling in the metric’s unit), document, reason (optional). enteredBy is the API key’s id, enteredAt the server time (a millisecond after the slot’s newest target when that is not earlier, so the new one stands). Targets are never changed: a later target of the same slot (holder, year, metric, basis) supersedes the standing one, and the months of the year that have ended are restated for every enterprise it binds (answered in restates). 400: a field that does not fit, named; 409: the standing target of the slot states the same value and document already. Admin, and the regulator of the region.';

  app.get(
    '/v1/regions/:region/targets',
    { schema: listSchema('The dual-control targets of a region, superseded ones included', 'Oldest first. Each target says which later one supersedes it (null while it stands). Admin, the regulator of the region, and an enterprise key of an enterprise in it (it is held to them).', RegionParams) },
    async (request) => list(request, { kind: 'region', region: targetReadingRegion(request, request.params.region) }, request.query),
  );

  app.get(
    '/v1/enterprises/:id/targets',
    { schema: listSchema('The dual-control targets of one enterprise, superseded ones included', 'Oldest first. Each target says which later one supersedes it (null while it stands). Admin, the enterprise’s own key and its regulator. The targets of its region: /v1/regions/{region}/targets.', EnterpriseParams) },
    async (request) => list(request, { kind: 'enterprise', enterpriseId: readableEnterprise(request, request.params.id).id }, request.query),
  );

  app.get(
    '/v1/regions/:region/targets/:targetId',
    {
      schema: {
        summary: 'One dual-control target of a region',
        description: 'Admin, the regulator of the region, and an enterprise key of an enterprise in it.',
        tags: ['targets'],
        security: BEARER,
        params: RegionTargetParams,
        response: { 200: TargetView, ...READ_PROBLEMS },
      },
    },
    async (request) => one(request, { kind: 'region', region: targetReadingRegion(request, request.params.region) }, request.params.targetId),
  );

  app.get(
    '/v1/enterprises/:id/targets/:targetId',
    {
      schema: {
        summary: 'One dual-control target of an enterprise',
        description: 'Admin, the enterprise’s own key and its regulator.',
        tags: ['targets'],
        security: BEARER,
        params: EnterpriseTargetParams,
        response: { 200: TargetView, ...READ_PROBLEMS },
      },
    },
    async (request) => one(request, { kind: 'enterprise', enterpriseId: readableEnterprise(request, request.params.id).id }, request.params.targetId),
  );

  app.post(
    '/v1/regions/:region/targets',
    {
      config: { writes: 'targets' },
      validatorCompiler: jsonBodyValidator,
      schema: {
        summary: 'Set a dual-control target of a region, or change one',
        description: POST_DESCRIPTION,
        tags: ['targets'],
        ...WRITERS,
        security: BEARER,
        params: RegionParams,
        body: TargetBody,
        response: { 201: RecordedView, ...WRITE_PROBLEMS },
      },
    },
    async (request, reply) => {
      const region = targetSettingRegion(request, request.params.region);
      const bound = registryOf(request).manifest.enterprises.filter((e) => e.region === region);
      const recorded = await enter(request, { kind: 'region', region }, request.body, bound);
      void reply.code(201).header('location', `${holderPath(recorded.holder)}/targets/${recorded.id}`);
      return recorded;
    },
  );

  app.post(
    '/v1/enterprises/:id/targets',
    {
      config: { writes: 'targets' },
      validatorCompiler: jsonBodyValidator,
      schema: {
        summary: 'Set a dual-control target of an enterprise, or change one',
        description: POST_DESCRIPTION,
        tags: ['targets'],
        ...WRITERS,
        security: BEARER,
        params: EnterpriseParams,
        body: TargetBody,
        response: { 201: RecordedView, ...WRITE_PROBLEMS },
      },
    },
    async (request, reply) => {
      const enterprise = targetSettingEnterprise(request, request.params.id);
      const recorded = await enter(request, { kind: 'enterprise', enterpriseId: enterprise.id }, request.body, [enterprise]);
      void reply.code(201).header('location', `${holderPath(recorded.holder)}/targets/${recorded.id}`);
      return recorded;
    },
  );
};
