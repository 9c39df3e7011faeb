import { FIGURE_KINDS, type FigureV1 } from '@meterline/contracts';
import { calendarPeriod, type Enterprise } from '@meterline/domain';
import { readFigures, readRegionTargetProgress, type OnUnreadable } from '@meterline/series';
import type { TimeSeriesStore } from '@meterline/store';
import { readBaselineDays, type BaselineDaysRead } from './report-baselines.ts';
import type { PublishedTargetsAndLimits } from './report-targets.ts';

/**
 * What the report reads from the store besides the readings and the manual entries: the
 * month's published targets and limits and fabrication findings, shown as published, and the
 * day figures each declared energy baseline is fitted on.
 */
export interface ReportFigures {
  targetsAndLimits: PublishedTargetsAndLimits;
  /** The month's fabrication_finding figures, clean judgements (value 0) included: they say how many points were judged. */
  fabricationFindings: readonly FigureV1[];
  baselineDays: readonly BaselineDaysRead[];
}

/** The month's stored figures the report shows or fits its baselines on. */
export async function readReportFigures(store: TimeSeriesStore, enterprise: Enterprise, month: string, onUnreadable: OnUnreadable): Promise<ReportFigures> {
  const period = calendarPeriod(month, enterprise.timeZone);
  const [figures, region, baselineDays] = await Promise.all([
    readFigures(store, enterprise.id, period, ['month'], [FIGURE_KINDS.targetProgress, FIGURE_KINDS.limitCompliance, FIGURE_KINDS.fabricationFinding]),
    readRegionTargetProgress(store, enterprise.region, period.start, period.end, onUnreadable),
    readBaselineDays(store, enterprise, month, onUnreadable),
  ]);
  const of = (kind: FigureV1['measurement']) => figures.filter((f) => f.measurement === kind);
  return {
    targetsAndLimits: { targetProgress: of(FIGURE_KINDS.targetProgress), limitCompliance: of(FIGURE_KINDS.limitCompliance), region },
    fabricationFindings: of(FIGURE_KINDS.fabricationFinding),
    baselineDays,
  };
}
