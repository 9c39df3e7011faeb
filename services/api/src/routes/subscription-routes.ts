import { randomBytes } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { ALERT_RULES, ALERT_SEVERITIES, alertingChangeKey, SUBSCRIPTION_DEFAULTS, type AlertingChangeV1, type AlertingSubscriptionV1 } from '@meterline/contracts';
import { alertingEnterprise, principalOf } from '../auth/authenticate.ts';
import type { ApiContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { bodyIssue, committed, directoryOf, iso, newId } from '../alerting/alerting-routes-kit.ts';
import { webhookUrlProblem } from '../alerting/webhook-url.ts';
import { jsonBodyValidator } from '../http/body-validation.ts';
import { pageOf, PageQuery, slicePage } from '../http/pagination.ts';
import { AUTHENTICATED_PROBLEMS, BEARER, IdParam, problemResponses, stringEnum } from '../http/schemas.ts';

type SubscriptionChange = Extract<AlertingChangeV1, { kind: 'subscription' }>;

const FORMATS = ['meterline', 'alertmanager'] as const;
/** 32 random bytes, base64url: 43 characters. */
const newSecret = (): string => randomBytes(32).toString('base64url');

const withDefault = <T extends readonly string[]>(values: T, fallback: T[number], description: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], default: fallback, description });

/** What a client sets of a subscription (the secret apart): the same on create and replace. */
const Settings = {
  url: Type.String({ pattern: '^https?://\\S+$', maxLength: 2048, description: 'where the webhooks are posted (http or https; no user or password in it)' }),
  format: Type.Optional(withDefault(FORMATS, SUBSCRIPTION_DEFAULTS.format, 'the body: meterline (WebhookBodyV1) or alertmanager (Alertmanager webhook version 4)')),
  rules: Type.Optional(Type.Array(stringEnum(ALERT_RULES), { minItems: 1, uniqueItems: true, description: 'only alerts of these rules; absent: all' })),
  minSeverity: Type.Optional(withDefault(ALERT_SEVERITIES, SUBSCRIPTION_DEFAULTS.minSeverity, 'only alerts of at least this severity')),
  rateLimit: Type.Optional(
    Type.Object(
      {
        perMinute: Type.Number({ exclusiveMinimum: 0, maximum: 6_000, description: 'requests per minute, refilled continuously' }),
        burst: Type.Integer({ minimum: 1, maximum: 1_000, description: 'requests at once' }),
      },
      { additionalProperties: false, default: SUBSCRIPTION_DEFAULTS.rateLimit, description: 'token bucket of the requests to this URL' },
    ),
  ),
};

const EXAMPLE = { url: 'https://hooks.example.com/meterline', format: 'meterline', rules: ['meter-offline', 'budget-overrun'], minSeverity: 'warning' };

const CreateBody = Type.Object(
  {
    ...Settings,
    secret: Type.Optional(
      Type.String({ minLength: 32, maxLength: 256, pattern: '^[\\x21-\\x7e]+$', description: 'the HMAC key, if you bring your own (32 to 256 printable ASCII characters); absent: the API makes one' }),
    ),
  },
  { additionalProperties: false, examples: [EXAMPLE] },
);
const ReplaceBody = Type.Object(Settings, { additionalProperties: false, examples: [EXAMPLE] });

const SubscriptionView = Type.Object(
  {
    id: Type.String(),
    enterpriseId: Type.String(),
    url: Type.String(),
    format: stringEnum(FORMATS),
    rules: Type.Optional(Type.Array(Type.String(), { description: 'absent: all rules' })),
    minSeverity: stringEnum(ALERT_SEVERITIES),
    rateLimit: Type.Object({ perMinute: Type.Number(), burst: Type.Integer() }),
    secretSet: Type.Boolean({ description: 'always true: the secret is shown once, when it is made, and never again' }),
    previousSecretSet: Type.Boolean({ description: 'while true the webhooks are signed with the previous secret too (after rotate-secret)' }),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    updatedBy: Type.String({ description: 'the API key that made the last change' }),
  },
  { additionalProperties: false },
);
export type SubscriptionView = Static<typeof SubscriptionView>;
const WithSecret = Type.Composite([SubscriptionView, Type.Object({ secret: Type.String({ description: 'the HMAC key: shown this once, keep it' }) })], { additionalProperties: false });
export type SubscriptionWithSecret = Static<typeof WithSecret>;

const viewOf = (change: SubscriptionChange): SubscriptionView => {
  const s = change.subscription;
  return {
    id: s.id,
    enterpriseId: s.enterpriseId,
    url: s.url,
    format: s.format,
    ...(s.rules ? { rules: [...s.rules] } : {}),
    minSeverity: s.minSeverity,
    rateLimit: s.rateLimit,
    secretSet: true,
    previousSecretSet: s.previousSecret !== undefined,
    createdAt: s.createdAt,
    updatedAt: change.changedAt,
    updatedBy: change.changedBy,
  };
};

const Params = Type.Object({ id: IdParam('enterprise id', 'cq-autoparts') });
const OneParams = Type.Object({ id: Params.properties.id, subId: IdParam('subscription id', 'sub-0f3a9c1e5b2d4f6a8c0e') });

const READ_PROBLEMS = problemResponses(...AUTHENTICATED_PROBLEMS, 404, 503);
const WRITE_PROBLEMS = problemResponses(...AUTHENTICATED_PROBLEMS, 404, 413, 415, 503);
const WHO = 'Admin, and the enterprise’s own key; not regulators (a webhook URL is often a credential itself).';
/** Who may call an operation (OpenAPI extension; absent: every role, in its scope). */
const ROLES = { 'x-meterline-roles': ['admin', 'enterprise'] };

export const subscriptionRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, ctx) => {
  const change = (request: FastifyRequest, subscription: AlertingSubscriptionV1): SubscriptionChange => ({
    v: 1,
    kind: 'subscription',
    subscription,
    changedAt: iso(ctx.now()),
    changedBy: principalOf(request).keyId,
  });
  const checkedUrl = (request: FastifyRequest, url: string): string => {
    const problem = webhookUrlProblem(url, principalOf(request).role !== 'admin');
    if (problem) throw bodyIssue('/url', problem);
    return url;
  };
  /** The enterprise's subscription, or 404 (also for another enterprise's id). */
  const existing = async (enterpriseId: string, id: string): Promise<SubscriptionChange> => {
    const found = await directoryOf(ctx).subscription(enterpriseId, id);
    if (!found) throw new ApiError('MTL_API_NOT_FOUND', `enterprise ${enterpriseId} has no subscription ${id}`);
    return found;
  };
  /**
   * Runs `edit` on the path's subscription while no other change of it runs; `edit` gets the
   * stored change and a way to store the next one (answered once the API has read it back).
   */
  const editing = <T>(
    request: FastifyRequest,
    params: { id: string; subId: string },
    edit: (current: SubscriptionChange, store: (next: SubscriptionChange | null) => Promise<void>) => Promise<T>,
  ): Promise<T> => {
    const enterprise = alertingEnterprise(request, params.id);
    const directory = directoryOf(ctx);
    const key = alertingChangeKey('subscription', params.subId);
    return directory.exclusive(key, async () => {
      const current = await existing(enterprise.id, params.subId);
      return edit(current, (next) => committed(request, next ? directory.put(next) : directory.remove('subscription', params.subId), key));
    });
  };
  const settingsOf = (body: Omit<Static<typeof ReplaceBody>, 'url'>) => ({
    format: body.format ?? SUBSCRIPTION_DEFAULTS.format,
    ...(body.rules ? { rules: body.rules } : {}),
    minSeverity: body.minSeverity ?? SUBSCRIPTION_DEFAULTS.minSeverity,
    rateLimit: body.rateLimit ?? { ...SUBSCRIPTION_DEFAULTS.rateLimit },
  });

  app.get(
    '/v1/enterprises/:id/alert-subscriptions',
    {
      schema: {
        summary: 'The webhook subscriptions of one enterprise made through the API (secrets never shown)',
        description: `Oldest first. Subscriptions in the alerter's alerting file are not listed. ${WHO}`,
        tags: ['alert subscriptions'],
        ...ROLES,
        security: BEARER,
        params: Params,
        querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
        response: { 200: pageOf(SubscriptionView), ...READ_PROBLEMS },
      },
    },
    async (request) => {
      const enterprise = alertingEnterprise(request, request.params.id);
      return slicePage((await directoryOf(ctx).subscriptions(enterprise.id)).map(viewOf), request.query, request.url);
    },
  );

  app.post(
    '/v1/enterprises/:id/alert-subscriptions',
    {
      config: { writes: 'alerting' },
      validatorCompiler: jsonBodyValidator,
      schema: {
        summary: 'Subscribe a webhook to the enterprise’s alerts; the answer shows the secret, this once',
        description: `The API makes the id and, unless given, the secret (32 random bytes, base64url). Tenant keys may not name localhost or an internal address. ${WHO}`,
        tags: ['alert subscriptions'],
        ...ROLES,
        security: BEARER,
        params: Params,
        body: CreateBody,
        response: { 201: WithSecret, ...WRITE_PROBLEMS },
      },
    },
    async (request, reply) => {
      const enterprise = alertingEnterprise(request, request.params.id);
      const directory = directoryOf(ctx);
      const { secret, url, ...settings } = request.body;
      const id = newId('sub');
      const made = change(request, {
        id,
        enterpriseId: enterprise.id,
        url: checkedUrl(request, url),
        secret: secret ?? newSecret(),
        ...settingsOf(settings),
        createdAt: iso(ctx.now()),
      });
      await committed(request, directory.put(made), alertingChangeKey('subscription', id));
      return reply
        .status(201)
        .header('location', `/v1/enterprises/${enterprise.id}/alert-subscriptions/${id}`)
        .send({ ...viewOf(made), secret: made.subscription.secret });
    },
  );

  app.get(
    '/v1/enterprises/:id/alert-subscriptions/:subId',
    {
      schema: { summary: 'One webhook subscription (its secret never shown)', description: WHO, tags: ['alert subscriptions'], ...ROLES, security: BEARER, params: OneParams, response: { 200: SubscriptionView, ...READ_PROBLEMS } },
    },
    async (request) => {
      const enterprise = alertingEnterprise(request, request.params.id);
      return viewOf(await existing(enterprise.id, request.params.subId));
    },
  );

  app.put(
    '/v1/enterprises/:id/alert-subscriptions/:subId',
    {
      config: { writes: 'alerting' },
      validatorCompiler: jsonBodyValidator,
      schema: {
        summary: 'Replace a subscription’s settings (URL, format, rules, severity, rate limit); its secrets stay',
        description: `Settings left out take their defaults. ${WHO}`,
        tags: ['alert subscriptions'],
        ...ROLES,
        security: BEARER,
        params: OneParams,
        body: ReplaceBody,
        response: { 200: SubscriptionView, ...WRITE_PROBLEMS },
      },
    },
    async (request) =>
      editing(request, request.params, async ({ subscription: s }, store) => {
        const url = checkedUrl(request, request.body.url);
        const replaced = change(request, {
          id: s.id,
          enterpriseId: s.enterpriseId,
          url,
          secret: s.secret,
          ...(s.previousSecret !== undefined ? { previousSecret: s.previousSecret } : {}),
          ...settingsOf(request.body),
          createdAt: s.createdAt,
        });
        await store(replaced);
        return viewOf(replaced);
      }),
  );

  app.delete(
    '/v1/enterprises/:id/alert-subscriptions/:subId',
    {
      config: { writes: 'alerting' },
      validatorCompiler: jsonBodyValidator,
      schema: {
        summary: 'Unsubscribe: no more webhooks to it (notifications already issued are not delivered either)',
        description: WHO,
        tags: ['alert subscriptions'],
        ...ROLES,
        security: BEARER,
        params: OneParams,
        response: { 204: Type.Null({ description: 'deleted' }), ...WRITE_PROBLEMS },
      },
    },
    async (request, reply) => {
      await editing(request, request.params, (_current, store) => store(null));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/enterprises/:id/alert-subscriptions/:subId/rotate-secret',
    {
      config: { writes: 'alerting' },
      validatorCompiler: jsonBodyValidator,
      schema: {
        summary: 'Make a new secret; the current one signs too until the previous secret is dropped',
        description: `The answer shows the new secret, this once. Webhooks carry both signatures (v1=<new>,v1=<previous>) until DELETE …/previous-secret. ${WHO}`,
        tags: ['alert subscriptions'],
        ...ROLES,
        security: BEARER,
        params: OneParams,
        response: { 200: WithSecret, ...WRITE_PROBLEMS },
      },
    },
    async (request) =>
      editing(request, request.params, async ({ subscription: s }, store) => {
        const rotated = change(request, { ...s, secret: newSecret(), previousSecret: s.secret });
        await store(rotated);
        return { ...viewOf(rotated), secret: rotated.subscription.secret };
      }),
  );

  app.delete(
    '/v1/enterprises/:id/alert-subscriptions/:subId/previous-secret',
    {
      config: { writes: 'alerting' },
      validatorCompiler: jsonBodyValidator,
      schema: {
        summary: 'End a rotation: webhooks are signed with the current secret only',
        description: WHO,
        tags: ['alert subscriptions'],
        ...ROLES,
        security: BEARER,
        params: OneParams,
        response: { 200: SubscriptionView, ...WRITE_PROBLEMS },
      },
    },
    async (request) =>
      editing(request, request.params, async (current, store) => {
        if (current.subscription.previousSecret === undefined) return viewOf(current);
        const { previousSecret: _dropped, ...rest } = current.subscription;
        const ended = change(request, rest);
        await store(ended);
        return viewOf(ended);
      }),
  );
};
