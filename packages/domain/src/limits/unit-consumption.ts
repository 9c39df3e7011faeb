import type { DomainErrorCode } from '../errors.ts';
import type { IntensityFigures } from '../figures/enterprise-figures.ts';
import { COVERAGE_FACTOR_95 } from '../uncertainty/gum.ts';
import { tryConvertUnit } from '../units.ts';
import { LIMIT_UNITS, type ElectricityBasis, type LimitProduct } from './limit-standards.ts';

/** Why a product gets no verdict (or none on a grade). */
export interface LimitIssue {
  code: Extract<DomainErrorCode, `MTL_DOMAIN_LIMIT_${string}`>;
  message: string;
}

/** Unit-product comprehensive energy consumption in the standard's unit, with U (k = 2). */
export interface UnitConsumption {
  value: number;
  expandedUncertainty: number;
  coverageFactor: number;
  /** The standard's unit, e.g. kgce/t. */
  unit: string;
  /** How the tce it rests on counts electricity. */
  electricity: ElectricityBasis;
}

export type UnitConsumptionResult = { ok: true; consumption: UnitConsumption } | { ok: false; issue: LimitIssue };

/**
 * Platforms ask for ≥ 90 % of the readings due (energy-carbon reference, section 9); a month
 * below it is not judged against a limit: its gaps are estimates, and a verdict on estimates
 * would be the estimate's verdict.
 */
export const MIN_COMPLETENESS_PERCENT = 90;

/**
 * Converts tce per production unit to the standard's unit: the energy unit (tce → kgce × 1 000,
 * tce → gce × 10⁶) and the denominator, which must be the standard's own (t for kgce/t) or a
 * unit convertible to it (kg for t, MWh for kWh). Anything else (pcs for a standard per tonne)
 * is a specific issue and no verdict.
 */
function toStandardUnit(
  perProductionUnit: { value: number; expandedUncertainty: number },
  productionUnit: string,
  product: LimitProduct,
  electricity: ElectricityBasis,
): UnitConsumptionResult {
  const unit = LIMIT_UNITS[product.unit];
  if (!unit) return { ok: false, issue: { code: 'MTL_DOMAIN_LIMIT_UNIT_MISMATCH', message: `the standard's unit "${product.unit}" is not one Meterline converts to` } };
  let perDenominator = 1;
  if (productionUnit !== unit.denominator) {
    // tce per denominator = tce per production unit × production units in one denominator.
    const size = tryConvertUnit(1, unit.denominator, productionUnit);
    if (!size.ok) {
      return {
        ok: false,
        issue: {
          code: 'MTL_DOMAIN_LIMIT_UNIT_MISMATCH',
          message: `production of "${product.id}" is counted in "${productionUnit}", but ${product.standard.number}-${product.standard.year} states ${product.unit}: count the production in ${unit.denominator}`,
        },
      };
    }
    perDenominator = size.value;
  }
  const scale = perDenominator / unit.tcePerEnergyUnit;
  return {
    ok: true,
    consumption: {
      value: perProductionUnit.value * scale,
      expandedUncertainty: perProductionUnit.expandedUncertainty * scale,
      coverageFactor: COVERAGE_FACTOR_95,
      unit: product.unit,
      electricity,
    },
  };
}

/**
 * A month's unit consumption from its intensity figure (tce per production unit, U with k = 2;
 * electricity at the equivalent value unless the caller says the figure is on the equal value).
 * A missing figure, or one resting on less than `minCompletenessPercent` of the readings due,
 * gives no unit consumption.
 */
export function monthUnitConsumption(
  intensity: IntensityFigures | null,
  product: LimitProduct,
  options: { electricity?: ElectricityBasis; minCompletenessPercent?: number } = {},
): UnitConsumptionResult {
  if (!intensity) return { ok: false, issue: { code: 'MTL_DOMAIN_LIMIT_FIGURE_MISSING', message: `no unit consumption of "${product.id}" for the period (no production or no energy figure)` } };
  const figure = intensity.tcePerUnit;
  const min = options.minCompletenessPercent ?? MIN_COMPLETENESS_PERCENT;
  if (figure.completenessPercent < min) {
    return {
      ok: false,
      issue: { code: 'MTL_DOMAIN_LIMIT_FIGURE_MISSING', message: `the unit consumption rests on ${figure.completenessPercent.toFixed(1)} % of the readings due, below ${min} %: no verdict on an incomplete month` },
    };
  }
  return toStandardUnit({ value: figure.value, expandedUncertainty: figure.expandedUncertainty }, intensity.productionUnit, product, options.electricity ?? 'equivalent');
}

/** One month as the aggregator stores it: its tce with U (k = 2), its output and the output's relative standard uncertainty. */
export interface MonthTceAndOutput {
  tce: number;
  tceExpandedUncertainty: number;
  output: number;
  /** u(output)/output, a standard (k = 1) uncertainty, as production inputs carry it. */
  outputRelativeU: number;
}

export type PerUnitResult = { ok: true; value: number; expandedUncertainty: number; months: number } | { ok: false; issue: LimitIssue };

/**
 * Year to date: Σtce / Σoutput over the months so far, with its expanded uncertainty (k = 2).
 *
 * How months combine (GUM 5.2, correlated inputs): a month's tce error is mostly the error of
 * the same meters as the next month's (accuracy class, CT ratio, calibration), so it is
 * systematic across months, not independent. With a correlation of 1 the standard uncertainty of
 * a sum is the sum of the standard uncertainties (GUM 5.2.2, r = 1), so the tce uncertainties
 * add linearly, not in quadrature: the honest and conservative choice, since the quadrature sum
 * of n equal months would shrink the relative uncertainty by √n on the pretence that the meters
 * err afresh every month. The output (weighbridge, product meter) is summed linearly for the
 * same reason. Tce and output come from different instruments, so those two are independent and
 * combine in quadrature in the quotient (GUM 5.1.6):
 *   u(y)² = (u_T / P)² + (T · u_P / P²)²,  y = T / P,  U = 2 u(y).
 */
export function yearToDatePerUnit(months: readonly MonthTceAndOutput[]): PerUnitResult {
  if (months.length === 0) return { ok: false, issue: { code: 'MTL_DOMAIN_LIMIT_FIGURE_MISSING', message: 'no month of the year so far has a unit consumption' } };
  for (const [i, m] of months.entries()) {
    const bad = !Number.isFinite(m.tce) ? 'tce is not a finite number'
      : !(Number.isFinite(m.tceExpandedUncertainty) && m.tceExpandedUncertainty >= 0) ? 'tceExpandedUncertainty is not a finite number ≥ 0'
      : !(Number.isFinite(m.output) && m.output > 0) ? 'output is not a finite number above 0'
      : !(Number.isFinite(m.outputRelativeU) && m.outputRelativeU >= 0) ? 'outputRelativeU is not a finite number ≥ 0'
      : undefined;
    if (bad) return { ok: false, issue: { code: 'MTL_DOMAIN_LIMIT_INPUT_INVALID', message: `month ${i}: ${bad}` } };
  }
  const tce = months.reduce((s, m) => s + m.tce, 0);
  const uTce = months.reduce((s, m) => s + m.tceExpandedUncertainty / COVERAGE_FACTOR_95, 0);
  const output = months.reduce((s, m) => s + m.output, 0);
  const uOutput = months.reduce((s, m) => s + m.output * m.outputRelativeU, 0);
  const u = Math.hypot(uTce / output, (tce * uOutput) / (output * output));
  return { ok: true, value: tce / output, expandedUncertainty: COVERAGE_FACTOR_95 * u, months: months.length };
}

/** Year-to-date unit consumption in the standard's unit (see yearToDatePerUnit for how months combine). */
export function yearToDateUnitConsumption(
  months: readonly MonthTceAndOutput[],
  productionUnit: string,
  product: LimitProduct,
  electricity: ElectricityBasis = 'equivalent',
): UnitConsumptionResult {
  const perUnit = yearToDatePerUnit(months);
  if (!perUnit.ok) return perUnit;
  return toStandardUnit(perUnit, productionUnit, product, electricity);
}
