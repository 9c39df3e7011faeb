import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CARRIERS, GRID_REGIONS, localDate, type Factor, type FactorSet, type FuelFactor, type GridFactorQuery } from '@meterline/domain';
import type { ApiContext } from '../context.ts';
import { registryOf } from '../registry/registry-view.ts';
import { ApiError } from '../errors.ts';
import { pageOf, PageQuery, slicePage } from '../http/pagination.ts';
import { AUTHENTICATED_PROBLEMS, BEARER, problemResponses } from '../http/schemas.ts';

const FactorSetSummary = Type.Object({ name: Type.String(), version: Type.String(), description: Type.String() }, { additionalProperties: false });

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
    gridDataYear: Type.Integer(),
    standardCoal: Type.Array(Type.Object({ carrier: Type.String(), factor: FactorView })),
    electricityEqualValue: FactorView,
    grid: Type.Array(Type.Object({ level: Type.String(), region: Type.String(), factor: FactorView })),
    residualMix: Type.Union([FactorView, Type.Null()]),
    purchasedHeat: FactorView,
    fuels: Type.Array(FuelView),
    notListed: Type.Array(Type.String(), { description: 'values the set holds that this view cannot enumerate yet' }),
  },
  { additionalProperties: false },
);

const factorView = (f: Factor): Static<typeof FactorView> => ({ ...f });
const fuelView = (f: FuelFactor): Static<typeof FuelView> => ({ ...f });

/**
 * packages/domain exposes a factor set as lookups (standardCoal(carrier), gridFactor(level,
 * region), fuel(carrier), …), not as a listing. The view asks each lookup for every carrier,
 * grid region and the provinces of the registry's enterprises; what needs a key it cannot
 * enumerate is named in `notListed`.
 */
function describe(set: FactorSet, description: string, provinces: readonly string[], today: string): Static<typeof FactorSetDetail> {
  const standardCoal = CARRIERS.flatMap((carrier) => {
    const r = set.standardCoal(carrier, 'energy');
    return r.ok ? [{ carrier, factor: factorView(r.factor) }] : [];
  });
  const gridQueries: Array<Pick<GridFactorQuery, 'level' | 'region' | 'gridRegion'>> = [
    { level: 'national', region: 'CN', gridRegion: 'north' },
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
  };
}

export const factorSetRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, ctx) => {
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
    async (request) => slicePage(ctx.factorCatalog.list(), request.query, request.url),
  );

  app.get(
    '/v1/factor-sets/:name/:version',
    {
      schema: {
        summary: 'One factor set: its values with their sources',
        tags: ['factor sets'],
        security: BEARER,
        params: Type.Object({
          name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', examples: ['cn-2023'] }),
          version: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$', examples: ['1.0.0'] }),
        }),
        response: { 200: FactorSetDetail, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) },
      },
    },
    async (request) => {
      const { name, version } = request.params;
      const resolved = ctx.factorCatalog.resolve(name, version);
      if (!resolved.ok) throw new ApiError('MTL_API_NOT_FOUND', `no factor set ${name}@${version}`);
      const description = ctx.factorCatalog.list().find((s) => s.name === name && s.version === version)?.description ?? '';
      const provinces = [...new Set(registryOf(request).manifest.enterprises.map((e) => e.region))].sort();
      // ETS factors have an effective period: shown as in force today (Asia/Shanghai, the ETS's own calendar).
      return describe(resolved.factor, description, provinces, localDate(ctx.now(), 'Asia/Shanghai'));
    },
  );
};
