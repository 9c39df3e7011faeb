import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifySchemaCompiler } from 'fastify';
import { parse } from 'yaml';
import type { RegistryEntryV1 } from '@meterline/contracts';
import { EnterpriseSchema } from '@meterline/domain';
import type { Principal } from '../auth/api-keys.ts';
import { principalOf, readableEnterprise, registryEnterprise } from '../auth/authenticate.ts';
import type { ApiContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { jsonBodyValidator } from '../http/body-validation.ts';
import { AUTHENTICATED_PROBLEMS, BEARER, IdParam, problemResponses } from '../http/schemas.ts';
import { RegistryConflictError, type RegistryUploads } from '../registry/registry-uploads.ts';

const YAML_MEDIA_TYPE = 'application/yaml';

/** The entry of the example enterprise the document's other examples name (cq-autoparts, cq-plant-a, cq-e-main, cq-dev-1). */
const EXAMPLE = {
  name: 'Chongqing Auto Parts',
  region: 'CN-CQ',
  gridRegion: 'southwest',
  timeZone: 'Asia/Shanghai',
  factorSet: { name: 'cn-2023', version: '1.0.0' },
  scope2Level: 'provincial',
  sites: [
    {
      id: 'cq-plant-a',
      name: 'Plant A',
      meteringPoints: [
        {
          id: 'cq-e-main',
          carrier: 'electricity',
          quantity: 'active-energy-import',
          unit: 'kWh',
          accuracyClass: 0.5,
          calibration: { certificate: 'CQ-1', validFrom: '2024-01-01', validUntil: '2030-01-01' },
          topology: { role: 'boundary-input' },
        },
        {
          id: 'cq-e-press',
          name: 'Press line',
          carrier: 'electricity',
          quantity: 'active-energy-import',
          unit: 'kWh',
          accuracyClass: 1,
          calibration: { certificate: 'CQ-2', validFrom: '2024-01-01', validUntil: '2025-06-30' },
          topology: { role: 'sub-meter', parent: 'cq-e-main' },
        },
      ],
    },
  ],
  devices: [{ id: 'cq-dev-1', kind: 'meter', meteringPoints: ['cq-e-main', 'cq-e-press'] }],
};

/** An enterprise entry of the registry manifest, its id optional: the path names the enterprise. */
const EntryBody = Type.Object(
  { ...EnterpriseSchema.properties, id: Type.Optional(EnterpriseSchema.properties.id) },
  {
    additionalProperties: false,
    description: 'one enterprise entry of the registry manifest (packages/domain), as in the manifest file; `id`, if given, must be the path’s',
    examples: [EXAMPLE],
  },
);

const Params = Type.Object({ id: IdParam('enterprise id', 'cq-autoparts') });

const EntryFacts = {
  enterpriseId: Type.String(),
  version: Type.Integer({ minimum: 1, description: '1 for the first upload, then one more per accepted change' }),
  registryHash: Type.String({ description: 'SHA-256 (hex) of the RFC 8785 canonical JSON of the entry; figures carry its first 16 digits as registryVersion' }),
};

const UploadResult = Type.Object(
  { ...EntryFacts, changed: Type.Boolean({ description: 'false: the entry in force has this hash already; nothing was published' }) },
  { additionalProperties: false },
);
export type UploadResult = Static<typeof UploadResult>;

const EntryView = Type.Object(
  {
    ...EntryFacts,
    uploadedAt: Type.String({ description: 'ISO 8601' }),
    uploadedBy: Type.String({ description: 'the API key id, or cli:<user> for meterline registry push' }),
    enterprise: EnterpriseSchema,
  },
  { additionalProperties: false },
);
type EntryView = Static<typeof EntryView>;

const viewOf = (entry: RegistryEntryV1): EntryView => ({
  enterpriseId: entry.enterpriseId,
  version: entry.version,
  registryHash: entry.registryHash,
  uploadedAt: entry.uploadedAt,
  uploadedBy: entry.uploadedBy,
  enterprise: entry.enterprise as unknown as Static<typeof EnterpriseSchema>,
});

/**
 * The body is judged in the handler by the domain's own rules (checkEnterpriseEntry: the rules
 * `meterline registry push` and every reader of the topic apply), with the path's id and with
 * every failing field; the schema above documents it. Params as every route's.
 */
const domainJudgesBody: FastifySchemaCompiler<object> = (route) => (route.httpPart === 'body' ? () => true : jsonBodyValidator(route));

/** The 409 of an upload holding other enterprises' ids: which of its own ids are taken, yes; by whom, only to an admin. */
export function conflictProblem(error: RegistryConflictError, principal: Principal): ApiError {
  const holder = (h: string) => (principal.role === 'admin' ? `enterprise ${h}` : 'another enterprise');
  const issues = error.clashes.map((c) => ({ in: 'body', pointer: c.pointer, detail: `${c.what} ${c.id} is held by ${holder(c.holder)}` }));
  return new ApiError('MTL_API_REGISTRY_CONFLICT', issues.map((i) => `body ${i.pointer}: ${i.detail}`).join('; '), { cause: error, issues });
}

export function uploadsOf(ctx: ApiContext): RegistryUploads {
  if (!ctx.registryUploads) throw new Error('a registry route was registered without registry uploads');
  return ctx.registryUploads;
}

/** `GET` and `PUT /v1/enterprises/{id}/registry`: served only when the API reads the registry topic (app.ts). */
export const registryRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, ctx) => {
  const uploads = uploadsOf(ctx);

  // YAML as the manifest file is written; only in this plugin: elsewhere it stays a 415.
  app.addContentTypeParser(YAML_MEDIA_TYPE, { parseAs: 'string' }, (_request, text, done) => {
    try {
      done(null, parse(text as string, { uniqueKeys: true, maxAliasCount: 100 }));
    } catch (error) {
      // A syntax error (YAMLError), or too many aliases (the parser's guard against expansion bombs): the client's text either way.
      const detail = `not YAML of one document: ${(error as Error).message}`;
      done(new ApiError('MTL_API_VALIDATION_FAILED', `body: ${detail}`, { cause: error, issues: [{ in: 'body', pointer: '/', detail }] }), undefined);
    }
  });

  app.get(
    '/v1/enterprises/:id/registry',
    {
      schema: {
        summary: 'The enterprise’s registry entry in force, with its version and hash',
        tags: ['registry'],
        security: BEARER,
        params: Params,
        response: { 200: EntryView, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) },
      },
    },
    async (request) => {
      const enterprise = readableEnterprise(request, request.params.id);
      const entry = uploads.entry(enterprise.id);
      if (!entry) throw new ApiError('MTL_API_NOT_FOUND', `enterprise ${enterprise.id} has no entry on the registry topic`);
      return viewOf(entry);
    },
  );

  app.put(
    '/v1/enterprises/:id/registry',
    {
      config: { writes: 'registry' },
      validatorCompiler: domainJudgesBody,
      schema: {
        summary: 'Upload the enterprise’s registry entry: its sites, metering points and devices',
        description:
          'Checked by the same rules as `meterline registry push` (every failing field in the 400), refused with 409 when it holds a site, metering point or device id of another enterprise. A changed entry is published to the registry topic as the next version and answered once this API has read it back; ingest, the aggregator and the alerter apply it without a restart. The same entry again changes nothing. Admin (a new id makes a new enterprise), and the enterprise’s own key; not regulators.',
        tags: ['registry'],
        'x-meterline-roles': ['admin', 'enterprise'],
        security: BEARER,
        params: Params,
        body: { content: { 'application/json': { schema: EntryBody }, [YAML_MEDIA_TYPE]: { schema: EntryBody } } },
        response: { 200: UploadResult, ...problemResponses(...AUTHENTICATED_PROBLEMS, 409, 413, 415, 503) },
      },
    },
    async (request) => {
      const enterpriseId = registryEnterprise(request, request.params.id);
      const principal = principalOf(request);
      try {
        const outcome = await uploads.upload(enterpriseId, request.body, principal.keyId);
        const { entry } = outcome;
        if (outcome.changed && !outcome.visible) {
          request.log.warn({ enterprise: entry.enterpriseId, version: entry.version }, 'published to the registry topic but not yet read back: the next request may not see it');
        }
        if (outcome.changed) request.log.info({ enterprise: entry.enterpriseId, version: entry.version, registryHash: entry.registryHash }, 'registry entry uploaded');
        return { enterpriseId: entry.enterpriseId, version: entry.version, registryHash: entry.registryHash, changed: outcome.changed };
      } catch (error) {
        throw error instanceof RegistryConflictError ? conflictProblem(error, principal) : error;
      }
    },
  );
};
