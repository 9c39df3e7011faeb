import { expandedUncertainty } from '../uncertainty/gum.ts';
import type { Measured } from './monthly-actuals.ts';
import type { TargetMetric } from './target.ts';

export const TARGET_STATUSES = ['no-data', 'on-track', 'at-risk', 'exceeded'] as const;
export type TargetStatus = (typeof TARGET_STATUSES)[number];

/**
 * The rule of each status, verbatim as a regulator reads it. U is the expanded uncertainty,
 * k = 2 (about 95 %, GUM 6.3). A ceiling is judged "clearly" passed only beyond U, so a
 * status never rests on a difference the meters cannot tell.
 */
export const TARGET_STATUS_RULES: Readonly<Record<TargetStatus, string>> = Object.freeze({
  'no-data':
    'No data: no month of the year is counted yet (a month counts when every quantity the metric needs is known for it), ' +
    'or the value added to date is not above zero, so no intensity can be formed.',
  exceeded:
    'Exceeded: for a total (energy or CO2), the value to date minus its expanded uncertainty U (k = 2) is already above the ceiling; ' +
    "for any metric with all 12 months counted, the year's value minus U is above the ceiling.",
  'at-risk':
    'At risk: not exceeded, but the projection to year end plus its expanded uncertainty U (k = 2) is above the ceiling ' +
    "(with all 12 months counted: the year's value is within U of the ceiling or above it, not decidable at the data's quality).",
  'on-track': 'On track: the projection to year end plus its expanded uncertainty U (k = 2) is at or below the ceiling.',
});

const isTotal = (metric: TargetMetric): boolean => metric === 'energy-total' || metric === 'co2-total';
const fmt = (x: number): string => String(Number(x.toPrecision(6)));

export interface StatusVerdict {
  status: TargetStatus;
  /** TARGET_STATUS_RULES[status]. */
  rule: string;
  /** One line: the numbers the verdict rests on. */
  detail: string;
}

/**
 * The status of a target from its value to date and its projection (standard uncertainties),
 * both null when nothing is counted. `monthsCounted` of 12 makes the projection the year.
 */
export function targetStatus(metric: TargetMetric, ceiling: number, toDate: Measured | null, projection: Measured | null, monthsCounted: number): StatusVerdict {
  const verdict = (status: TargetStatus, detail: string): StatusVerdict => ({ status, rule: TARGET_STATUS_RULES[status], detail });
  if (toDate === null || projection === null) return verdict('no-data', monthsCounted === 0 ? 'no month counted' : 'value added to date is not above zero');
  const uToDate = expandedUncertainty(toDate.u);
  const uProjection = expandedUncertainty(projection.u);
  if (isTotal(metric) && toDate.value - uToDate > ceiling) {
    return verdict('exceeded', `to date ${fmt(toDate.value)} − U ${fmt(uToDate)} = ${fmt(toDate.value - uToDate)} > ceiling ${fmt(ceiling)}`);
  }
  if (monthsCounted === 12 && projection.value - uProjection > ceiling) {
    return verdict('exceeded', `year ${fmt(projection.value)} − U ${fmt(uProjection)} = ${fmt(projection.value - uProjection)} > ceiling ${fmt(ceiling)}`);
  }
  const band = `${monthsCounted === 12 ? 'year' : 'projection'} ${fmt(projection.value)} + U ${fmt(uProjection)} = ${fmt(projection.value + uProjection)}`;
  if (projection.value + uProjection > ceiling) {
    const clearly = monthsCounted < 12 && projection.value - uProjection > ceiling ? '; the projection is clearly above the ceiling (− U too)' : '';
    return verdict('at-risk', `${band} > ceiling ${fmt(ceiling)}${clearly}`);
  }
  return verdict('on-track', `${band} ≤ ceiling ${fmt(ceiling)}`);
}

