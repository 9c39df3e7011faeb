import type { FigureV1 } from '@meterline/contracts';
import { TARGET_METRICS, type Enterprise } from '@meterline/domain';
import { COMPLIANCE_SPANS, FIGURE_DETAIL_FIELDS as D, FIGURE_TAGS as T, type RegionTargetProgress } from '@meterline/series';
import { PUBLISHED_FIGURES, type MonthlyReport } from './report-schema.ts';

type TargetsAndLimits = MonthlyReport['targetsAndLimits'];

/**
 * What the aggregator stored for the enterprise's month: its target_progress and
 * limit_compliance figures, and its region's progress. Read, never recomputed: a target's
 * progress rests on the year so far and the previous year's profile, two years of accounting
 * a report should not redo.
 */
export interface PublishedTargetsAndLimits {
  targetProgress: readonly FigureV1[];
  limitCompliance: readonly FigureV1[];
  region: readonly RegionTargetProgress[];
}

const detailNumber = (f: FigureV1, key: string): number | null => (typeof f.detail[key] === 'number' ? f.detail[key] : null);
const detailText = (f: FigureV1, key: string): string | null => (typeof f.detail[key] === 'string' && f.detail[key] !== '' ? f.detail[key] : null);
const metricOrder = (metric: string): number => {
  const i = (TARGET_METRICS as readonly string[]).indexOf(metric);
  return i < 0 ? TARGET_METRICS.length : i;
};
const SPAN_ORDER: readonly string[] = [COMPLIANCE_SPANS.month, COMPLIANCE_SPANS.yearToDate];
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function targetRow(f: FigureV1): TargetsAndLimits['targets'][number] {
  return {
    metric: f.subject[T.metric] ?? '',
    basis: f.subject[T.basis] ?? null,
    year: detailNumber(f, D.year),
    unit: f.unit,
    ceiling: detailNumber(f, D.ceiling),
    toDate: detailNumber(f, D.toDate),
    toDateExpandedUncertainty: detailNumber(f, D.toDateExpandedU),
    projection: f.value,
    projectionExpandedUncertainty: f.expandedUncertainty,
    months: detailNumber(f, D.months),
    profile: detailText(f, D.profile),
    status: detailText(f, D.verdict) ?? 'no-data',
    statusRule: detailText(f, D.statusRule),
    judgedAgainst: detailText(f, D.judgedAgainst),
    revision: f.revision,
  };
}

function complianceRow(f: FigureV1): TargetsAndLimits['compliance'][number] {
  const grade = (value: string, verdict: string) => ({ value: detailNumber(f, value), verdict: detailText(f, verdict) });
  return {
    product: f.subject[T.product] ?? '',
    standard: f.subject[T.standard] ?? '',
    span: f.subject[T.span] ?? '',
    siteId: f.subject[T.site] ?? null,
    unit: f.unit,
    value: f.value,
    expandedUncertainty: f.expandedUncertainty,
    verdict: detailText(f, D.verdict) ?? 'not-applicable',
    bindingGrade: detailText(f, D.bindingGrade),
    standardNumber: detailText(f, D.standardNumber),
    clause: detailText(f, D.clause),
    limit: grade(D.limitValue, D.limitVerdict),
    access: grade(D.accessValue, D.accessVerdict),
    advanced: grade(D.advancedValue, D.advancedVerdict),
    months: detailNumber(f, D.months),
    judgedAgainst: detailText(f, D.judgedAgainst),
    revision: f.revision,
  };
}

function regionRow(p: RegionTargetProgress): TargetsAndLimits['region'][number] {
  return {
    region: p.region,
    metric: p.metric,
    basis: p.basis ?? null,
    year: p.year,
    targetId: p.targetId,
    unit: p.unit,
    ceiling: p.ceiling,
    toDate: p.toDate,
    toDateExpandedUncertainty: p.toDateExpandedU,
    projection: p.projection,
    projectionExpandedUncertainty: p.projectionExpandedU,
    months: p.months,
    profile: p.profile,
    status: p.status,
    statusRule: p.statusRule,
    enterprises: [...p.enterprises],
    missing: [...p.missing],
    computedAt: p.computedAt,
  };
}

const byMetric = <R extends { metric: string; basis: string | null }>(a: R, b: R): number => metricOrder(a.metric) - metricOrder(b.metric) || byText(a.basis ?? '', b.basis ?? '');

/**
 * The report's "Targets and limits": the published figures of the month as rows, in a fixed
 * order (targets by metric, products by product, standard, site, then the month before the
 * year to date), each empty list with the sentence that says why.
 */
export function targetsAndLimits(published: PublishedTargetsAndLimits, enterprise: Pick<Enterprise, 'id' | 'region'>, month: string): TargetsAndLimits {
  const targets = published.targetProgress.map(targetRow).sort(byMetric);
  // The region series is as of a month; a point of another month in the range (another time zone's month start) is not this one.
  const region = published.region.filter((p) => p.region === enterprise.region && p.asOf === month).map(regionRow).sort(byMetric);
  const compliance = published.limitCompliance
    .map(complianceRow)
    .sort((a, b) => byText(a.product, b.product) || byText(a.standard, b.standard) || byText(a.siteId ?? '', b.siteId ?? '') || SPAN_ORDER.indexOf(a.span) - SPAN_ORDER.indexOf(b.span));
  return {
    source: PUBLISHED_FIGURES,
    targets,
    targetsReason: targets.length > 0 ? null : `no target progress of ${enterprise.id} is published for ${month}: the enterprise has no dual-control target for the year, or its month is not aggregated yet`,
    region,
    regionReason: region.length > 0 ? null : `no progress of region ${enterprise.region} is published as of ${month}: the region has no dual-control target for the year, or its enterprises' month is not aggregated yet`,
    compliance,
    complianceReason:
      compliance.length > 0 ? null : `no limit compliance of ${enterprise.id} is published for ${month}: none of its products is mapped to an energy-consumption limit standard, or its month is not aggregated yet`,
  };
}
