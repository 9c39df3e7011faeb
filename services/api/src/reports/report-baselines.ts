import type { FigureV1 } from '@meterline/contracts';
import { dayAfter, energyBaselinePeriod, periodLastDay, type Enterprise, type EnergyBaseline } from '@meterline/domain';
import { dailyBaseline, type DailyBaseline, type DailyInput } from '@meterline/mining';
import { baselineSubjectOf, FIGURE_DETAIL_FIELDS as D, FIGURE_TAGS as T, loadBaselineDays, type OnUnreadable } from '@meterline/series';
import type { TimeSeriesStore } from '@meterline/store';
import { PUBLISHED_FIGURES, type MonthlyReport } from './report-schema.ts';

type Section = MonthlyReport['baselinesAndIntegrity'];
type BaselineRow = Section['baselines'][number];
type DayRange = { from: string; to: string };


/** A declared baseline and the stored days it is fitted on, or why they cannot be read. */
export interface BaselineDaysRead {
  baseline: EnergyBaseline;
  /** tce, or the point's unit. */
  unit: string;
  /** The days of the month after the baseline period; null when the month has none. */
  reporting: DayRange | null;
  /** The baseline period's days and the reporting days (nothing between them is read). */
  days: { ok: true; days: DailyInput[] } | { ok: false; reason: string };
}

/** The month's days after the baseline period: the days the report judges and sums savings over. */
function reportingDays(period: DayRange, month: string): DayRange | null {
  const from = [`${month}-01`, dayAfter(period.to)].sort()[1]!;
  const to = periodLastDay(month)!;
  return from <= to ? { from, to } : null;
}

/** Each declared energy baseline's days: its period's and the month's after it, as the baseline route reads them. */
export async function readBaselineDays(store: TimeSeriesStore, enterprise: Enterprise, month: string, onUnreadable: OnUnreadable): Promise<BaselineDaysRead[]> {
  return Promise.all(
    (enterprise.energyBaselines ?? []).map(async (baseline): Promise<BaselineDaysRead> => {
      const period = energyBaselinePeriod(baseline);
      const reporting = reportingDays(period, month);
      const subject = baselineSubjectOf(enterprise, baseline);
      if (!subject) return { baseline, unit: '', reporting, days: { ok: false, reason: `${baseline.point !== undefined ? `metering point ${baseline.point}` : `site ${baseline.site}`} is not in enterprise ${enterprise.id}` } };
      const ranges = reporting ? [period, reporting] : [period];
      const read = await Promise.all(ranges.map((range) => loadBaselineDays(store, enterprise, subject, range, baseline.product, onUnreadable)));
      const refused = read.find((r) => !r.ok);
      if (refused && !refused.ok) return { baseline, unit: subject.unit, reporting, days: { ok: false, reason: `${refused.detail} (the baseline's product in the registry)` } };
      return { baseline, unit: subject.unit, reporting, days: { ok: true, days: read.flatMap((r) => (r.ok ? r.days : [])) } };
    }),
  );
}

/** The days the inputs hash names: each baseline's days as read, by baseline id (none when no baseline is declared). */
export const baselineHashInputs = (reads: readonly BaselineDaysRead[]): Record<string, DailyInput[]> =>
  Object.fromEntries(reads.map((r) => [r.baseline.id, r.days.ok ? r.days.days : []]));

function modelOf(fit: DailyBaseline): NonNullable<BaselineRow['model']> {
  const { model } = fit;
  return {
    variables: fit.variables,
    baselineDays: fit.baselineDays,
    excludedDays: fit.excludedDays.length,
    rSquared: model.statistics.rSquared,
    cvRmsePercent: model.statistics.cvRmsePercent,
    nmbePercent: model.statistics.nmbePercent,
    passed: model.verdict.passed,
    criteria: `${model.verdict.criteriaId}@${model.verdict.criteriaVersion}`,
    failures: model.verdict.failures.map((f) => f.explanation),
  };
}

/** The judged days of a fit with a reporting period: prediction, band, and the running Σ(actual − expected). */
function daysOf(fit: DailyBaseline): Pick<BaselineRow, 'days' | 'changePoints'> {
  const cumulative = new Map(fit.anomalies.cusum.dates.map((date, i) => [date, fit.anomalies.cusum.cumulative[i]!]));
  return {
    days: fit.band.map((d) => ({
      date: d.date,
      actual: d.actual,
      expected: d.predicted,
      predictionLow: d.low,
      predictionHigh: d.high,
      outside: d.actual > d.high ? 'above' : d.actual < d.low ? 'below' : null,
      cumulativeDeviation: cumulative.get(d.date)!,
    })),
    changePoints: fit.anomalies.cusum.changePoints.map((c) => ({ direction: c.direction, startDate: c.startDate, signalDate: c.signalDate, shift: c.shift })),
  };
}

/**
 * One baseline for the month (ISO 50006; savings and their uncertainty by ASHRAE Guideline 14):
 * the model fitted on the baseline period, the month's days after it judged against the model,
 * the savings over them with U, claimed or not and why. Without reporting days, or when they
 * cannot be judged, the model alone with the reason; without a model, the reason.
 */
function baselineRow(read: BaselineDaysRead, month: string): BaselineRow {
  const { baseline, reporting } = read;
  const period = energyBaselinePeriod(baseline);
  const row: BaselineRow = {
    id: baseline.id,
    point: baseline.point ?? null,
    unit: read.unit,
    period,
    product: baseline.product ?? null,
    reporting,
    model: null,
    savings: null,
    days: [],
    changePoints: [],
    reason: null,
  };
  if (!read.days.ok) return { ...row, reason: `no model: ${read.days.reason}` };
  const options = { baseline: period, ...(baseline.variables ? { variables: baseline.variables } : {}) };
  const judged = reporting ? dailyBaseline(read.days.days, { ...options, reporting }) : null;
  if (judged?.ok && judged.value.reporting) {
    const s = judged.value.reporting.savings;
    return {
      ...row,
      model: modelOf(judged.value),
      savings: { days: judged.value.reporting.days, adjustedBaseline: s.adjustedBaseline, actual: s.actual, savings: s.savings, expandedUncertainty: s.U, claimed: s.claim.allowed, notClaimedReasons: s.claim.reasons },
      ...daysOf(judged.value),
    };
  }
  // The model alone says whether the baseline can be fitted at all, and how well.
  const alone = dailyBaseline(read.days.days, options);
  if (!alone.ok) return { ...row, reason: `no model: ${alone.error.message}` };
  const why = judged && !judged.ok ? judged.error.message : `${month} has no day after the baseline period, which ends on ${period.to}`;
  return { ...row, model: modelOf(alone.value), reason: `no savings for ${month}: ${why}` };
}

/** A figure's text detail, or null when empty or absent. */
const detailText = (f: FigureV1, key: string): string | null => (typeof f.detail[key] === 'string' && f.detail[key] !== '' ? f.detail[key] : null);
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The month's fabrication judgements: the findings (value 1), and how many points were judged at all. */
function fabricationOf(figures: readonly FigureV1[], enterpriseId: string, month: string): Section['fabrication'] {
  const judged = new Set(figures.map((f) => f.subject[T.point] ?? ''));
  const findings = figures
    .filter((f) => f.value === 1)
    .map((f) => ({ point: f.subject[T.point] ?? '', detector: f.subject[T.detector] ?? '', summary: detailText(f, D.findingSummary) ?? '', evidence: detailText(f, D.evidence), revision: f.revision }))
    .sort((a, b) => byText(a.point, b.point) || byText(a.detector, b.detector));
  const points = (n: number) => `${n} point${n === 1 ? '' : 's'}`;
  const found = new Set(findings.map((f) => f.point)).size;
  const [status, statement] =
    figures.length === 0
      ? (['not-judged', `not yet judged: no fabrication detector's judgement of ${enterpriseId} is stored for ${month}`] as const)
      : findings.length === 0
        ? (['none-found', `none found among ${points(judged.size)} judged`] as const)
        : (['found', `signs found on ${points(found)} of ${judged.size} judged (${findings.length} finding${findings.length === 1 ? '' : 's'})`] as const);
  return { source: PUBLISHED_FIGURES, status, pointsJudged: judged.size, findings, statement };
}

/**
 * The report's "Energy baselines and data integrity": each declared baseline fitted for the
 * month, in the registry's order, and the month's published fabrication findings.
 */
export function baselinesAndIntegrity(reads: readonly BaselineDaysRead[], fabricationFindings: readonly FigureV1[], enterpriseId: string, month: string): Section {
  return {
    baselines: reads.map((r) => baselineRow(r, month)),
    baselinesReason: reads.length > 0 ? null : `${enterpriseId} declares no energy baseline (registry energyBaselines)`,
    fabrication: fabricationOf(fabricationFindings, enterpriseId, month),
  };
}
