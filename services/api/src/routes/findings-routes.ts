import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { detectFabrication, FABRICATION_DETECTORS } from '@meterline/mining';
import { readableEnterprise } from '../auth/authenticate.ts';
import type { ApiContext } from '../context.ts';
import { MonthQuery } from '../http/month-query.ts';
import { AUTHENTICATED_PROBLEMS, BEARER, IdParam, problemResponses, stringEnum } from '../http/schemas.ts';
import { logUnreadable } from '../series/log-unreadable.ts';
import { FABRICATION_HISTORY_DAYS, loadFabricationInputs } from '@meterline/series';

const Finding = Type.Object(
  {
    detector: stringEnum(FABRICATION_DETECTORS),
    pointId: Type.String(),
    month: Type.String(),
    summary: Type.String({ description: 'the finding in one sentence an energy manager acts on' }),
    evidence: Type.Record(Type.String(), Type.Unknown(), { description: 'the numbers that show it, by detector (docs/fabrication-detectors.md)' }),
  },
  { additionalProperties: false },
);

const Answer = Type.Object(
  {
    enterpriseId: Type.String(),
    month: Type.String(),
    pointsJudged: Type.Array(Type.Object({ pointId: Type.String(), name: Type.Optional(Type.String()) }, { additionalProperties: false }), {
      description: 'the metered points judged (read by a device at a cadence of minutes or hours)',
    }),
    historyDays: Type.Integer({ description: 'days before the month each point is compared with' }),
    findings: Type.Array(Finding, { description: 'by point, then detector; empty when nothing looks fabricated or tampered' }),
  },
  { additionalProperties: false },
);
export type FindingsAnswer = Static<typeof Answer>;

/**
 * Fabricated or tampered metering data (issue 20): each detector's findings for an enterprise's
 * month, each with its evidence: a register flat while its parent moves, children above the
 * parent beyond the combined U, increments too regular to be measured, a day's profile copied,
 * timestamps that lost their jitter, a level shift right after a calibration expired or a meter
 * was replaced.
 */
export const findingsRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, ctx) => {
  app.get(
    '/v1/enterprises/:id/findings',
    {
      schema: {
        summary: "Signs of fabricated or tampered metering data in an enterprise's month",
        description: `Runs the fabrication detectors (${FABRICATION_DETECTORS.join(', ')}) on each metered point's quarter-hour consumption and readings' instants of the month, against its own ${FABRICATION_HISTORY_DAYS} days before, its parent in the energy balance and its registry events. Admin, the enterprise’s own key and its regulator.`,
        tags: ['baselines'],
        security: BEARER,
        params: Type.Object({ id: IdParam('enterprise id', 'cq-autoparts') }),
        querystring: Type.Object({ month: MonthQuery('the month judged') }, { additionalProperties: false }),
        response: { 200: Answer, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 503) },
      },
    },
    async (request): Promise<FindingsAnswer> => {
      const enterprise = readableEnterprise(request, request.params.id);
      const { month } = request.query;
      const inputs = await loadFabricationInputs(ctx.store, enterprise, month, logUnreadable(request.log));
      const findings = detectFabrication(inputs).map(({ detector, pointId, month: m, summary, evidence }) => ({ detector, pointId, month: m, summary, evidence: { ...evidence } }));
      const names = new Map(enterprise.sites.flatMap((site) => site.meteringPoints.map((p) => [p.id, p.name] as const)));
      const pointsJudged = inputs.points.map(({ pointId }) => {
        const name = names.get(pointId);
        return { pointId, ...(name !== undefined ? { name } : {}) };
      });
      return { enterpriseId: enterprise.id, month, pointsJudged, historyDays: FABRICATION_HISTORY_DAYS, findings };
    },
  );
};
