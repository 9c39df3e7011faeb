import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf, registryEnterprise } from '../auth/authenticate.ts';
import type { ApiContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { jsonBodyValidator } from '../http/body-validation.ts';
import { AUTHENTICATED_PROBLEMS, BEARER, IdParam, problemResponses } from '../http/schemas.ts';
import { RegistryConflictError } from '../registry/registry-uploads.ts';
import { conflictProblem, uploadsOf } from './registry-routes.ts';

const FactorSetRef = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' }),
    version: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$' }),
  },
  { additionalProperties: false, description: 'a factor set of GET /v1/factor-sets, shipped or custom', examples: [{ name: 'cn-2022', version: '1.0.0' }] },
);

const PinResult = Type.Object(
  {
    enterpriseId: Type.String(),
    factorSet: Type.Object({ name: Type.String(), version: Type.String() }, { additionalProperties: false }),
    version: Type.Integer({ minimum: 1, description: 'the version of the registry entry in force: one more than before when changed' }),
    changed: Type.Boolean({ description: 'false: the enterprise was pinned to this set already; nothing was published' }),
  },
  { additionalProperties: false },
);

/** `PUT /v1/enterprises/{id}/factor-set`: a registry upload of the entry in force with another set; served only when the API reads the registry topic (app.ts). */
export const factorSetPinRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, ctx) => {
  const uploads = uploadsOf(ctx);

  app.put(
    '/v1/enterprises/:id/factor-set',
    {
      config: { writes: 'registry' },
      validatorCompiler: jsonBodyValidator,
      schema: {
        summary: 'Pin the enterprise to a factor set',
        description:
          'Uploads the enterprise’s registry entry in force with `factorSet` replaced, as PUT /v1/enterprises/{id}/registry would: the next version on the registry topic, answered once this API has read it back. The aggregator then restates the enterprise’s figures with the new set (reason FACTOR_SET_CHANGED). A set this API does not know is a 400; the set in force already changes nothing. Admin, and the enterprise’s own key; not regulators.',
        tags: ['registry', 'factor sets'],
        'x-meterline-roles': ['admin', 'enterprise'],
        security: BEARER,
        params: Type.Object({ id: IdParam('enterprise id', 'cq-autoparts') }),
        body: FactorSetRef,
        response: { 200: PinResult, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 409, 413, 415, 503) },
      },
    },
    async (request) => {
      const enterpriseId = registryEnterprise(request, request.params.id);
      const principal = principalOf(request);
      const { name, version } = request.body;
      if (!ctx.factorCatalog.resolve(name, version).ok) {
        const detail = `no factor set ${name}@${version} (GET /v1/factor-sets lists them; POST /v1/factor-sets adds one)`;
        throw new ApiError('MTL_API_VALIDATION_FAILED', `body /name: ${detail}`, { issues: [{ in: 'body', pointer: '/name', detail }] });
      }
      try {
        const outcome = await uploads.amend(enterpriseId, (enterprise) => ({ ...enterprise, factorSet: { name, version } }), principal.keyId);
        const { entry } = outcome;
        if (outcome.changed && !outcome.visible) {
          request.log.warn({ enterprise: entry.enterpriseId, version: entry.version }, 'published to the registry topic but not yet read back: the next request may not see it');
        }
        if (outcome.changed) request.log.info({ enterprise: entry.enterpriseId, version: entry.version, factorSet: `${name}@${version}` }, 'enterprise pinned to a factor set');
        return { enterpriseId: entry.enterpriseId, factorSet: { name, version }, version: entry.version, changed: outcome.changed };
      } catch (error) {
        throw error instanceof RegistryConflictError ? conflictProblem(error, principal) : error;
      }
    },
  );
};
