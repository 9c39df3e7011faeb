import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { factorSetKey, FactorSetDefinitionV1, type FactorSetRecordV1 } from '@meterline/contracts';
import { CARRIERS, GRID_REGIONS, localDate, type Factor, type FactorSet, type FuelFactor, type GridFactorQuery } from '@meterline/domain';
import type { ApiContext } from '../context.ts';
import { registryOf } from '../registry/registry-view.ts';
import { principalOf } from '../auth/authenticate.ts';
import { ApiError } from '../errors.ts';
import { jsonBodyValidator } from '../http/body-validation.ts';
import { pageOf, PageQuery, slicePage } from '../http/pagination.ts';
import { AUTHENTICATED_PROBLEMS, BEARER, problemResponses } from '../http/schemas.ts';

/** Whether a set is a deployment's own (the factor-set topic) or shipped with this version, and who added it. */
const Provenance = {
  custom: Type.Boolean({ description: 'true: a set this deployment added (POST /v1/factor-sets); false: shipped with this version' }),
  createdAt: Type.Optional(Type.String({ description: 'ISO 8601; custom sets only' })),
  createdBy: Type.Optional(Type.String({ description: 'the API key id that added it; custom sets only' })),
};

const FactorSetSummary = Type.Object({ name: Type.String(), version: Type.String(), description: Type.String(), ...Provenance }, { additionalProperties: false });
export type FactorSetSummary = Static<typeof FactorSetSummary>;

const FactorView = Type.Object(
  {
    key: Type.String(),
    value: Type.Number(),
    unit: Type.String(),
    perUnit: Type.String(),
    source: Type.String(),
    confidence: Type.String(),
    relativeUncertainty: Type.Optional(Type.Number()),
    note: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const FuelView = Type.Object(
  {
    carrier: Type.String(),
    ncv: Type.Number({ description: 'GJ per perUnit' }),
    perUnit: Type.String(),
    carbonContent: Type.Number({ description: 'tC/TJ' }),
    oxidation: Type.Number(),
    co2PerUnit: Type.Number({ description: 'tCO2 per perUnit' }),
    source: Type.String(),
    confidence: Type.String(),
    relativeUncertainty: Type.Optional(Type.Number()),
  },
  { additionalProperties: false },
);

const FactorSetDetail = Type.Object(
  {
    name: Type.String(),
    version: Type.String(),
    description: Type.String(),
    regions: Type.Array(Type.String(), { description: 'where the set applies (ISO 3166 countries or subdivisions): an enterprise outside them gets no figures from it' }),
    gridDataYear: Type.Integer(),
    standardCoal: Type.Array(Type.Object({ carrier: Type.String(), factor: FactorView })),
    electricityEqualValue: FactorView,
    grid: Type.Array(Type.Object({ level: Type.String(), region: Type.String(), factor: FactorView })),
    residualMix: Type.Union([FactorView, Type.Null()]),
    purchasedHeat: FactorView,
    fuels: Type.Array(FuelView),
    notListed: Type.Array(Type.String(), { description: 'values the set holds that this view cannot enumerate yet' }),
    ...Provenance,
  },
  { additionalProperties: false },
);
export type FactorSetDetail = Static<typeof FactorSetDetail>;

const factorView = (f: Factor): Static<typeof FactorView> => ({ ...f });
const fuelView = (f: FuelFactor): Static<typeof FuelView> => ({ ...f });

/**
 * packages/domain exposes a factor set as lookups (standardCoal(carrier), gridFactor(level,
 * region), fuel(carrier), …), not as a listing. The view asks each lookup for every carrier,
 * grid region and the provinces of the registry's enterprises; what needs a key it cannot
 * enumerate is named in `notListed`.
 */
function describe(set: FactorSet, description: string, provinces: readonly string[], today: string, record: FactorSetRecordV1 | undefined): FactorSetDetail {
  const standardCoal = CARRIERS.flatMap((carrier) => {
    const r = set.standardCoal(carrier, 'energy');
    return r.ok ? [{ carrier, factor: factorView(r.factor) }] : [];
  });
  const gridQueries: Array<Pick<GridFactorQuery, 'level' | 'region' | 'gridRegion'>> = [
    // The national level is the set's own country (or countries).
    { level: 'national', region: set.regions.join(', '), gridRegion: 'north' },
    ...GRID_REGIONS.map((gridRegion) => ({ level: 'regional' as const, region: gridRegion, gridRegion })),
    ...provinces.map((region) => ({ level: 'provincial' as const, region, gridRegion: 'north' as const })),
    { level: 'ets', region: 'CN', gridRegion: 'north' },
  ];
  const grid = gridQueries.flatMap((q) => {
    const r = set.gridFactor({ ...q, date: today });
    return r.ok ? [{ level: q.level, region: q.region, factor: factorView(r.factor) }] : [];
  });
  const residual = set.residualMixFactor();
  return {
    name: set.name,
    version: set.version,
    description,
    regions: [...set.regions],
    gridDataYear: set.gridDataYear,
    standardCoal,
    electricityEqualValue: factorView(set.electricityEqualValue()),
    grid,
    residualMix: residual.ok ? factorView(residual.factor) : null,
    purchasedHeat: factorView(set.purchasedHeatFactor()),
    fuels: CARRIERS.flatMap((carrier) => {
      const r = set.fuel(carrier);
      return r.ok ? [fuelView(r.factor)] : [];
    }),
    notListed: [
      'provincial grid factors of provinces no registered enterprise is in',
      `ETS grid factors in force on other dates than ${today}`,
      'standard coal coefficients of steam metered by mass, by pressure class',
    ],
    ...provenance(record),
  };
}

const provenance = (record: FactorSetRecordV1 | undefined) => (record ? { custom: true, createdAt: record.createdAt, createdBy: record.createdBy } : { custom: false });

/** A custom set the documentation shows: cn-2023 with a supply contract's grid factor for Chongqing. */
const EXAMPLE_SET: FactorSetDefinitionV1 = {
  name: 'cq-ppa',
  version: '1',
  description: 'cn-2023 with the grid factor of a Chongqing supply contract',
  standardCoal: 'gbt-2589-2020',
  gridDataYear: 2023,
  fuels: 'gbt-32150-fuels',
  electricityEqualValue: 'electricity-equal-value-legacy',
  overrides: { gridFactors: [{ dataYear: 2023, level: 'provincial', region: 'CN-CQ', value: 0.41, source: 'supply contract CQ-2026-7, annex 3', confidence: 'M' }] },
};

const SetParams = Type.Object({
  name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', examples: ['cn-2023'] }),
  version: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$', examples: ['1.0.0'] }),
});

export const factorSetRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, ctx) => {
  const provinces = (request: FastifyRequest) => [...new Set(registryOf(request).manifest.enterprises.map((e) => e.region))].sort();
  // ETS factors have an effective period: shown as in force today (Asia/Shanghai, the ETS's own calendar).
  const today = () => localDate(ctx.now(), 'Asia/Shanghai');

  app.get(
    '/v1/factor-sets',
    {
      schema: {
        summary: 'The factor sets figures can be computed with',
        tags: ['factor sets'],
        security: BEARER,
        querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
        response: { 200: pageOf(FactorSetSummary), ...problemResponses(...AUTHENTICATED_PROBLEMS) },
      },
    },
    async (request) => {
      const custom = ctx.customFactorSets?.custom();
      const sets = ctx.factorCatalog.list().map((s) => ({ ...s, ...provenance(custom?.get(factorSetKey(s))) }));
      return slicePage(sets, request.query, request.url);
    },
  );

  app.get(
    '/v1/factor-sets/:name/:version',
    {
      schema: {
        summary: 'One factor set: its values with their sources',
        tags: ['factor sets'],
        security: BEARER,
        params: SetParams,
        response: { 200: FactorSetDetail, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) },
      },
    },
    async (request) => {
      const { name, version } = request.params;
      const resolved = ctx.factorCatalog.resolve(name, version);
      if (!resolved.ok) throw new ApiError('MTL_API_NOT_FOUND', `no factor set ${name}@${version}`);
      const description = ctx.factorCatalog.list().find((s) => s.name === name && s.version === version)?.description ?? '';
      return describe(resolved.factor, description, provinces(request), today(), ctx.customFactorSets?.custom().get(factorSetKey({ name, version })));
    },
  );

  const sets = ctx.customFactorSets;
  // Without Kafka there is no factor-set topic to add a set to: the route is absent (404).
  if (!sets) return;
  app.post(
    '/v1/factor-sets',
    {
      validatorCompiler: jsonBodyValidator,
      schema: {
        summary: 'Add a custom factor set',
        description:
          'A set of the shipped tables (standard coal, fuels, an equal-value coefficient, a grid data year) with values of its own, each cited; checked by the same rules every reader of the factor-set topic applies (every failing field in the 400). A name and version is published once and never changes: an existing one, shipped or custom, is 409. Published to the factor-set topic and answered once this API resolves it; pin it to an enterprise with PUT /v1/enterprises/{id}/factor-set. Admin only.',
        tags: ['factor sets'],
        'x-meterline-roles': ['admin'],
        security: BEARER,
        body: Type.Object(FactorSetDefinitionV1.properties, { additionalProperties: false, description: 'a factor set (contract meterline.factor-set.v1)', examples: [EXAMPLE_SET] }),
        response: { 201: FactorSetDetail, ...problemResponses(...AUTHENTICATED_PROBLEMS, 409, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      const created = await sets.create(request.body, principalOf(request).keyId);
      const { set } = created.record;
      if (!created.visible) request.log.warn({ factorSet: factorSetKey(set) }, 'published to the factor-set topic but not yet read back: the next request may not see it');
      request.log.info({ factorSet: factorSetKey(set), createdBy: created.record.createdBy }, 'custom factor set published');
      reply.code(201).header('location', `/v1/factor-sets/${encodeURIComponent(set.name)}/${encodeURIComponent(set.version)}`);
      return describe(created.factorSet, set.description, provinces(request), today(), created.record);
    },
  );
};