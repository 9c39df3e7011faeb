import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { localDate, TOPOLOGY_ROLES, type Enterprise, type MeteringPoint } from '@meterline/domain';
import { principalOf, readableEnterprise } from '../auth/authenticate.ts';
import { scopeFor } from '../auth/scope.ts';
import type { ApiContext } from '../context.ts';
import { registryOf } from '../registry/registry-view.ts';
import { pageOf, PageQuery, slicePage } from '../http/pagination.ts';
import { AUTHENTICATED_PROBLEMS, BEARER, IdParam, problemResponses, stringEnum } from '../http/schemas.ts';

const FactorSetRef = Type.Object({ name: Type.String(), version: Type.String() });

const EnterpriseSummary = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    region: Type.String({ description: 'ISO 3166-2 subdivision' }),
    gridRegion: Type.String(),
    timeZone: Type.String(),
    factorSet: FactorSetRef,
  },
  { additionalProperties: false },
);
export type EnterpriseSummary = Static<typeof EnterpriseSummary>;

const CALIBRATION_STATUSES = ['valid', 'expired', 'not-yet-valid'] as const;

const MeteringPointView = Type.Object(
  {
    id: Type.String(),
    name: Type.Optional(Type.String()),
    carrier: Type.String(),
    quantity: Type.String(),
    unit: Type.String(),
    accuracyClass: Type.Number({ description: 'maximum permissible error, percent' }),
    topology: Type.Object({ role: stringEnum(TOPOLOGY_ROLES), parent: Type.Optional(Type.String()) }),
    calibration: Type.Object({
      certificate: Type.String(),
      validFrom: Type.String({ description: 'YYYY-MM-DD' }),
      validUntil: Type.String({ description: 'YYYY-MM-DD' }),
      status: stringEnum(CALIBRATION_STATUSES, { description: "as of today in the enterprise's time zone" }),
    }),
  },
  { additionalProperties: false },
);

const EnterpriseDetail = Type.Composite([
  EnterpriseSummary,
  Type.Object({
    asOf: Type.String({ description: "today in the enterprise's time zone, the date calibration status is judged on" }),
    sites: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), meteringPoints: Type.Array(MeteringPointView) })),
  }),
]);
export type EnterpriseDetail = Static<typeof EnterpriseDetail>;

const summaryOf = (e: Enterprise): EnterpriseSummary => ({
  id: e.id,
  name: e.name,
  region: e.region,
  gridRegion: e.gridRegion,
  timeZone: e.timeZone,
  factorSet: { name: e.factorSet.name, version: e.factorSet.version },
});

function calibrationStatus(point: MeteringPoint, today: string): (typeof CALIBRATION_STATUSES)[number] {
  if (today < point.calibration.validFrom) return 'not-yet-valid';
  if (today > point.calibration.validUntil) return 'expired';
  return 'valid';
}

export const enterpriseRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, ctx) => {
  app.get(
    '/v1/enterprises',
    {
      schema: {
        summary: 'The enterprises the API key may read',
        tags: ['enterprises'],
        security: BEARER,
        querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
        response: { 200: pageOf(EnterpriseSummary), ...problemResponses(...AUTHENTICATED_PROBLEMS) },
      },
    },
    async (request) => {
      const scope = scopeFor(principalOf(request));
      const visible = registryOf(request).manifest.enterprises.filter((e) => scope.mayRead(e)).map(summaryOf);
      return slicePage(visible, request.query, request.url);
    },
  );

  app.get(
    '/v1/enterprises/:id',
    {
      schema: {
        summary: 'One enterprise with its sites and metering points',
        tags: ['enterprises'],
        security: BEARER,
        params: Type.Object({ id: IdParam('enterprise id', 'cq-autoparts') }),
        response: { 200: EnterpriseDetail, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) },
      },
    },
    async (request) => {
      const enterprise = readableEnterprise(request, request.params.id);
      const today = localDate(ctx.now(), enterprise.timeZone);
      return {
        ...summaryOf(enterprise),
        asOf: today,
        sites: enterprise.sites.map((site) => ({
          id: site.id,
          name: site.name,
          meteringPoints: site.meteringPoints.map((p) => ({
            id: p.id,
            ...(p.name !== undefined ? { name: p.name } : {}),
            carrier: p.carrier,
            quantity: p.quantity,
            unit: p.unit,
            accuracyClass: p.accuracyClass,
            topology: { role: p.topology.role, ...(p.topology.parent !== undefined ? { parent: p.topology.parent } : {}) },
            calibration: { ...p.calibration, status: calibrationStatus(p, today) },
          })),
        })),
      };
    },
  );
};
