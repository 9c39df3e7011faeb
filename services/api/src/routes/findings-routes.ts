import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { FIGURE_KINDS } from '@meterline/contracts';
import { calendarPeriod } from '@meterline/domain';
import { FABRICATION_DETECTORS, type FabricationDetector } from '@meterline/mining';
import { readableEnterprise } from '../auth/authenticate.ts';
import type { ApiContext } from '../context.ts';
import { MonthQuery } from '../http/month-query.ts';
import { AUTHENTICATED_PROBLEMS, BEARER, IdParam, problemResponses, stringEnum } from '../http/schemas.ts';
import { FABRICATION_HISTORY_DAYS, FIGURE_DETAIL_FIELDS as D, FIGURE_TAGS as T, readFigures } from '@meterline/series';

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
    judged: Type.Boolean({ description: 'false until the aggregator has judged the month: it does so once the month has ended and is accounted' }),
    pointsJudged: Type.Array(Type.Object({ pointId: Type.String(), name: Type.Optional(Type.String()) }, { additionalProperties: false }), {
      description: 'the metered points judged (read by a device at a cadence of minutes or hours)',
    }),
    historyDays: Type.Integer({ description: 'days before the month each point is compared with' }),
    findings: Type.Array(Finding, { description: 'by point, then detector; empty when nothing looks fabricated or tampered' }),
  },
  { additionalProperties: false },
);
export type FindingsAnswer = Static<typeof Answer>;

/** A stored finding's evidence (JSON text); text that is not a JSON object is given as it is, under `text`. */
function evidenceOf(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { text };
  } catch (error) {
    return { text, unreadable: (error as Error).message };
  }
}

/**
 * Fabricated or tampered metering data (issue 20): the detectors' findings for an enterprise's
 * month, each with its evidence: a register flat while its parent moves, children above the
 * parent beyond the combined U, increments too regular to be measured, a day's profile copied,
 * timestamps that lost their jitter, a level shift right after a calibration expired or a meter
 * was replaced. The aggregator judges each month once it is accounted and stores the judgement
 * (fabrication_finding figures); this route reads it, so a request costs a read of one figure
 * per point and detector, whatever the enterprise's size.
 */
export const findingsRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, ctx) => {
  app.get(
    '/v1/enterprises/:id/findings',
    {
      schema: {
        summary: "Signs of fabricated or tampered metering data in an enterprise's month",
        description: `The fabrication detectors' judgement (${FABRICATION_DETECTORS.join(', ')}) of each metered point's month: its quarter-hour consumption and readings' instants against its own ${FABRICATION_HISTORY_DAYS} days before, its parent in the energy balance and its registry events. The aggregator judges a month once it has ended and is accounted; until then \`judged\` is false. Admin, the enterprise’s own key and its regulator.`,
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
      const period = calendarPeriod(month, enterprise.timeZone);
      const judgements = (await readFigures(ctx.store, enterprise.id, period, ['month'], [FIGURE_KINDS.fabricationFinding])).filter((f) => f.periodKey === month);
      const names = new Map(enterprise.sites.flatMap((site) => site.meteringPoints.map((p) => [p.id, p.name] as const)));
      const pointIds = [...new Set(judgements.map((f) => f.subject[T.point]).filter((id): id is string => id !== undefined))].sort();
      const findings = judgements
        .filter((f) => f.value === 1)
        .flatMap((f) => {
          const detector = f.subject[T.detector];
          const pointId = f.subject[T.point];
          if (pointId === undefined || !isDetector(detector)) return [];
          const summary = f.detail[D.findingSummary];
          const evidence = f.detail[D.evidence];
          return [{ detector, pointId, month, summary: typeof summary === 'string' ? summary : '', evidence: typeof evidence === 'string' ? evidenceOf(evidence) : {} }];
        })
        .sort((a, b) => a.pointId.localeCompare(b.pointId) || FABRICATION_DETECTORS.indexOf(a.detector) - FABRICATION_DETECTORS.indexOf(b.detector));
      const pointsJudged = pointIds.map((pointId) => {
        const name = names.get(pointId);
        return { pointId, ...(name !== undefined ? { name } : {}) };
      });
      return { enterpriseId: enterprise.id, month, judged: judgements.length > 0, pointsJudged, historyDays: FABRICATION_HISTORY_DAYS, findings };
    },
  );
};

const isDetector = (name: string | undefined): name is FabricationDetector => name !== undefined && (FABRICATION_DETECTORS as readonly string[]).includes(name);
