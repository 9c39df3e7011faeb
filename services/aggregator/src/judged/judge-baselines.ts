import { FIGURE_KINDS } from '@meterline/contracts';
import { dayAfter, energyBaselinePeriod, subPeriods, type Enterprise, type EnergyBaseline, type Period } from '@meterline/domain';
import { dailyBaseline } from '@meterline/mining';
import {
  baselineSeriesOf,
  baselineSubjectOf,
  loadBaselineDays,
  readFigureMeasures,
  readPublishedFigures,
  type BaselineSubject,
  type OnUnreadable,
} from '@meterline/series';
import { deviationRows } from './baseline-deviation-rows.ts';
import { noJudgedChanges, publishJudged, type JudgedChanges, type JudgedDeps } from './publish-judged.ts';

/** A declared baseline that could not be judged against, and why (the fit's or the loader's reason). */
export interface BaselineUnfit {
  enterpriseId: string;
  baselineId: string;
  /** The unit (day or month key) whose days were left without baseline_deviation figures. */
  unit: string;
  reason: string;
}
export type OnBaselineUnfit = (unfit: BaselineUnfit) => void;

export interface BaselineDeps extends JudgedDeps {
  onUnreadable: OnUnreadable;
  onBaselineUnfit: OnBaselineUnfit;
}

export interface BaselineRequest {
  enterprise: Enterprise;
  registryVersion: string;
  /** The factor set id the unit's figures were accounted with. */
  factorSet: string;
  /** The unit's key (YYYY-MM-DD or YYYY-MM), for the reports. */
  unit: string;
  /** The unit's ended days, stored: a day unit's day, a month's days. */
  days: readonly Period[];
  now: number;
}

/** The local days a unit judges against the baselines: a day unit's day when it computed it, every day of a month. */
export function daysOfUnit(periods: readonly Period[]): Period[] {
  return periods.flatMap((p) => (p.kind === 'day' ? [p] : p.kind === 'month' ? subPeriods(p, 'day') : []));
}

/**
 * The day figures of a baseline's subject over some days: their U and coverage, which the
 * baseline's days (loadBaselineDays) do not carry. The same series loadBaselineDays reads.
 */
async function measuresOf(deps: BaselineDeps, enterprise: Enterprise, subject: BaselineSubject, days: readonly Period[]) {
  const rows = await readFigureMeasures(deps.store, { ...baselineSeriesOf(subject), enterpriseId: enterprise.id, periodKind: 'day', fromMs: days[0]!.start, toMs: days.at(-1)!.end }, deps.onUnreadable);
  const dateAt = new Map(days.map((d) => [d.start, d.key]));
  return new Map(rows.flatMap((r) => (dateAt.has(r.startMs) ? [[dateAt.get(r.startMs)!, { expandedU: r.expandedU, coveragePercent: r.coveragePercent }] as const] : [])));
}

/**
 * Judges a unit's days against each energy baseline the enterprise declared (registry
 * `energyBaselines`; ISO 50001 EnB, ISO 50006 daily model): for the days after the baseline
 * period, the subject's days are read from the baseline's first day to the unit's last, the
 * baseline fitted once with reporting from the day after the baseline period (so the CUSUM
 * accumulates from there), and each of the unit's days published as a baseline_deviation
 * figure, restated when its deviation or its verdict moved. Per baseline and unit: one read of
 * the subject's days and one fit, and two reads of the unit's days alone (their day figures' U
 * and coverage, the deviations published before). A baseline that cannot be fitted (too few
 * days, a variable missing, several products and none named) gives no figure and is reported to
 * `onBaselineUnfit`.
 */
export async function judgeBaselines(deps: BaselineDeps, request: BaselineRequest): Promise<JudgedChanges> {
  const { enterprise } = request;
  const report = noJudgedChanges();
  for (const baseline of enterprise.energyBaselines ?? []) {
    const changes = await judgeBaseline(deps, request, baseline);
    report.figures += changes.figures;
    report.added += changes.added;
    report.changed += changes.changed;
    report.restatements.push(...changes.restatements);
  }
  return report;
}

async function judgeBaseline(deps: BaselineDeps, request: BaselineRequest, baseline: EnergyBaseline): Promise<JudgedChanges> {
  const { enterprise } = request;
  const period = energyBaselinePeriod(baseline);
  const reportingFrom = dayAfter(period.to);
  const days = request.days.filter((d) => d.key >= reportingFrom && d.end <= request.now);
  if (days.length === 0) return noJudgedChanges();
  const unfit = (reason: string) => {
    deps.onBaselineUnfit({ enterpriseId: enterprise.id, baselineId: baseline.id, unit: request.unit, reason });
    return noJudgedChanges();
  };
  const subject = baselineSubjectOf(enterprise, baseline);
  // The registry's cross-references keep a baseline's point or site in its enterprise; a registry read otherwise is still no crash.
  if (!subject) return unfit(`${baseline.point !== undefined ? `metering point ${baseline.point}` : `site ${baseline.site}`} is not in the enterprise`);
  const last = days.at(-1)!.key;
  const loaded = await loadBaselineDays(deps.store, enterprise, subject, { from: period.from, to: last }, baseline.product, deps.onUnreadable);
  if (!loaded.ok) return unfit(`${loaded.parameter}: ${loaded.detail}`);
  const fit = dailyBaseline(loaded.days, { baseline: period, reporting: { from: reportingFrom, to: last }, ...(baseline.variables ? { variables: baseline.variables } : {}) });
  if (!fit.ok) return unfit(`${fit.error.code}: ${fit.error.message}`);
  const rows = deviationRows(fit.value, {
    enterpriseId: enterprise.id,
    baseline,
    unit: subject.unit,
    registryVersion: request.registryVersion,
    factorSet: request.factorSet,
    days,
    measures: await measuresOf(deps, enterprise, subject, days),
  });
  const published = await readPublishedFigures(deps.store, enterprise.id, { start: days[0]!.start, end: days.at(-1)!.end }, ['day'], [FIGURE_KINDS.baselineDeviation]);
  // Unchanged days are stored again: their cumulative deviation and CUSUM run on from the days before, which may have moved.
  return publishJudged(deps, enterprise.id, rows, published, request.now, { refreshUnchanged: true });
}
