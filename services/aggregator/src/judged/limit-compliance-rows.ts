import { FIGURE_KINDS, type FigureV1 } from '@meterline/contracts';
import {
  assessLimitCompliance,
  COVERAGE_FACTOR_95,
  MIN_COMPLETENESS_PERCENT,
  yearToDateUnitConsumption,
  type Enterprise,
  type GradeAssessment,
  type LimitCompliance,
  type LimitStandards,
  type MonthTceAndOutput,
  type Period,
  type ProductLimitMapping,
} from '@meterline/domain';
import { COMPLIANCE_SPANS, completenessOf, FIGURE_DETAIL_FIELDS as D, FIGURE_TAGS as T, INTENSITY_METRICS } from '@meterline/series';


/** What a compliance is judged by: the limit data's id and version (a new version restates it, LIMIT_STANDARDS_CHANGED). */
const limitsVersion = (limits: LimitStandards): string => `${limits.id}@${limits.version}`;

/** The month's tce-per-unit intensity figure of a mapped product (site-level when the mapping names a site). */
const intensityOf = (figures: readonly FigureV1[], mapping: ProductLimitMapping, monthKey: string): FigureV1 | undefined =>
  figures.find(
    (f) =>
      f.measurement === FIGURE_KINDS.intensity &&
      f.periodKey === monthKey &&
      f.subject[T.product] === mapping.product &&
      f.subject[T.metric] === INTENSITY_METRICS.tce &&
      f.subject[T.site] === mapping.site,
  );

const num = (f: FigureV1, field: string): number | undefined => (typeof f.detail[field] === 'number' ? f.detail[field] : undefined);

/**
 * A month as the year to date sums it, from its intensity figure I = T / P: the tce is I·P and
 * its relative uncertainty what is left of the intensity's once the output's is taken out,
 * u_rel(T)² = u_rel(I)² − u_rel(P)² (the quotient rule, GUM 5.1.6, read backwards).
 */
function monthTceAndOutput(f: FigureV1): MonthTceAndOutput | undefined {
  const output = num(f, D.production);
  if (output === undefined || output <= 0) return undefined;
  const outputRelativeU = num(f, D.productionU) ?? 0;
  const relI = f.value === 0 ? 0 : f.expandedUncertainty / COVERAGE_FACTOR_95 / Math.abs(f.value);
  const relT = Math.sqrt(Math.max(0, relI * relI - outputRelativeU * outputRelativeU));
  const tce = f.value * output;
  return { tce, tceExpandedUncertainty: COVERAGE_FACTOR_95 * relT * Math.abs(tce), output, outputRelativeU };
}

/** A month below the platforms' completeness minimum is left out of a limit verdict, its energy and its output alike. */
const complete = (f: FigureV1) => (completenessOf(f) ?? 100) >= MIN_COMPLETENESS_PERCENT;

/** Each grade's value (when confirmed) and verdict, as detail fields. */
function gradeDetail(grades: readonly GradeAssessment[]): FigureV1['detail'] {
  const fields = { limit: [D.limitValue, D.limitVerdict], access: [D.accessValue, D.accessVerdict], advanced: [D.advancedValue, D.advancedVerdict] } as const;
  const detail: FigureV1['detail'] = {};
  for (const g of grades) {
    const [value, verdict] = fields[g.grade];
    if (g.confirmed && g.value !== null) detail[value] = g.value;
    detail[verdict] = g.verdict;
  }
  return detail;
}

/** The months of a span's figures: the unit consumption they give, and what the figure carries of them. */
interface SpanInput {
  span: string;
  months: FigureV1[];
}

function complianceRow(enterprise: Enterprise, limits: LimitStandards, mapping: ProductLimitMapping, month: Period, input: SpanInput, registryVersion: string): FigureV1 | undefined {
  const product = limits.products.get(mapping.limitProduct);
  const used = input.months.filter(complete);
  const months = used.map(monthTceAndOutput).filter((m): m is MonthTceAndOutput => m !== undefined);
  const last = used.at(-1);
  if (!product || !last || months.length === 0) return undefined;
  const unit = last.detail[D.productionUnit];
  const consumption = yearToDateUnitConsumption(months, typeof unit === 'string' ? unit : '', product);
  const c: LimitCompliance = assessLimitCompliance(mapping, product, consumption);
  if (!c.unitConsumption) return undefined;
  const binding = c.grades.find((g) => g.grade === c.bindingGrade);
  return {
    measurement: FIGURE_KINDS.limitCompliance,
    enterpriseId: enterprise.id,
    subject: { [T.region]: enterprise.region, [T.product]: mapping.product, [T.standard]: product.id, [T.span]: input.span, ...(mapping.site === undefined ? {} : { [T.site]: mapping.site }) },
    periodKind: month.kind,
    periodKey: month.key,
    startMs: month.start,
    endMs: month.end,
    value: c.unitConsumption.value,
    unit: c.unitConsumption.unit,
    expandedUncertainty: c.unitConsumption.expandedUncertainty,
    coveragePercent: Math.min(...used.map((f) => f.coveragePercent)),
    estimated: 0,
    flags: [...new Set(used.flatMap((f) => f.flags))].sort(),
    factorSet: last.factorSet,
    registryVersion,
    revision: 0,
    detail: {
      [D.verdict]: c.verdict,
      [D.judgedAgainst]: limitsVersion(limits),
      [D.bindingGrade]: c.bindingGrade,
      [D.standardNumber]: c.standard.id,
      [D.clause]: binding?.clause ?? '',
      ...gradeDetail(c.grades),
      [D.months]: months.length,
      [D.production]: months.reduce((s, m) => s + m.output, 0),
      ...(typeof unit === 'string' ? { [D.productionUnit]: unit } : {}),
    },
  };
}

/**
 * The limit compliance of each of the enterprise's products mapped to a standard, as of a month:
 * the month alone and the year to date (Σ energy ÷ Σ output over the months so far, months
 * below the completeness minimum left out). `figures` holds the year's month figures, the month
 * just accounted included. A product without a unit consumption (no output, no energy figure,
 * its output counted in another unit than the standard's) gets no figure.
 */
export function complianceRows(enterprise: Enterprise, limits: LimitStandards, month: Period, figures: readonly FigureV1[], registryVersion: string): FigureV1[] {
  const year = month.key.slice(0, 4);
  const rows: FigureV1[] = [];
  for (const mapping of enterprise.products ?? []) {
    const ofMonths = (keys: string[]) => keys.map((k) => intensityOf(figures, mapping, k)).filter((f): f is FigureV1 => f !== undefined);
    const soFar = Array.from({ length: Number(month.key.slice(5, 7)) }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`);
    for (const input of [
      { span: COMPLIANCE_SPANS.month, months: ofMonths([month.key]) },
      { span: COMPLIANCE_SPANS.yearToDate, months: ofMonths(soFar) },
    ]) {
      const row = complianceRow(enterprise, limits, mapping, month, input, registryVersion);
      if (row) rows.push(row);
    }
  }
  return rows;
}
