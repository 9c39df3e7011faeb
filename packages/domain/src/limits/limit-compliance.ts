import { gradeBasis, isUsableGrade, LIMIT_GRADES, standardId, type ElectricityBasis, type LimitGrade, type LimitProduct } from './limit-standards.ts';
import type { PlantKind, ProductLimitMapping } from '../registry/manifest-schema.ts';
import type { LimitIssue, UnitConsumption, UnitConsumptionResult } from './unit-consumption.ts';

/**
 * Where a unit consumption stands against one grade, its expanded uncertainty U (k = 2) taken
 * into account. The standards state every grade as "≤ value", so a consumption equal to the
 * value meets it:
 *   clearly-above  value − U > grade        (exceeds it even at the bottom of its interval)
 *   clearly-below  value + U ≤ grade        (meets it even at the top of its interval)
 *   undecidable    otherwise: the interval straddles the grade and the data's quality, not the
 *                  plant, decides; `decidingExpandedUncertainty` says how small U would have to be
 *   unconfirmed    the grade's value is not confirmed from the standard: never judged against
 *   not-applicable no unit consumption (missing, incomplete, unit mismatch) or the grade counts
 *                  electricity on another basis than the figure
 */
export const LIMIT_VERDICTS = ['clearly-above', 'clearly-below', 'undecidable', 'unconfirmed', 'not-applicable'] as const;
export type LimitVerdict = (typeof LIMIT_VERDICTS)[number];

/** What each verdict means, in words a regulator reads next to it (the rule above, said once). */
export const LIMIT_VERDICT_MEANINGS: Readonly<Record<LimitVerdict, string>> = Object.freeze({
  'clearly-above': 'Clearly above: even the lower end of the band (value − U, k = 2) exceeds the grade; the product does not meet it.',
  'clearly-below': 'Clearly below: even the upper end of the band (value + U, k = 2) is at or below the grade; the product meets it.',
  undecidable: "Not decidable at the data's quality: the band value ± U (k = 2) straddles the grade; a smaller U, not the plant, would decide.",
  unconfirmed: "Value not confirmed from the standard's text: no verdict.",
  'not-applicable': 'Not applicable: no unit consumption for the period, or the grade counts electricity on another basis than the figure.',
});


export interface GradeAssessment {
  grade: LimitGrade;
  /** In the standard's unit; null when the data set has none. */
  value: number | null;
  clause: string | null;
  confirmed: boolean;
  electricity: ElectricityBasis;
  verdict: LimitVerdict;
  /** grade − unit consumption, in the standard's unit: positive is headroom, negative an excess. Null without a verdict. */
  margin: number | null;
  /** For an undecidable verdict: U must be at most this (below it for an excess) to decide. */
  decidingExpandedUncertainty: number | null;
  /** Why a grade has no verdict, or (undecidable) how far U spans it. */
  reason: string | null;
}

export interface LimitCompliance {
  product: string;
  site: string | null;
  limitProduct: string;
  plant: PlantKind;
  standard: { id: string; number: string; year: number; title: string };
  /** A new plant is held to the access value, an existing one to the limit value. */
  bindingGrade: Extract<LimitGrade, 'limit' | 'access'>;
  /** The binding grade's verdict, the one a regulator acts on. */
  verdict: LimitVerdict;
  unitConsumption: UnitConsumption | null;
  /** Limit, access and advanced, in that order; the advanced value is reported for every plant. */
  grades: GradeAssessment[];
  issues: LimitIssue[];
}

/** One grade's verdict for a unit consumption (see LimitVerdict for the rule). */
function judgeGrade(consumption: UnitConsumption | null, product: LimitProduct, grade: LimitGrade): GradeAssessment {
  const g = product.grades[grade];
  const electricity = gradeBasis(product, grade);
  const base = { grade, value: g.value, clause: g.clause, confirmed: g.confirmed, electricity, margin: null, decidingExpandedUncertainty: null };
  if (!isUsableGrade(g)) {
    return { ...base, verdict: 'unconfirmed', reason: `the ${grade} value of ${standardId(product)} is not confirmed from the standard's text` };
  }
  if (!consumption) return { ...base, verdict: 'not-applicable', reason: 'no unit consumption for the period' };
  if (consumption.electricity !== electricity) {
    return { ...base, verdict: 'not-applicable', reason: `the ${grade} value counts electricity at its ${electricity} value, the figure at its ${consumption.electricity} value` };
  }
  const { value: v, expandedUncertainty: u } = consumption;
  const margin = g.value - v;
  const verdict: LimitVerdict = v - u > g.value ? 'clearly-above' : v + u <= g.value ? 'clearly-below' : 'undecidable';
  if (verdict !== 'undecidable') return { ...base, verdict, margin, reason: null };
  const deciding = Math.abs(margin);
  const shown = (x: number): number => Number(x.toPrecision(3));
  return {
    ...base,
    verdict,
    margin,
    decidingExpandedUncertainty: deciding,
    reason: `U = ${shown(u)} ${consumption.unit} spans the ${grade} value ${g.value}: the data's quality decides, not the plant; U ≤ ${shown(deciding)} (${shown(u - deciding)} less) would decide`,
  };
}

/**
 * The compliance of one product for one period (a month or the year to date): its unit
 * consumption against each grade of its standard. The binding grade follows the plant: the
 * access value for a new plant, the limit value for an existing one.
 */
export function assessLimitCompliance(mapping: ProductLimitMapping, product: LimitProduct, consumption: UnitConsumptionResult): LimitCompliance {
  const unitConsumption = consumption.ok ? consumption.consumption : null;
  const grades = LIMIT_GRADES.map((grade) => judgeGrade(unitConsumption, product, grade));
  const issues: LimitIssue[] = consumption.ok ? [] : [consumption.issue];
  for (const g of grades) {
    if (g.verdict === 'not-applicable' && unitConsumption) issues.push({ code: 'MTL_DOMAIN_LIMIT_BASIS_MISMATCH', message: g.reason! });
  }
  const bindingGrade = mapping.plant === 'new' ? 'access' : 'limit';
  return {
    product: mapping.product,
    site: mapping.site ?? null,
    limitProduct: product.id,
    plant: mapping.plant,
    standard: { id: standardId(product), number: product.standard.number, year: product.standard.year, title: product.standard.title },
    bindingGrade,
    verdict: grades.find((g) => g.grade === bindingGrade)!.verdict,
    unitConsumption,
    grades,
    issues,
  };
}
