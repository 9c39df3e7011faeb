import { FIGURE_KINDS, type FigureV1 } from '@meterline/contracts';
import type { Period, TargetProgress } from '@meterline/domain';
import { FIGURE_DETAIL_FIELDS as D, FIGURE_TAGS as T, type RegionTargetProgress } from '@meterline/series';

/** What a progress figure takes from the month it is as of: its period, and the figures it rests on. */
export interface ProgressContext {
  enterpriseId: string;
  region: string;
  month: Period;
  registryVersion: string;
  /** The factor set and energy coverage of the as-of month's enterprise standard coal. */
  factorSet: string;
  coveragePercent: number;
}

/** What a target progress is judged against: the target and its ceiling (a new ceiling is a restatement by TARGET_CHANGED). */
const judgedAgainst = (p: Pick<TargetProgress, 'targetId' | 'ceiling'>): string => `${p.targetId}@${p.ceiling}`;

/**
 * An enterprise's progress on one of its targets as a figure of the month it is as of: the
 * value is the projection to the year's end (with its U), the detail the value to date, the
 * ceiling, the status and the rule that gave it. None without a projection (no month counted):
 * nothing to chart, and no status to alert on.
 */
export function targetProgressRow(progress: TargetProgress, ctx: ProgressContext): FigureV1 | undefined {
  const { projection, toDate } = progress;
  if (projection === null || toDate === null) return undefined;
  return {
    measurement: FIGURE_KINDS.targetProgress,
    enterpriseId: ctx.enterpriseId,
    subject: { [T.region]: ctx.region, [T.metric]: progress.metric, ...(progress.basis === undefined ? {} : { [T.basis]: progress.basis }) },
    periodKind: ctx.month.kind,
    periodKey: ctx.month.key,
    startMs: ctx.month.start,
    endMs: ctx.month.end,
    value: projection.value,
    unit: progress.unit,
    expandedUncertainty: projection.expandedUncertainty,
    coveragePercent: ctx.coveragePercent,
    estimated: 0,
    flags: [],
    factorSet: ctx.factorSet,
    registryVersion: ctx.registryVersion,
    revision: 0,
    detail: {
      [D.verdict]: progress.status,
      [D.judgedAgainst]: judgedAgainst(progress),
      [D.ceiling]: progress.ceiling,
      [D.toDate]: toDate.value,
      [D.toDateExpandedU]: toDate.expandedUncertainty,
      [D.months]: progress.monthsCounted.length,
      [D.profile]: projection.profile,
      [D.statusRule]: progress.rule,
      [D.year]: progress.year,
    },
  };
}

/** A region's progress as the region series stores it; none without a projection. */
export function regionProgressOf(progress: TargetProgress, region: string, month: Period, enterprises: readonly string[], missing: readonly string[], computedAt: Date): RegionTargetProgress | undefined {
  const { projection, toDate } = progress;
  if (projection === null || toDate === null) return undefined;
  return {
    region,
    metric: progress.metric,
    ...(progress.basis === undefined ? {} : { basis: progress.basis }),
    monthStartMs: month.start,
    asOf: month.key,
    year: progress.year,
    targetId: progress.targetId,
    ceiling: progress.ceiling,
    unit: progress.unit,
    toDate: toDate.value,
    toDateExpandedU: toDate.expandedUncertainty,
    projection: projection.value,
    projectionExpandedU: projection.expandedUncertainty,
    months: progress.monthsCounted.length,
    profile: projection.profile,
    status: progress.status,
    statusRule: progress.rule,
    enterprises: [...enterprises],
    missing: [...missing],
    computedAt: computedAt.toISOString(),
  };
}
