import { combineSum } from '../uncertainty/gum.ts';
import type { Measured } from './monthly-actuals.ts';

export type SeasonalProfile = 'previous-year' | 'uniform';

/** A quantity's year projected from the months counted so far. */
export interface YearProjection {
  /** Σ over the months counted, u in quadrature. */
  toDate: Measured;
  /** The projected year's value. */
  value: number;
  /** Standard uncertainty of the projection: measurement and profile in quadrature. */
  u: number;
  /** The part from the meters: u(to-date) ÷ s. */
  uMeasurement: number;
  /** The part from the seasonal profile (see PROJECTION_RULE). */
  uProfile: number;
  profile: SeasonalProfile;
  /** s: the share of the year the months counted carried in the profile. */
  share: number;
  /** Why the previous year's profile was not used, when it was not. */
  profileNote: string | null;
}

/** The rule a projection follows, as the result states it to a regulator. */
export const PROJECTION_RULE =
  'Projected year = value to date ÷ s, where s is the share of the year the months counted carried in the previous year ' +
  '(Σ of the previous year over the same months ÷ Σ of the previous year); without a complete previous year (all 12 months, each above zero), ' +
  's = months counted ÷ 12 (uniform profile). An intensity projects its numerator and its value added apart, then divides. ' +
  'Standard uncertainty: (1) the meters: u(to date) ÷ s; (2) the profile: each month counted is compared with the same month of the previous year ' +
  'scaled by the year-to-date ratio g = to date ÷ previous year over the same months; the residual scatter σ² = Σ(xᵢ − g·pᵢ)²/pᵢ ÷ (n − 1) is taken ' +
  'to hold for the months to come, giving u² = σ²·P_rest·P_year ÷ P_counted (the prediction error of a ratio estimate: the scatter of the months to come ' +
  'plus the error of g). With one month counted there is no scatter to measure and the rest of the year is taken as anywhere from 0 to twice its ' +
  'projection: u = (projection − to date) ÷ √3. With 12 months counted the profile adds nothing. (1) and (2) add in quadrature; an intensity ' +
  "combines its numerator's and value added's relative uncertainties in quadrature as if independent, which widens the band when both move together. " +
  'Expanded uncertainty U = 2u.';

/**
 * Projects a year from its months so far and the holder's own seasonal profile.
 *
 * The months counted carried the share s = P_counted / P_year of the previous year, so the
 * year is to-date / s. Without a complete previous year the profile is uniform: pᵢ = 1 for
 * every month, which is the same rule with s = n / 12.
 *
 * Profile uncertainty: a ratio model xᵢ = g·pᵢ + εᵢ with var(εᵢ) = σ²·pᵢ, for which
 * ĝ = Σx / Σp is the best linear unbiased estimate (the classic ratio estimator, Cochran,
 * Sampling Techniques, ch. 6). The months to come are predicted as ĝ·P_rest, with error
 * variance σ²·P_rest (their own scatter) + P_rest²·σ²/P_counted (the error of ĝ)
 * = σ²·P_rest·P_year / P_counted. σ² is estimated from the months counted with n − 1
 * degrees of freedom; with a single month it cannot be, and the rest of the year is read
 * as a rectangular distribution from 0 to twice its estimate, u = estimate / √3 (as
 * estimated consumption is elsewhere, GUM 4.3.7). Measurement uncertainty adds in
 * quadrature (GUM 5.1.2): it is partly in the scatter already, so the sum errs wide.
 * The previous year's own measurement errors are left out: they enter s through both its
 * numerator and its denominator and largely cancel.
 *
 * `counted` maps month number (1-12) to this year's measured month; `previousYear` maps
 * month number to the previous year's value (missing months absent). `counted` is not empty.
 */
export function projectYear(counted: ReadonlyMap<number, Measured>, previousYear: ReadonlyMap<number, number>): YearProjection {
  const months = [...counted.keys()].sort((a, b) => a - b);
  const toDate: Measured = { value: months.reduce((s, m) => s + counted.get(m)!.value, 0), u: combineSum(months.map((m) => counted.get(m)!.u)) };
  const profileNote = previousYearUnusable(previousYear);
  const p = (month: number): number => (profileNote === null ? previousYear.get(month)! : 1);
  const pYear = Array.from({ length: 12 }, (_, i) => p(i + 1)).reduce((s, x) => s + x, 0);
  const pCounted = months.reduce((s, m) => s + p(m), 0);
  const pRest = pYear - pCounted;
  const share = pCounted / pYear;
  const value = toDate.value / share;
  const uMeasurement = toDate.u / share;
  let uProfile = 0;
  if (months.length === 1 && pRest > 0) {
    uProfile = Math.abs(value - toDate.value) / Math.sqrt(3);
  } else if (pRest > 0) {
    const g = toDate.value / pCounted;
    const sigma2 = months.reduce((s, m) => s + (counted.get(m)!.value - g * p(m)) ** 2 / p(m), 0) / (months.length - 1);
    uProfile = Math.sqrt((sigma2 * pRest * pYear) / pCounted);
  }
  return {
    toDate,
    value,
    u: combineSum([uMeasurement, uProfile]),
    uMeasurement,
    uProfile,
    profile: profileNote === null ? 'previous-year' : 'uniform',
    share,
    profileNote,
  };
}

/** Why the previous year cannot serve as the profile, or null when it can. */
function previousYearUnusable(previousYear: ReadonlyMap<number, number>): string | null {
  const monthsOfYear = Array.from({ length: 12 }, (_, i) => i + 1);
  const absent = monthsOfYear.filter((m) => !previousYear.has(m));
  if (absent.length > 0) return `the previous year lacks month ${absent.join(', ')}: uniform profile`;
  const notPositive = monthsOfYear.filter((m) => !(previousYear.get(m)! > 0));
  if (notPositive.length > 0) return `the previous year is not above zero in month ${notPositive.join(', ')}: uniform profile`;
  return null;
}
