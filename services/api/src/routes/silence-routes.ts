import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ALERT_RULES, alertingChangeKey, type AlertingChangeV1 } from '@meterline/contracts';
import { INSTANT_PATTERN, parseInstant } from '@meterline/domain';
import { alertingEnterprise, principalOf, readableEnterprise } from '../auth/authenticate.ts';
import type { ApiContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { bodyIssue, committed, directoryOf, iso, newId } from '../alerting/alerting-routes-kit.ts';
import { jsonBodyValidator } from '../http/body-validation.ts';
import { pageOf, PageQuery, slicePage } from '../http/pagination.ts';
import { AUTHENTICATED_PROBLEMS, BEARER, IdParam, problemResponses, stringEnum } from '../http/schemas.ts';

type SilenceChange = Extract<AlertingChangeV1, { kind: 'silence' }>;

const STATES = ['active', 'expired'] as const;

const Subject = Type.Record(Type.String({ pattern: '^[a-z][a-z_]{0,63}$' }), Type.String({ minLength: 1, maxLength: 256 }), {
  maxProperties: 16,
  additionalProperties: false,
  description: 'only alerts whose subject has all these members, e.g. { "point": "cq-e-main" }; absent: any subject',
});

const CreateBody = Type.Object(
  {
    rules: Type.Optional(Type.Array(stringEnum(ALERT_RULES), { minItems: 1, uniqueItems: true, description: 'only alerts of these rules; absent: all' })),
    subject: Type.Optional(Subject),
    endsAt: Type.String({ pattern: INSTANT_PATTERN, description: 'when the silence ends: an instant with offset, in the future' }),
    comment: Type.String({ minLength: 1, maxLength: 1_000, description: 'why' }),
  },
  {
    additionalProperties: false,
    examples: [{ rules: ['meter-offline'], subject: { point: 'cq-e-main' }, endsAt: '2036-01-01T00:00:00+08:00', comment: 'incomer replaced: the meter is off during the works' }],
  },
);

const SilenceView = Type.Object(
  {
    id: Type.String(),
    enterpriseId: Type.String(),
    rules: Type.Optional(Type.Array(Type.String(), { description: 'absent: all rules' })),
    subject: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'absent: any subject' })),
    endsAt: Type.String(),
    comment: Type.String(),
    createdBy: Type.String({ description: 'the API key that made it' }),
    createdAt: Type.String(),
    active: Type.Boolean({ description: 'false once endsAt has passed (or it was expired)' }),
    updatedAt: Type.String(),
    updatedBy: Type.String({ description: 'the API key that made the last change (who expired it)' }),
  },
  { additionalProperties: false },
);
export type SilenceView = Static<typeof SilenceView>;

const Params = Type.Object({ id: IdParam('enterprise id', 'cq-autoparts') });
const OneParams = Type.Object({ id: Params.properties.id, silenceId: IdParam('silence id', 'sil-0f3a9c1e5b2d4f6a8c0e') });

/** Who may call an operation (OpenAPI extension; absent: every role, in its scope). */
const WRITERS = { 'x-meterline-roles': ['admin', 'enterprise'] };

const READ_PROBLEMS = problemResponses(...AUTHENTICATED_PROBLEMS, 404, 503);
const WRITE_PROBLEMS = problemResponses(...AUTHENTICATED_PROBLEMS, 404, 413, 415, 503);

export const silenceRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, ctx) => {
  const isActive = (change: SilenceChange) => Date.parse(change.silence.endsAt) > ctx.now();
  const viewOf = (change: SilenceChange): SilenceView => {
    const s = change.silence;
    return {
      id: s.id,
      enterpriseId: s.enterpriseId,
      ...(s.rules ? { rules: [...s.rules] } : {}),
      ...(s.subject ? { subject: s.subject } : {}),
      endsAt: s.endsAt,
      comment: s.comment,
      createdBy: s.createdBy,
      createdAt: s.createdAt,
      active: isActive(change),
      updatedAt: change.changedAt,
      updatedBy: change.changedBy,
    };
  };
  const existing = async (enterpriseId: string, id: string): Promise<SilenceChange> => {
    const found = await directoryOf(ctx).silence(enterpriseId, id);
    if (!found) throw new ApiError('MTL_API_NOT_FOUND', `enterprise ${enterpriseId} has no silence ${id}`);
    return found;
  };

  app.get(
    '/v1/enterprises/:id/silences',
    {
      schema: {
        summary: 'The silences of one enterprise made through the API, active and expired',
        description: 'Oldest first. Silences in the alerter’s alerting file are not listed. Admin, the enterprise’s own key and its regulator (read only).',
        tags: ['silences'],
        security: BEARER,
        params: Params,
        querystring: Type.Object({ state: Type.Optional(stringEnum(STATES, { description: 'only active or only expired silences' })), ...PageQuery }, { additionalProperties: false }),
        response: { 200: pageOf(SilenceView), ...READ_PROBLEMS },
      },
    },
    async (request) => {
      const enterprise = readableEnterprise(request, request.params.id);
      const { state } = request.query;
      const silences = (await directoryOf(ctx).silences(enterprise.id)).filter((s) => state === undefined || isActive(s) === (state === 'active'));
      return slicePage(silences.map(viewOf), request.query, request.url);
    },
  );

  app.get(
    '/v1/enterprises/:id/silences/:silenceId',
    {
      schema: {
        summary: 'One silence',
        description: 'Admin, the enterprise’s own key and its regulator (read only).',
        tags: ['silences'],
        security: BEARER,
        params: OneParams,
        response: { 200: SilenceView, ...READ_PROBLEMS },
      },
    },
    async (request) => {
      const enterprise = readableEnterprise(request, request.params.id);
      return viewOf(await existing(enterprise.id, request.params.silenceId));
    },
  );

  app.post(
    '/v1/enterprises/:id/silences',
    {
      config: { writes: 'alerting' },
      validatorCompiler: jsonBodyValidator,
      schema: {
        summary: 'Silence alerts of the enterprise until endsAt: they are kept, not notified',
        description:
          'An alert that opens or closes while silenced is not sent; one still open when the silence ends is sent then. createdBy is the API key’s id. Admin and the enterprise’s own key.',
        tags: ['silences'],
        ...WRITERS,
        security: BEARER,
        params: Params,
        body: CreateBody,
        response: { 201: SilenceView, ...WRITE_PROBLEMS },
      },
    },
    async (request, reply) => {
      const enterprise = alertingEnterprise(request, request.params.id);
      const directory = directoryOf(ctx);
      const endsAtMs = parseInstant(request.body.endsAt);
      if (endsAtMs === undefined) throw bodyIssue('/endsAt', 'is not a real instant');
      if (endsAtMs <= ctx.now()) throw bodyIssue('/endsAt', 'must be in the future');
      const id = newId('sil');
      const by = principalOf(request).keyId;
      const at = iso(ctx.now());
      const { rules, subject, endsAt, comment } = request.body;
      const made: SilenceChange = {
        v: 1,
        kind: 'silence',
        silence: { id, enterpriseId: enterprise.id, ...(rules ? { rules } : {}), ...(subject ? { subject } : {}), endsAt, comment, createdBy: by, createdAt: at },
        changedAt: at,
        changedBy: by,
      };
      await committed(request, directory.put(made), alertingChangeKey('silence', id));
      return reply.status(201).header('location', `/v1/enterprises/${enterprise.id}/silences/${id}`).send(viewOf(made));
    },
  );

  app.delete(
    '/v1/enterprises/:id/silences/:silenceId',
    {
      config: { writes: 'alerting' },
      validatorCompiler: jsonBodyValidator,
      schema: {
        summary: 'Expire a silence now (it stays listed, as expired); alerts still open are sent at the alerter’s next tick',
        description: 'Expiring an expired silence changes nothing. Admin and the enterprise’s own key.',
        tags: ['silences'],
        ...WRITERS,
        security: BEARER,
        params: OneParams,
        response: { 204: Type.Null({ description: 'expired' }), ...WRITE_PROBLEMS },
      },
    },
    async (request, reply) => {
      const enterprise = alertingEnterprise(request, request.params.id);
      const directory = directoryOf(ctx);
      const key = alertingChangeKey('silence', request.params.silenceId);
      await directory.exclusive(key, async () => {
        const current = await existing(enterprise.id, request.params.silenceId);
        if (!isActive(current)) return;
        const at = iso(ctx.now());
        await committed(request, directory.put({ ...current, silence: { ...current.silence, endsAt: at }, changedAt: at, changedBy: principalOf(request).keyId }), key);
      });
      return reply.status(204).send(null);
    },
  );
};
