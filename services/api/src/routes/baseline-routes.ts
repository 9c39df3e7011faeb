import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { co2OfPointUnit, ID_PATTERN, periodLastDay, tceOfPointUnit, type Enterprise, type FactorSet, type PointConversionResult } from '@meterline/domain';
import { convertSavings, DAILY_VARIABLES, dailyBaseline, type DailyBaseline, type DailyVariable, type Savings } from '@meterline/mining';
import { baselineSubjectOf, loadBaselineDays, type BaselineSubject } from '@meterline/series';
import { readableEnterprise } from '../auth/authenticate.ts';
import type { ApiContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { badQuery } from '../http/month-query.ts';
import { AUTHENTICATED_PROBLEMS, BEARER, IdParam, problemResponses, stringEnum } from '../http/schemas.ts';
import { logUnreadable } from '../series/log-unreadable.ts';

const RANGE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}\\.\\.\\d{4}-\\d{2}-\\d{2}$';
/** A baseline and its reporting period together: three years of days at most, which one request reads and fits in well under a second. */
const MAX_DAYS = 3 * 366;
const DAY_MS = 86_400_000;

const Query = Type.Object(
  {
    point: Type.Optional(Type.String({ pattern: ID_PATTERN, description: "a metering point of the enterprise: its day consumption; absent: the enterprise's standard coal (tce, equivalent value), or the site's" })),
    site: Type.Optional(Type.String({ pattern: ID_PATTERN, description: "a site of the enterprise: its day standard coal (tce, equivalent value); not with point" })),
    baseline: Type.String({ pattern: RANGE_PATTERN, description: 'the baseline period, local days inclusive', examples: ['2026-03-01..2026-03-31'] }),
    reporting: Type.Optional(Type.String({ pattern: RANGE_PATTERN, description: 'the reporting period, local days inclusive, after the baseline', examples: ['2026-04-01..2026-04-30'] })),
    variables: Type.Optional(Type.String({ pattern: `^(${DAILY_VARIABLES.join('|')})(,(${DAILY_VARIABLES.join('|')}))*$`, description: `what the energy may depend on, comma-separated: ${DAILY_VARIABLES.join(', ')}; default: each the baseline's days have` })),
    product: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'the product whose production entries are the production variable (required when several are entered)' })),
  },
  { additionalProperties: false },
);
type Query = Static<typeof Query>;

const Nullable = <T extends ReturnType<typeof Type.Number>>(schema: T) => Type.Union([schema, Type.Null()]);

const Converted = Type.Object(
  {
    savings: Type.Number(),
    expandedUncertainty: Type.Number({ description: 'U (k = 2)' }),
    unit: Type.String(),
    factor: Type.String({ description: 'the factor used, key@set' }),
    scope: Type.Optional(stringEnum(['scope1', 'scope2-location'] as const)),
  },
  { additionalProperties: false },
);
type Converted = Static<typeof Converted>;

const Answer = Type.Object(
  {
    enterpriseId: Type.String(),
    subject: Type.Object({ kind: stringEnum(['enterprise', 'site', 'point'] as const), siteId: Type.Optional(Type.String()), pointId: Type.Optional(Type.String()), unit: Type.String() }, { additionalProperties: false }),
    baseline: Type.Object(
      {
        from: Type.String(),
        to: Type.String(),
        days: Type.Integer({ description: 'days the model was fitted on' }),
        excludedDays: Type.Array(Type.Object({ date: Type.String(), missing: Type.Array(Type.String()) }, { additionalProperties: false }), { description: 'days of either period with a figure but without a variable the model uses: left out' }),
      },
      { additionalProperties: false },
    ),
    model: Type.Object(
      {
        variables: Type.Array(Type.String(), { description: 'the regressors after the intercept: hdd, cdd (degree days, °C·d), production, workingDay' }),
        balancePointsC: Type.Union([Type.Object({ heating: Nullable(Type.Number()), cooling: Nullable(Type.Number()) }, { additionalProperties: false }), Type.Null()], { description: 'the degree days’ base temperatures the search chose; null without degree days' }),
        coefficients: Type.Array(
          Type.Object({ name: Type.String(), estimate: Type.Number(), standardError: Type.Number(), t: Nullable(Type.Number()), pValue: Nullable(Type.Number()) }, { additionalProperties: false }),
          { description: 't and p are null for a fit without residuals (the days lie on the model exactly)' },
        ),
        n: Type.Integer(),
        p: Type.Integer(),
        residualStandardError: Type.Number(),
        residualAutocorrelation: Nullable(Type.Number()),
        rSquared: Nullable(Type.Number()),
        adjustedRSquared: Nullable(Type.Number()),
        cvRmsePercent: Nullable(Type.Number({ description: 'ASHRAE Guideline 14, n − p in the denominator' })),
        nmbePercent: Nullable(Type.Number()),
        verdict: Type.Object(
          {
            passed: Type.Boolean(),
            criteria: Type.String({ description: 'the criteria file and its version' }),
            failures: Type.Array(Type.Object({ criterion: Type.String(), value: Nullable(Type.Number()), limit: Type.Number(), explanation: Type.String() }, { additionalProperties: false })),
          },
          { additionalProperties: false },
        ),
      },
      { additionalProperties: false },
    ),
    reporting: Type.Union([
      Type.Object(
        {
          from: Type.String(),
          to: Type.String(),
          days: Type.Integer(),
          adjustedBaseline: Type.Number({ description: 'Σ of the model’s predictions on the reporting days’ variables, in unit' }),
          actual: Type.Number(),
          savings: Type.Number({ description: 'adjusted baseline − actual: avoided energy (positive: saved)' }),
          savingsFraction: Type.Number(),
          expandedUncertainty: Type.Number({ description: 'U (k = 2) of the savings: the model’s (ASHRAE Guideline 14, Annex B) and the meters’ combined' }),
          claim: Type.Object({ allowed: Type.Boolean(), reasons: Type.Array(Type.String()) }, { additionalProperties: false, description: 'savings are not claimed from a model that fails its criteria, saying which' }),
          modelEnpi: Nullable(Type.Number({ description: 'actual ÷ adjusted baseline (ISO 50006 statistical-model EnPI); null without production' })),
          converted: Type.Object(
            {
              tce: Type.Union([Converted, Type.Null()]),
              co2: Type.Union([Converted, Type.Null()]),
              notes: Type.Array(Type.String(), { description: 'why a conversion is missing, or rests on a factor without a stated uncertainty' }),
            },
            { additionalProperties: false, description: "the savings in tce (GB/T 2589-2020) and tCO2, by the enterprise's factor set as its accounting converts the subject's carrier; U combines the savings' and the factor's in quadrature (GUM 5.1.6)" },
          ),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    anomalies: Type.Object(
      {
        outsidePredictionInterval: Type.Array(
          Type.Object({ date: Type.String(), actual: Type.Number(), predicted: Type.Number(), low: Type.Number(), high: Type.Number(), direction: stringEnum(['above', 'below'] as const) }, { additionalProperties: false }),
          { description: 'reporting days (baseline days without a reporting period) outside the 95 % prediction interval' },
        ),
        changePoints: Type.Array(
          Type.Object({ direction: stringEnum(['up', 'down'] as const), startDate: Type.String(), signalDate: Type.String(), shift: Type.Number() }, { additionalProperties: false }),
          { description: 'the tabular CUSUM of actual − expected (k = 0.5 s, h = 5 s): where a lasting change began and when it was signalled' },
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type BaselineAnswer = Static<typeof Answer>;

function rangeOf(name: 'baseline' | 'reporting', text: string): { from: string; to: string } {
  const [from, to] = text.split('..') as [string, string];
  if (periodLastDay(from) !== from || periodLastDay(to) !== to) throw badQuery(name, `${text} does not name two calendar days`);
  if (from > to) throw badQuery(name, `${from} is after ${to}`);
  return { from, to };
}

/** JSON has no Infinity or NaN: a statistic that is not a number is given as null. */
const finiteOrNull = (n: number | null): number | null => (n !== null && Number.isFinite(n) ? n : null);

/**
 * The savings in tce and tCO2. An enterprise's baseline is in tce already, and its standard coal
 * has no one CO2 factor (its carbon figures are accounted per carrier); a point's unit converts
 * by its carrier's factors in the enterprise's set.
 */
function convertedSavings(savings: Savings, subject: BaselineSubject, enterprise: Enterprise, factorSet: FactorSet | string, date: string): NonNullable<BaselineAnswer['reporting']>['converted'] {
  const measured = { value: savings.savings, u: savings.u };
  const notes: string[] = [];
  if (subject.kind !== 'point') {
    notes.push(`${subject.kind === 'site' ? "a site's" : "an enterprise's"} standard coal has no single CO2 factor: see the enterprise's carbon figures for tCO2`);
    return { tce: { savings: savings.savings, expandedUncertainty: savings.U, unit: 'tce', factor: 'none: the baseline is in tce' }, co2: null, notes };
  }
  if (typeof factorSet === 'string') return { tce: null, co2: null, notes: [factorSet] };
  const convert = (result: PointConversionResult, unit: string, what: string): Converted | null => {
    if (!result.ok) {
      notes.push(`no ${what}: ${result.reason}`);
      return null;
    }
    const { conversion: c } = result;
    if (!c.uncertaintyKnown) notes.push(`the ${what} factor ${c.factor} states no uncertainty: its U is the savings' alone`);
    const converted = convertSavings(measured, { value: c.perPointUnit, relativeStandardUncertainty: c.relativeStandardUncertainty });
    return { savings: converted.value, expandedUncertainty: converted.U, unit, factor: c.factor, ...(c.scope ? { scope: c.scope } : {}) };
  };
  return {
    tce: convert(tceOfPointUnit(subject.point, factorSet), 'tce', 'tce'),
    co2: convert(co2OfPointUnit(subject.point, enterprise, factorSet, date), 'tCO2', 'CO2'),
    notes,
  };
}

function answerOf(
  enterprise: Enterprise,
  factorSet: FactorSet | string,
  subject: BaselineSubject,
  baseline: { from: string; to: string },
  reporting: { from: string; to: string } | undefined,
  b: DailyBaseline,
): BaselineAnswer {
  const enterpriseId = enterprise.id;
  const { model } = b;
  return {
    enterpriseId,
    subject:
      subject.kind === 'point'
        ? { kind: 'point', siteId: subject.siteId, pointId: subject.point.id, unit: subject.unit }
        : subject.kind === 'site'
          ? { kind: 'site', siteId: subject.siteId, unit: subject.unit }
          : { kind: 'enterprise', unit: subject.unit },
    baseline: { ...baseline, days: b.baselineDays, excludedDays: b.excludedDays },
    model: {
      variables: model.variables,
      balancePointsC: b.degreeDays?.balancePoints ?? null,
      coefficients: model.coefficients.map(({ name, estimate, standardError, t, pValue }) => ({ name, estimate, standardError, t: finiteOrNull(t), pValue: finiteOrNull(pValue) })),
      n: model.n,
      p: model.p,
      residualStandardError: model.residualStandardError,
      residualAutocorrelation: finiteOrNull(model.residualAutocorrelation),
      rSquared: finiteOrNull(model.statistics.rSquared),
      adjustedRSquared: finiteOrNull(model.adjustedRSquared),
      cvRmsePercent: finiteOrNull(model.statistics.cvRmsePercent),
      nmbePercent: finiteOrNull(model.statistics.nmbePercent),
      verdict: {
        passed: model.verdict.passed,
        criteria: `${model.verdict.criteriaId}@${model.verdict.criteriaVersion}`,
        failures: model.verdict.failures.map(({ criterion, value, limit, explanation }) => ({ criterion, value, limit, explanation })),
      },
    },
    reporting:
      b.reporting && reporting
        ? {
            ...reporting,
            days: b.reporting.days,
            adjustedBaseline: b.reporting.savings.adjustedBaseline,
            actual: b.reporting.savings.actual,
            savings: b.reporting.savings.savings,
            savingsFraction: b.reporting.savings.savingsFraction,
            expandedUncertainty: b.reporting.savings.U,
            claim: b.reporting.savings.claim,
            modelEnpi: b.reporting.enpi?.modelEnpi ?? null,
            converted: convertedSavings(b.reporting.savings, subject, enterprise, factorSet, reporting.from),
          }
        : null,
    anomalies: {
      outsidePredictionInterval: b.anomalies.outsidePredictionInterval.map(({ date, actual, predicted, low, high, direction }) => ({ date, actual, predicted, low, high, direction })),
      changePoints: b.anomalies.cusum.changePoints.map(({ direction, startDate, signalDate, shift }) => ({ direction, startDate, signalDate, shift })),
    },
  };
}

/**
 * Energy baselines (issue 20): an enterprise's standard coal or a metering point's consumption
 * per day, regressed on production, working days and degree days; the fit judged by ASHRAE
 * Guideline 14; and, for a reporting period, the savings with their uncertainty, the EnPI, the
 * days outside the prediction interval and the CUSUM's change points.
 */
export const baselineRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, ctx) => {
  app.get(
    '/v1/enterprises/:id/baseline',
    {
      schema: {
        summary: "An energy baseline of an enterprise or one of its metering points, and the savings against it",
        description:
          'Fits the day figures of the baseline period (the enterprise’s standard coal, or a point’s consumption) on the relevant variables the days have: production (manual production entries of a day), working days (Monday to Friday, less the registry calendar’s days off, plus its weekend working days) and heating and cooling degree days (manual outdoor-temperature entries; balance points searched from −1 to 32 °C). The model comes with R², CV(RMSE) and NMBE and the verdict of ASHRAE Guideline 14’s criteria; for a reporting period, the savings ± U are given but not claimed from a failing model, with the reasons. Admin, the enterprise’s own key and its regulator.',
        tags: ['baselines'],
        security: BEARER,
        params: Type.Object({ id: IdParam('enterprise id', 'cq-autoparts') }),
        querystring: Query,
        response: { 200: Answer, ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 422, 503) },
      },
    },
    async (request): Promise<BaselineAnswer> => {
      const enterprise = readableEnterprise(request, request.params.id);
      const query: Query = request.query;
      const baseline = rangeOf('baseline', query.baseline);
      const reporting = query.reporting === undefined ? undefined : rangeOf('reporting', query.reporting);
      if (reporting && reporting.from <= baseline.to) throw badQuery('reporting', `begins on ${reporting.from}, not after the baseline period's end ${baseline.to}`);
      const last = reporting?.to ?? baseline.to;
      if ((Date.parse(last) - Date.parse(baseline.from)) / DAY_MS + 1 > MAX_DAYS) throw badQuery(reporting ? 'reporting' : 'baseline', `the periods span more than ${MAX_DAYS} days`);
      if (query.point !== undefined && query.site !== undefined) throw badQuery('site', 'a baseline is of a site or of a point, not both: a point implies its site');
      const subject = baselineSubjectOf(enterprise, { point: query.point, site: query.site });
      if (!subject) throw new ApiError('MTL_API_NOT_FOUND', `enterprise ${enterprise.id} has no ${query.point !== undefined ? `metering point ${query.point}` : `site ${query.site}`}`);
      const days = await loadBaselineDays(ctx.store, enterprise, subject, { from: baseline.from, to: last }, query.product, logUnreadable(request.log));
      if (!days.ok) throw badQuery(days.parameter, days.detail);
      const variables = query.variables?.split(',') as DailyVariable[] | undefined;
      const result = dailyBaseline(days.days, { baseline, ...(reporting ? { reporting } : {}), ...(variables ? { variables } : {}) });
      if (!result.ok) throw new ApiError('MTL_API_BASELINE_UNFIT', `no baseline: ${result.error.message}`);
      const set = ctx.factorCatalog.resolveFor(enterprise);
      return answerOf(enterprise, set.ok ? set.factor : `no factor set: ${set.error.message}`, subject, baseline, reporting, result.value);
    },
  );
};
