import { FIGURE_KINDS, type FigureV1, type RestatementV1 } from '@meterline/contracts';
import {
  calendarPeriod,
  regionMonths,
  standingTargets,
  targetProgress,
  type Enterprise,
  type EnterpriseMonths,
  type LimitStandards,
  type MonthlyActuals,
  type Period,
  type Target,
} from '@meterline/domain';
import { FIGURE_TAGS as T, readFigures, readPublishedFigures, readTargets, STANDARD_COAL_BASES, STANDARD_COAL_LEVELS, writeRegionTargetProgress, type OnUnreadable, type RegionTargetProgress } from '@meterline/series';
import { complianceRows } from './limit-compliance-rows.ts';
import { ACTUALS_KINDS, monthlyActualsOf } from './monthly-actuals-of.ts';
import { publishJudged, type JudgedDeps } from './publish-judged.ts';
import { regionProgressOf, targetProgressRow, type ProgressContext } from './target-progress-rows.ts';

/** The figures that judge a month against a yardstick (a target, a limit standard), apart from the accounting. */
const JUDGED_KINDS = [FIGURE_KINDS.targetProgress, FIGURE_KINDS.limitCompliance] as const;

export interface JudgeDeps extends JudgedDeps {
  onUnreadable: OnUnreadable;
  /** The energy-consumption limit standards products are judged by; none: no compliance figures. */
  limits?: LimitStandards;
}

export interface JudgeRequest {
  enterprise: Enterprise;
  registryVersion: string;
  /** Every enterprise of the registry in the enterprise's region, itself included: whom a region target sums. */
  regionEnterprises: readonly Enterprise[];
  /** The month just accounted, and its figures as computed (not yet readable from the store). */
  month: Period;
  monthFigures: readonly FigureV1[];
  now: number;
}

export interface JudgeReport {
  figures: number;
  added: number;
  changed: number;
  restatements: RestatementV1[];
  regionProgress: number;
}

const monthsOfYearFrom = (month: Period, now: number): Period[] => {
  const out: Period[] = [];
  const year = month.key.slice(0, 4);
  for (let m = Number(month.key.slice(5, 7)); m <= 12; m++) {
    const p = calendarPeriod(`${year}-${String(m).padStart(2, '0')}`, month.timeZone);
    if (p.end > now) break;
    out.push(p);
  }
  return out;
};

/**
 * Judges an enterprise's year from the month just accounted to the last month that has ended:
 * its progress on its own dual-control targets and its products against their limit standards
 * (figures, published and restated like the accounting's), and its region's progress on the
 * region's targets (the region series). A month changes every later month's year to date, so
 * each of them is judged again; the months before are read back from the store, the month just
 * accounted comes from `monthFigures`.
 */
export async function judgeYear(deps: JudgeDeps, request: JudgeRequest): Promise<JudgeReport> {
  const { enterprise, month } = request;
  const tz = enterprise.timeZone;
  const year = Number(month.key.slice(0, 4));
  const ended = monthsOfYearFrom(month, request.now);
  const report: JudgeReport = { figures: 0, added: 0, changed: 0, restatements: [], regionProgress: 0 };
  if (ended.length === 0) return report;
  const span = { start: calendarPeriod(String(year - 1), tz).start, end: calendarPeriod(String(year), tz).end };

  const targets = standingTargets(await readTargets(deps.store, { year }, deps.onUnreadable));
  const own = targets.filter((t) => t.holder.kind === 'enterprise' && t.holder.enterpriseId === enterprise.id);
  const regional = targets.filter((t) => t.holder.kind === 'region' && t.holder.region === enterprise.region);
  const limits = (enterprise.products ?? []).length > 0 ? deps.limits : undefined;
  if (own.length === 0 && regional.length === 0 && !limits) return report;

  const stored = await readFigures(deps.store, enterprise.id, span, ['month'], ACTUALS_KINDS);
  const figures = [...stored.filter((f) => f.periodKey !== month.key), ...request.monthFigures];
  const actuals = monthlyActualsOf(figures);
  // Progress as of a month is judged once the month is accounted: as of a month not yet published there is nothing new to say.
  const asOf = ended.filter((m) => coalOf(figures, m) !== undefined);
  if (asOf.length === 0) return report;

  if (own.length > 0 || limits) {
    const computed = asOf.flatMap((m) => [
      ...own.flatMap((t) => progressRows(t, actuals, m, figures, enterprise, request.registryVersion)),
      ...(limits ? complianceRows(enterprise, limits, m, figures, request.registryVersion) : []),
    ]);
    const published = await readPublishedFigures(deps.store, enterprise.id, { start: asOf[0]!.start, end: asOf[asOf.length - 1]!.end }, ['month'], JUDGED_KINDS);
    Object.assign(report, await publishJudged(deps, enterprise.id, computed, published, request.now));
  }

  if (regional.length > 0) {
    const region = await regionActuals(deps, request, span, actuals);
    const points = asOf.flatMap((m) =>
      regional.flatMap((t): RegionTargetProgress[] => {
        const missing = region.find((r) => r.month === m.key)?.missing.map((x) => x.enterpriseId) ?? [];
        const p = regionProgressOf(targetProgress(t, region, m.key), enterprise.region, m, request.regionEnterprises.map((e) => e.id), missing, new Date(request.now));
        return p ? [p] : [];
      }),
    );
    await writeRegionTargetProgress(deps.store, points);
    report.regionProgress = points.length;
  }
  return report;
}

/**
 * The region's months: this enterprise's as just computed, the others' as they published them.
 * Read one enterprise after another, so a region of hundreds does not put hundreds of queries on
 * the store at once (the cost grows with the region: see the aggregator's README).
 */
async function regionActuals(deps: JudgeDeps, request: JudgeRequest, span: { start: number; end: number }, own: MonthlyActuals[]) {
  const enterprises: EnterpriseMonths[] = [];
  for (const e of request.regionEnterprises) {
    const months = e.id === request.enterprise.id ? own : monthlyActualsOf(await readFigures(deps.store, e.id, span, ['month'], ACTUALS_KINDS));
    enterprises.push({ enterpriseId: e.id, months });
  }
  return regionMonths(
    request.regionEnterprises.map((e) => e.id),
    enterprises,
  );
}

/** The month's enterprise standard coal, equivalent value: the accounting a judgement of the month rests on. */
const coalOf = (figures: readonly FigureV1[], month: Period): FigureV1 | undefined =>
  figures.find(
    (f) => f.measurement === FIGURE_KINDS.standardCoal && f.periodKey === month.key && f.subject[T.level] === STANDARD_COAL_LEVELS.enterprise && f.subject[T.basis] === STANDARD_COAL_BASES.equivalent,
  );

/** The figure of one target as of one month, resting on that month's enterprise standard coal (its factor set and coverage). */
function progressRows(target: Target, actuals: MonthlyActuals[], month: Period, figures: readonly FigureV1[], enterprise: Enterprise, registryVersion: string): FigureV1[] {
  const coal = coalOf(figures, month);
  if (!coal) return [];
  const ctx: ProgressContext = { enterpriseId: enterprise.id, region: enterprise.region, month, registryVersion, factorSet: coal.factorSet, coveragePercent: coal.coveragePercent };
  const row = targetProgressRow(targetProgress(target, actuals, month.key), ctx);
  return row ? [row] : [];
}
