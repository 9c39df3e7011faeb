import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { FIGURE_KINDS, type FigureV1 } from '@meterline/contracts';
import { calendarPeriod, LIMIT_GRADES, LIMIT_VERDICT_MEANINGS, LIMIT_VERDICTS, PLANT_KINDS, type LimitVerdict, type ProductLimitMapping } from '@meterline/domain';
import { COMPLIANCE_SPANS, FIGURE_DETAIL_FIELDS as D, FIGURE_TAGS as T, readFigures } from '@meterline/series';
import { readableEnterprise } from '../auth/authenticate.ts';
import type { ApiContext } from '../context.ts';
import { MonthQuery } from '../http/month-query.ts';
import { AUTHENTICATED_PROBLEMS, BEARER, IdParam, problemResponses, stringEnum } from '../http/schemas.ts';

const ComplianceQuery = Type.Object({ month: MonthQuery('the month judged, and the year to it') }, { additionalProperties: false });

const Verdict = stringEnum(LIMIT_VERDICTS, { description: 'clearly-above, clearly-below, undecidable, unconfirmed, not-applicable (meaning says which is which)' });

const Grade = Type.Object(
  {
    grade: stringEnum(LIMIT_GRADES, { description: 'limit (限定值, existing plants), access (准入值, new plants), advanced (先进值)' }),
    value: Type.Union([Type.Number(), Type.Null()], { description: "the grade in the standard's unit; null when not confirmed from the standard's text" }),
    verdict: Verdict,
    meaning: Type.String({ description: 'what the verdict means, in words' }),
  },
  { additionalProperties: false },
);

const Span = Type.Object(
  {
    months: Type.Integer({ description: 'the months it rests on (a month below 90 % data completeness is left out)' }),
    unitConsumption: Type.Object(
      { value: Type.Number(), expandedUncertainty: Type.Number({ description: 'U, k = 2 (about 95 %)' }), unit: Type.String({ description: "the standard's unit, e.g. kgce/t" }) },
      { additionalProperties: false },
    ),
    production: Type.Object({ value: Type.Number(), unit: Type.String() }, { additionalProperties: false, description: 'the output it is per unit of' }),
    standard: Type.String({ description: "the standard's number and year, e.g. GB 16780-2021" }),
    clause: Type.String({ description: "the clause of the binding grade's value" }),
    bindingGrade: stringEnum(['limit', 'access'] as const, { description: 'access for a new plant, limit for an existing one' }),
    verdict: Verdict,
    meaning: Type.String({ description: 'what the binding verdict means, in words' }),
    grades: Type.Array(Grade, { description: 'limit, access and advanced, in that order' }),
    judgedAgainst: Type.String({ description: 'the limit data it was judged by, id@version' }),
    coveragePercent: Type.Number({ description: 'the lowest energy coverage of its months, 0–100' }),
    flags: Type.Array(Type.String()),
    revision: Type.Integer({ description: 'how often the figure was restated (0: as first published)' }),
  },
  { additionalProperties: false },
);

const ProductCompliance = Type.Object(
  {
    product: Type.String({ description: 'as production entries name it' }),
    site: Type.Union([Type.String(), Type.Null()], { description: 'the site that makes it; null: the enterprise as a whole' }),
    limitProduct: Type.String({ description: "the limit standards' product it is mapped to" }),
    plant: stringEnum(PLANT_KINDS),
    month: Type.Union([Span, Type.Null()], { description: 'the month alone; null when not published (reason)' }),
    yearToDate: Type.Union([Span, Type.Null()], { description: 'January to the month: Σ energy ÷ Σ output; null when not published (reason)' }),
    reason: Type.Union([Type.String(), Type.Null()], { description: 'why a span is null; null when both are published' }),
  },
  { additionalProperties: false },
);

const ComplianceAnswer = Type.Object(
  {
    enterpriseId: Type.String(),
    month: Type.String(),
    products: Type.Array(ProductCompliance, { description: "one per product the registry maps to a limit standard, in the registry's order" }),
    reason: Type.Union([Type.String(), Type.Null()], { description: 'why products is empty; null when it is not' }),
  },
  { additionalProperties: false },
);
export type ComplianceAnswer = Static<typeof ComplianceAnswer>;
type Span = Static<typeof Span>;
type Grade = Static<typeof Grade>;

const EnterpriseParams = Type.Object({ id: IdParam('enterprise id', 'cq-autoparts') });

const num = (f: FigureV1, k: string): number | undefined => (typeof f.detail[k] === 'number' ? f.detail[k] : undefined);
const str = (f: FigureV1, k: string): string | undefined => (typeof f.detail[k] === 'string' ? f.detail[k] : undefined);
const isVerdict = (v: string | undefined): v is LimitVerdict => (LIMIT_VERDICTS as readonly string[]).includes(v ?? '');

/** Each grade's stored value and verdict (limit_value, limit_verdict, …); a grade without a verdict is left out. */
const GRADE_FIELDS = { limit: [D.limitValue, D.limitVerdict], access: [D.accessValue, D.accessVerdict], advanced: [D.advancedValue, D.advancedVerdict] } as const;

function gradesOf(f: FigureV1): Grade[] {
  return LIMIT_GRADES.flatMap((grade): Grade[] => {
    const [valueField, verdictField] = GRADE_FIELDS[grade];
    const verdict = str(f, verdictField);
    return isVerdict(verdict) ? [{ grade, value: num(f, valueField) ?? null, verdict, meaning: LIMIT_VERDICT_MEANINGS[verdict] }] : [];
  });
}

/** A compliance figure as a span; undefined when it lacks what every compliance figure has. */
function spanOf(f: FigureV1): Span | undefined {
  const verdict = str(f, D.verdict);
  const binding = str(f, D.bindingGrade);
  const months = num(f, D.months);
  const production = num(f, D.production);
  if (!isVerdict(verdict) || (binding !== 'limit' && binding !== 'access') || months === undefined || production === undefined) return undefined;
  return {
    months,
    unitConsumption: { value: f.value, expandedUncertainty: f.expandedUncertainty, unit: f.unit },
    production: { value: production, unit: str(f, D.productionUnit) ?? '' },
    standard: str(f, D.standardNumber) ?? '',
    clause: str(f, D.clause) ?? '',
    bindingGrade: binding,
    verdict,
    meaning: LIMIT_VERDICT_MEANINGS[verdict],
    grades: gradesOf(f),
    judgedAgainst: str(f, D.judgedAgainst) ?? '',
    coveragePercent: f.coveragePercent,
    flags: f.flags,
    revision: f.revision,
  };
}

const NOT_PUBLISHED =
  "not published: the product's tce-per-unit intensity of the months is not accounted (or below 90 % data completeness), it has no output, its output is counted in another unit than the standard's, or its limit product is not in the limit data the aggregator judges by";

/**
 * Product energy-consumption limit compliance (issue 16): each product the registry maps to a
 * limit standard (GB 21xxx, GB 30xxx, GB 16780 families), as of a month, for the month alone
 * and for the year to date, from the aggregator's limit_compliance figures. The verdict rule is
 * packages/domain's (limits/limit-compliance.ts): a grade is passed or failed "clearly" only
 * beyond the expanded uncertainty U (k = 2); between, the data's quality, not the plant, decides.
 */
export const limitComplianceRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, ctx) => {
  app.get(
    '/v1/enterprises/:id/limit-compliance',
    {
      schema: {
        summary: "An enterprise's products against their energy-consumption limit standards",
        description:
          'For each product the registry maps to a limit standard, the month and the year to date: unit consumption ± U (k = 2) in the standard’s unit, each grade’s value and verdict, the binding grade (access for a new plant, limit for an existing one), the standard and clause, and what each verdict means. A span not published is null, with a reason. Admin, the enterprise’s own key and its regulator.',
        tags: ['limits'],
        security: BEARER,
        params: EnterpriseParams,
        querystring: ComplianceQuery,
        response: { 200: ComplianceAnswer, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 503) },
      },
    },
    async (request): Promise<ComplianceAnswer> => {
      const enterprise = readableEnterprise(request, request.params.id);
      const { month } = request.query;
      const mappings: readonly ProductLimitMapping[] = enterprise.products ?? [];
      if (mappings.length === 0) {
        return { enterpriseId: enterprise.id, month, products: [], reason: `enterprise ${enterprise.id} maps none of its products to a limit standard (the registry's products)` };
      }
      const figures = await readFigures(ctx.store, enterprise.id, calendarPeriod(month, enterprise.timeZone), ['month'], [FIGURE_KINDS.limitCompliance]);
      const spanFor = (mapping: ProductLimitMapping, span: string): Span | null => {
        const f = figures.find(
          (x) => x.periodKey === month && x.subject[T.product] === mapping.product && x.subject[T.site] === mapping.site && x.subject[T.span] === span && x.subject[T.standard] === mapping.limitProduct,
        );
        if (!f) return null;
        const read = spanOf(f);
        if (!read) request.log.warn({ enterpriseId: enterprise.id, subject: f.subject, periodKey: f.periodKey }, 'a limit compliance figure lacks its detail: left out');
        return read ?? null;
      };
      const products = mappings.map((mapping) => {
        const ofMonth = spanFor(mapping, COMPLIANCE_SPANS.month);
        const yearToDate = spanFor(mapping, COMPLIANCE_SPANS.yearToDate);
        const missing = [ofMonth ? undefined : `the month ${month}`, yearToDate ? undefined : 'the year to date'].filter((m) => m !== undefined);
        return {
          product: mapping.product,
          site: mapping.site ?? null,
          limitProduct: mapping.limitProduct,
          plant: mapping.plant,
          month: ofMonth,
          yearToDate,
          reason: missing.length === 0 ? null : `${missing.join(' and ')}: ${NOT_PUBLISHED}`,
        };
      });
      return { enterpriseId: enterprise.id, month, products, reason: null };
    },
  );
};
