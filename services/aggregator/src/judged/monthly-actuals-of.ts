import { FIGURE_KINDS, type FigureV1 } from '@meterline/contracts';
import { COVERAGE_FACTOR_95, MIN_COMPLETENESS_PERCENT, MONEY_PRODUCTS, type CarbonScope, type Measured, type MonthlyActuals } from '@meterline/domain';
import { completenessOf, FIGURE_DETAIL_FIELDS as D, FIGURE_TAGS as T, INTENSITY_METRICS, STANDARD_COAL_BASES, STANDARD_COAL_LEVELS } from '@meterline/series';

/**
 * The CO2 dual control counts: scope 1 combustion, purchased electricity at the grid's
 * location-based factor and purchased heat (the total the enterprise's inventory reports).
 */
const DUAL_CONTROL_CO2_SCOPE: CarbonScope = 'total-location';

/** The figure kinds a month's actuals are read from: what a reader of stored months asks for. */
export const ACTUALS_KINDS = [FIGURE_KINDS.standardCoal, FIGURE_KINDS.carbon, FIGURE_KINDS.intensity] as const;

const measured = (f: FigureV1): Measured => ({ value: f.value, u: f.expandedUncertainty / COVERAGE_FACTOR_95 });

/** Value added is the denominator of the enterprise-wide energy intensity per 10^4 CNY; its figure carries it and its relative u. */
function valueAddedOf(f: FigureV1): Measured | undefined {
  const production = f.detail[D.production];
  const relativeU = f.detail[D.productionU];
  if (typeof production !== 'number') return undefined;
  return { value: production, u: typeof relativeU === 'number' ? relativeU * production : 0 };
}

/**
 * An enterprise's months as dual-control progress reads them, from its published month figures:
 * the enterprise's standard coal on each basis, its location-based total CO2 and its value added.
 * A quantity without a figure is absent, never zero; so is one whose figure rests on less than
 * the platforms' completeness minimum of the readings due (a month not yet metered, or mostly
 * silent, would count as a month of little or no use and pull the projection down).
 */
export function monthlyActualsOf(figures: readonly FigureV1[]): MonthlyActuals[] {
  const months = new Map<string, MonthlyActuals>();
  const month = (key: string): MonthlyActuals => {
    let m = months.get(key);
    if (!m) months.set(key, (m = { month: key, energy: {} }));
    return m;
  };
  for (const f of figures) {
    if (f.periodKind !== 'month' || (completenessOf(f) ?? 100) < MIN_COMPLETENESS_PERCENT) continue;
    const s = f.subject;
    if (f.measurement === FIGURE_KINDS.standardCoal && s[T.level] === STANDARD_COAL_LEVELS.enterprise) {
      if (s[T.basis] === STANDARD_COAL_BASES.equivalent) month(f.periodKey).energy.equivalent = measured(f);
      if (s[T.basis] === STANDARD_COAL_BASES.equalValue) month(f.periodKey).energy.equalValue = measured(f);
    } else if (f.measurement === FIGURE_KINDS.carbon && s[T.scope] === DUAL_CONTROL_CO2_SCOPE) {
      month(f.periodKey).co2 = measured(f);
    } else if (f.measurement === FIGURE_KINDS.intensity && s[T.product] === MONEY_PRODUCTS['value-added'] && s[T.metric] === INTENSITY_METRICS.tce && s[T.site] === undefined) {
      const va = valueAddedOf(f);
      if (va) month(f.periodKey).valueAdded = va;
    }
  }
  return [...months.values()].sort((a, b) => a.month.localeCompare(b.month));
}
