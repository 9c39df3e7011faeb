import { randomBytes } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger } from 'fastify';
import {
  checkManualEntry, ID_PATTERN, MANUAL_ENTRY_KINDS, manualEntryHistory, monthsBearingOn, STOCKED_FUELS,
  type Enterprise, type ManualEntry, type ManualEntryIssue, type ManualEntryRecord,
} from '@meterline/domain';
import { readManualEntries, writeManualEntries } from '@meterline/series';
import { monthsJob, queueRecomputation } from '../aggregation/recomputation.ts';
import { manualEntryEnterprise, principalOf, readableEnterprise } from '../auth/authenticate.ts';
import type { ApiContext } from '../context.ts';
import { ApiError, type ApiErrorCode } from '../errors.ts';
import { jsonBodyValidator } from '../http/body-validation.ts';
import { oneAtATime } from '../http/one-at-a-time.ts';
import { pageOf, PageQuery, slicePage } from '../http/pagination.ts';
import { AUTHENTICATED_PROBLEMS, BEARER, IdParam, problemResponses, stringEnum } from '../http/schemas.ts';
import { logUnreadable } from '../series/log-unreadable.ts';

const PERIOD_PATTERN = '^\\d{4}-\\d{2}(-\\d{2})?$';
const Text = (description: string) => Type.String({ minLength: 1, maxLength: 200, description });

const EntryBody = Type.Object(
  {
    kind: stringEnum(MANUAL_ENTRY_KINDS, { description: 'fuel-delivery, fuel-stock (closing stock at the end of the period), production, output-value, value-added, outdoor-temperature (a day’s mean, for energy baselines’ degree days)' }),
    period: Type.String({ pattern: PERIOD_PATTERN, description: "the local calendar month YYYY-MM or day YYYY-MM-DD (the enterprise's time zone) it refers to; a stock is the one at its end" }),
    site: Type.Optional(Type.String({ pattern: ID_PATTERN, description: 'a site of the enterprise; fuels need one when it has several' })),
    carrier: Type.Optional(stringEnum(STOCKED_FUELS, { description: 'fuel kinds only: the fuel' })),
    product: Type.Optional(Text('production only: the product, as the intensities name it')),
    value: Type.Number({ minimum: -90, maximum: 1e15, description: 'in unit, ≥ 0 (a correction to 0 voids an entry); an outdoor temperature: the day’s mean, −90 to 60 °C' }),
    unit: Type.String({ minLength: 1, maxLength: 32, description: 'fuels: kg or t; production: its own (t, pcs, m2); output value and value added: CNY or 10^4 CNY; outdoor temperature: °C' }),
    errorPercent: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100, description: 'maximum error in percent, like an accuracy class (u = a/√3); absent for a fuel: the figures are flagged manual-uncertainty-unknown' })),
    document: Text('the document the number comes from: delivery note, invoice, stock-take sheet, statistics form'),
    corrects: Type.Optional(Type.String({ pattern: ID_PATTERN, description: 'for a correction: the id of the entry it supersedes, the latest of its chain' })),
    reason: Type.Optional(Text('for a correction: why')),
  },
  {
    additionalProperties: false,
    examples: [{ kind: 'fuel-delivery', period: '2026-03-17', carrier: 'diesel', value: 20, unit: 't', errorPercent: 0.5, document: 'delivery note DN-0317' }],
  },
);

const EntryView = Type.Object(
  {
    id: Type.String(),
    enterpriseId: Type.String(),
    kind: stringEnum(MANUAL_ENTRY_KINDS),
    period: Type.String(),
    site: Type.Optional(Type.String()),
    carrier: Type.Optional(Type.String()),
    product: Type.Optional(Type.String()),
    value: Type.Number(),
    unit: Type.String(),
    errorPercent: Type.Optional(Type.Number()),
    document: Type.String(),
    enteredBy: Type.String({ description: 'the API key that recorded it' }),
    enteredAt: Type.String({ description: 'server time it was recorded' }),
    corrects: Type.Optional(Type.String()),
    reason: Type.Optional(Type.String()),
    supersededBy: Type.Union([Type.String(), Type.Null()], { description: 'the correction that supersedes it; null while it stands' }),
  },
  { additionalProperties: false },
);
export type ManualEntryView = Static<typeof EntryView>;

const RecordedView = Type.Composite([
  EntryView,
  Type.Object({
    restates: Type.Object(
      {
        months: Type.Array(Type.String(), { description: 'the months (YYYY-MM) whose figures the entry can change' }),
        requested: Type.Boolean({ description: 'true: an aggregation job for them was queued; false: no months to restate, or no Kafka (then they are recomputed by the next scheduled run that covers them, or a backfill)' }),
      },
      { additionalProperties: false },
    ),
  }),
]);
export type RecordedManualEntry = Static<typeof RecordedView>;

const Params = Type.Object({ id: IdParam('enterprise id', 'cq-autoparts') });
const OneParams = Type.Object({ id: Params.properties.id, entryId: IdParam('manual entry id', 'me-0f3a9c1e5b2d4f6a8c0e') });
const STATES = ['standing', 'superseded'] as const;

const WRITERS = { 'x-meterline-roles': ['admin', 'enterprise'] };
const READ_PROBLEMS = problemResponses(...AUTHENTICATED_PROBLEMS, 404, 503);
const WRITE_PROBLEMS = problemResponses(...AUTHENTICATED_PROBLEMS, 404, 409, 413, 415, 422, 503);

const viewOf = ({ entry, supersededBy }: ManualEntryRecord): ManualEntryView => ({ ...entry, supersededBy });

/** The domain's verdict as one problem: a bad field first (400), then an unknown corrected entry (422), then a conflict (409). */
function refusal(issues: readonly ManualEntryIssue[]): ApiError {
  const rank: Array<[ManualEntryIssue['code'], ApiErrorCode]> = [
    ['MTL_DOMAIN_MANUAL_ENTRY_INVALID', 'MTL_API_VALIDATION_FAILED'],
    ['MTL_DOMAIN_MANUAL_ENTRY_UNKNOWN', 'MTL_API_MANUAL_ENTRY_UNKNOWN'],
    ['MTL_DOMAIN_MANUAL_ENTRY_CONFLICT', 'MTL_API_MANUAL_ENTRY_CONFLICT'],
  ];
  const [domain, code] = rank.find(([d]) => issues.some((i) => i.code === d))!;
  const shown = issues.filter((i) => i.code === domain);
  return new ApiError(code, shown.map((i) => `body /${i.field}: ${i.message}`).join('; '), { issues: shown.map((i) => ({ in: 'body', pointer: `/${i.field}`, detail: i.message })) });
}

/** An id for a new entry: random, so it tells nothing of other enterprises' entries. */
const newEntryId = (): string => `me-${randomBytes(10).toString('hex')}`;

/**
 * Manual entries of an enterprise: recorded with provenance (the API key as who, the server
 * time as when, the document from the body), listed with their correction chains. Append-only:
 * there is no PUT or DELETE; a correction is a new entry naming the one it supersedes.
 */
export const manualEntryRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, ctx) => {
  // One check-and-append at a time per enterprise in this instance, so two requests cannot both pass the duplicate check.
  const serially = oneAtATime();

  const history = async (enterprise: Enterprise, log: FastifyBaseLogger) =>
    manualEntryHistory(await readManualEntries(ctx.store, enterprise.id, logUnreadable(log)));

  app.get(
    '/v1/enterprises/:id/manual-entries',
    {
      schema: {
        summary: 'The manual entries of one enterprise, corrections and superseded entries included',
        description: 'Oldest first. Each entry says which correction supersedes it (null while it stands). Admin, the enterprise’s own key and its regulator.',
        tags: ['manual entries'],
        security: BEARER,
        params: Params,
        querystring: Type.Object(
          {
            kind: Type.Optional(stringEnum(MANUAL_ENTRY_KINDS, { description: 'only entries of this kind' })),
            period: Type.Optional(Type.String({ pattern: PERIOD_PATTERN, description: 'only entries whose period is this month or day, or a day of this month' })),
            state: Type.Optional(stringEnum(STATES, { description: 'only standing entries, or only superseded ones' })),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(EntryView), ...READ_PROBLEMS },
      },
    },
    async (request) => {
      const enterprise = readableEnterprise(request, request.params.id);
      const { kind, period, state } = request.query;
      const records = (await history(enterprise, request.log)).filter(
        ({ entry, supersededBy }) =>
          (kind === undefined || entry.kind === kind) &&
          (period === undefined || entry.period === period || entry.period.startsWith(`${period}-`)) &&
          (state === undefined || (supersededBy === null) === (state === 'standing')),
      );
      return slicePage(records.map(viewOf), request.query, request.url);
    },
  );

  app.get(
    '/v1/enterprises/:id/manual-entries/:entryId',
    {
      schema: {
        summary: 'One manual entry',
        description: 'Admin, the enterprise’s own key and its regulator.',
        tags: ['manual entries'],
        security: BEARER,
        params: OneParams,
        response: { 200: EntryView, ...READ_PROBLEMS },
      },
    },
    async (request) => {
      const enterprise = readableEnterprise(request, request.params.id);
      const found = (await history(enterprise, request.log)).find((r) => r.entry.id === request.params.entryId);
      if (!found) throw new ApiError('MTL_API_NOT_FOUND', `enterprise ${enterprise.id} has no manual entry ${request.params.entryId}`);
      return viewOf(found);
    },
  );

  app.post(
    '/v1/enterprises/:id/manual-entries',
    {
      config: { writes: 'manual-entries' },
      validatorCompiler: jsonBodyValidator,
      schema: {
        summary: 'Record a quantity entered by hand, or correct one',
        description:
          'Fuel deliveries and stock (a fuel without a meter gets its monthly consumption from them: opening stock + deliveries − closing stock), production, output value and value added; and a day’s mean outdoor temperature from a weather station (energy baselines’ degree days: it restates nothing). enteredBy is the API key’s id, enteredAt the server time. Entries are never changed: a correction (corrects + reason) supersedes the latest entry of its chain, and the figures it changes are restated (reason MANUAL_ENTRIES_CHANGED). 400: a field that does not fit; 422: a correction of an entry the enterprise does not have; 409: the same fact stated twice (a stock, a production, a delivery document), or a correction of an entry already corrected. Admin and the enterprise’s own key.',
        tags: ['manual entries'],
        ...WRITERS,
        security: BEARER,
        params: Params,
        body: EntryBody,
        response: { 201: RecordedView, ...WRITE_PROBLEMS },
      },
    },
    async (request, reply) => {
      const enterprise = manualEntryEnterprise(request, request.params.id);
      const entry: ManualEntry = {
        ...request.body,
        id: newEntryId(),
        enterpriseId: enterprise.id,
        enteredBy: principalOf(request).keyId,
        enteredAt: new Date(ctx.now()).toISOString(),
      };
      const existing = await serially(enterprise.id, async () => {
        const before = await readManualEntries(ctx.store, enterprise.id, logUnreadable(request.log));
        const issues = checkManualEntry(entry, enterprise, before);
        if (issues.length > 0) throw refusal(issues);
        await writeManualEntries(ctx.store, [entry]);
        return before;
      });
      const months = monthsBearingOn(entry, existing.find((e) => e.id === entry.corrects));
      const requested = months.length > 0 && (await queueRecomputation(ctx.aggregationJobs, () => monthsJob(enterprise, months, `manual:${entry.id}`, entry.enteredAt), 'manual entry', request.log));
      void reply.code(201).header('location', `/v1/enterprises/${enterprise.id}/manual-entries/${entry.id}`);
      return { ...viewOf({ entry, supersededBy: null }), restates: { months, requested } };
    },
  );
};
