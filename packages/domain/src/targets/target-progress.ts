import { DomainError } from '../errors.ts';
import { expandedUncertainty } from '../uncertainty/gum.ts';
import { actualOf, checkMonthlyActuals, isMonthKey, type ActualQuantity, type Measured, type MonthlyActuals, type RegionMonth } from './monthly-actuals.ts';
import { PROJECTION_RULE, projectYear, type SeasonalProfile, type YearProjection } from './seasonal-projection.ts';
import { targetStatus, type TargetStatus } from './target-status.ts';
import { TARGET_UNITS, type Target, type TargetBasis, type TargetHolder, type TargetMetric } from './target.ts';

/** A value with its standard uncertainty and its expanded uncertainty U = 2u. */
export interface Estimate extends Measured {
  expandedUncertainty: number;
}

export interface TargetProjection extends Estimate {
  profile: SeasonalProfile;
  /** Why the previous year's profile was not used (null when it was). */
  profileNote: string | null;
  /** The part of u from the meters and the part from the profile (they add in quadrature). */
  uMeasurement: number;
  uProfile: number;
}

/** A target's progress as of a month: to date, projected to year end, and its status. */
export interface TargetProgress {
  targetId: string;
  holder: TargetHolder;
  year: number;
  metric: TargetMetric;
  basis?: TargetBasis;
  /** TARGET_UNITS[metric]: of the ceiling, the values and the margin. */
  unit: string;
  ceiling: number;
  /** YYYY-MM: the last month looked at. */
  asOf: string;
  /** The months of the year up to asOf with every quantity the metric needs. */
  monthsCounted: string[];
  /** The other months of the year up to asOf, each with why. */
  monthsNotCounted: Array<{ month: string; reason: string }>;
  /** Year to date: a total's Σ, an intensity's Σnumerator ÷ Σvalue added. Null when nothing counts. */
  toDate: Estimate | null;
  projection: TargetProjection | null;
  /** How the projection and its uncertainty are made, verbatim. */
  projectionRule: string;
  status: TargetStatus;
  /** The rule of `status`, verbatim (TARGET_STATUS_RULES). */
  rule: string;
  /** The numbers the status rests on. */
  detail: string;
  /** Ceiling − projection: what is left (negative: by how much the projection is over). */
  margin: number | null;
  /** To date ÷ ceiling: for a total the share of the year's allowance used; for an intensity the year-to-date intensity as a share of the ceiling. */
  shareOfCeilingToDate: number | null;
}

const ENERGY_QUANTITY: Readonly<Record<TargetBasis, ActualQuantity>> = { equivalent: 'energy-equivalent', 'equal-value': 'energy-equal-value' };

/** The metric's numerator, and its denominator for an intensity. */
function quantitiesOf(target: Target): { numerator: ActualQuantity; perValueAdded: boolean } {
  const energy = (): ActualQuantity => {
    const q = target.basis === undefined ? undefined : ENERGY_QUANTITY[target.basis];
    if (q === undefined) throw new DomainError('MTL_DOMAIN_TARGET_INVALID', `basis: an energy target states its basis (target ${target.id})`, { field: 'basis' });
    return q;
  };
  switch (target.metric) {
    case 'energy-total':
      return { numerator: energy(), perValueAdded: false };
    case 'energy-intensity':
      return { numerator: energy(), perValueAdded: true };
    case 'co2-total':
      return { numerator: 'co2', perValueAdded: false };
    case 'carbon-intensity':
      return { numerator: 'co2', perValueAdded: true };
  }
}

const estimate = (m: Measured): Estimate => ({ value: m.value, u: m.u, expandedUncertainty: expandedUncertainty(m.u) });

/**
 * y = a ÷ b for independent a and b (GUM 5.1.2): u(y)² = (u(a)/b)² + (a·u(b)/b²)², the same as
 * relative quadrature (GUM 5.1.6) but defined for a = 0. b is not zero.
 */
const quotient = (a: Measured, b: Measured): Measured => ({ value: a.value / b.value, u: Math.hypot(a.u / b.value, (a.value * b.u) / b.value ** 2) });

/**
 * The progress of a dual-control target (energy or CO2, total or per value added) as of a
 * month, from the holder's monthly actuals: an enterprise's own months, or a region's from
 * regionMonths. `months` may hold any months; those of the target's year up to asOf count,
 * and those of the year before give the seasonal profile. Energy is taken on the target's basis.
 */
export function targetProgress(target: Target, months: readonly (MonthlyActuals | RegionMonth)[], asOf: string): TargetProgress {
  if (!isMonthKey(asOf)) throw new DomainError('MTL_DOMAIN_TARGET_ACTUALS_INVALID', `asOf: "${asOf}" is not a month YYYY-MM`, { field: 'asOf' });
  checkMonthlyActuals(months, 'months');
  const { numerator, perValueAdded } = quantitiesOf(target);
  const needed: ActualQuantity[] = perValueAdded ? [numerator, 'value-added'] : [numerator];
  const byMonth = new Map(months.map((m) => [m.month, m]));
  const key = (year: number, month: number) => `${year}-${String(month).padStart(2, '0')}`;
  const asOfYear = Number(asOf.slice(0, 4));
  const lastMonth = asOfYear < target.year ? 0 : asOfYear > target.year ? 12 : Number(asOf.slice(5, 7));

  const counted = new Map<number, MonthlyActuals>();
  const monthsNotCounted: TargetProgress['monthsNotCounted'] = [];
  for (let month = 1; month <= lastMonth; month++) {
    const m = byMonth.get(key(target.year, month));
    const lacking = m === undefined ? needed : needed.filter((q) => actualOf(m, q) === undefined);
    if (lacking.length === 0) counted.set(month, m!);
    else monthsNotCounted.push({ month: key(target.year, month), reason: whyNotCounted(m, lacking) });
  }
  const series = (quantity: ActualQuantity) => new Map([...counted].map(([month, m]) => [month, actualOf(m, quantity)!]));
  const previous = (quantity: ActualQuantity) => {
    const out = new Map<number, number>();
    for (let month = 1; month <= 12; month++) {
      const q = byMonth.get(key(target.year - 1, month));
      const v = q === undefined ? undefined : actualOf(q, quantity);
      if (v !== undefined) out.set(month, v.value);
    }
    return out;
  };

  const project = (quantity: ActualQuantity, withProfile: boolean): YearProjection => {
    const p = projectYear(series(quantity), withProfile ? previous(quantity) : new Map());
    return { ...p, profileNote: p.profileNote === null ? null : `${quantity}: ${p.profileNote}` };
  };

  let toDate: Measured | null = null;
  let projection: TargetProjection | null = null;
  if (counted.size > 0 && !perValueAdded) {
    const n = project(numerator, true);
    toDate = n.toDate;
    projection = { ...estimate(n), profile: n.profile, profileNote: n.profileNote, uMeasurement: n.uMeasurement, uProfile: n.uProfile };
  } else if (counted.size > 0) {
    let n = project(numerator, true);
    let va = project('value-added', true);
    // Numerator and value added follow one kind of profile: both the previous year's, or both uniform.
    if (n.profile !== va.profile) {
      const note = n.profileNote ?? va.profileNote;
      n = { ...project(numerator, false), profileNote: note };
      va = { ...project('value-added', false), profileNote: note };
    }
    if (va.toDate.value > 0) {
      toDate = quotient(n.toDate, va.toDate);
      projection = intensityProjection(n, va);
    }
  }
  const verdict = targetStatus(target.metric, target.value, toDate, projection, counted.size);
  return {
    targetId: target.id,
    holder: target.holder,
    year: target.year,
    metric: target.metric,
    ...(target.basis === undefined ? {} : { basis: target.basis }),
    unit: TARGET_UNITS[target.metric],
    ceiling: target.value,
    asOf,
    monthsCounted: [...counted.keys()].map((month) => key(target.year, month)),
    monthsNotCounted,
    toDate: toDate === null ? null : estimate(toDate),
    projection,
    projectionRule: PROJECTION_RULE,
    ...verdict,
    margin: projection === null ? null : target.value - projection.value,
    shareOfCeilingToDate: toDate === null ? null : toDate.value / target.value,
  };
}

/** Numerator and value added projected apart, then divided; the meters' part and the profile's part of u each propagated as a quotient. */
function intensityProjection(n: YearProjection, va: YearProjection): TargetProjection {
  const uMeasurement = quotient({ value: n.value, u: n.uMeasurement }, { value: va.value, u: va.uMeasurement }).u;
  const uProfile = quotient({ value: n.value, u: n.uProfile }, { value: va.value, u: va.uProfile }).u;
  const u = Math.hypot(uMeasurement, uProfile);
  return { value: n.value / va.value, u, expandedUncertainty: expandedUncertainty(u), profile: n.profile, profileNote: n.profileNote, uMeasurement, uProfile };
}

function whyNotCounted(m: MonthlyActuals | RegionMonth | undefined, lacking: readonly ActualQuantity[]): string {
  if (m === undefined) return 'no figures for the month';
  const missing = 'missing' in m ? m.missing.filter((e) => e.quantities.some((q) => lacking.includes(q))) : [];
  if (missing.length === 0) return `${lacking.join(' and ')} not known`;
  return missing.map((e) => `${e.enterpriseId} lacks ${e.quantities.filter((q) => lacking.includes(q)).join(' and ')}`).join('; ');
}
