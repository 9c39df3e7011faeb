import type { FigureV1, RestatementV1 } from '@meterline/contracts';
import {
  assembleEnterpriseFigures,
  cumulativePoints,
  monthScorecard,
  pointConsumption,
  readingsBounding,
  subPeriods,
  type AccountingOptions,
  type Enterprise,
  type EnterpriseFigures,
  type FactorSet,
  type LimitStandards,
  type Period,
  type PeriodKind,
  type PointConsumption,
  type TimeRange,
} from '@meterline/domain';
import { readManualEntries, readPublishedFigures, type OnUnreadable } from '@meterline/series';
import type { TimeSeriesStore } from '@meterline/store';
import { planAggregation } from './aggregation-plan.ts';
import { figureRows, scorecardRows } from './figure-rows.ts';
import { loadReadings, type ReadingsByPoint } from './reading-loader.ts';
import { compareWithPublished } from './restatements.ts';
import { writeFigures } from './figure-repository.ts';
import { judgeYear, type JudgeReport } from './judged/judge-year.ts';

/** Where new and restated figures are announced (the Kafka figures and restatements topics). */
export interface FigurePublisher {
  publish(enterpriseId: string, figures: FigureV1[], restatements: RestatementV1[]): Promise<void>;
}

export interface AggregationDeps {
  store: TimeSeriesStore;
  publisher: FigurePublisher;
  readingsMeasurement: string;
  boundSearchMs: number;
  /** Points per store write; a period's figures are never split across writes unless one period alone is larger. */
  writeChunkPoints: number;
  accounting: AccountingOptions;
  /** A stored row of the readings measurement that holds no reading: left out of the accounting, reported here. */
  onUnreadable: OnUnreadable;
  /** The energy-consumption limit standards the enterprise's products are judged by (judge-year.ts); none: no compliance figures. */
  limits?: LimitStandards;
}

export interface AggregationRequest {
  enterprise: Enterprise;
  factorSet: FactorSet;
  registryVersion: string;
  kinds: readonly PeriodKind[];
  range: TimeRange;
  /** Only periods that ended by then are computed. */
  now: number;
  /** Checked between units of work: true stops before the next one, leaving no unit half written. */
  shouldStop?: () => boolean;
  /** Called after each unit (a day or a month): progress, and a chance to heartbeat. */
  onUnit?: (report: UnitReport) => Promise<void> | void;
  /** Every enterprise of the registry in the enterprise's region, itself included: whom its region's targets sum (default: itself alone). */
  regionEnterprises?: readonly Enterprise[];
}

export interface UnitReport {
  enterpriseId: string;
  /** The day (YYYY-MM-DD) or month (YYYY-MM) the unit covered. */
  unit: string;
  index: number;
  units: number;
  periods: number;
  /** End of the latest period computed in the unit. */
  latestPeriodEndMs: number;
  figures: number;
  added: number;
  changed: number;
  unchanged: number;
  restatements: RestatementV1[];
  readingsRead: number;
  /** Where the time went, in ms. */
  timings: { read: number; compute: number; compare: number; publish: number; write: number };
  /** A month: its year judged against the targets from it on (judge-year.ts). */
  judged?: JudgeReport;
}

export interface AggregationResult {
  completed: boolean;
  units: UnitReport[];
}

/**
 * Computes, compares with what was published, and publishes an enterprise's figures for
 * the closed periods of `kinds` in a range. Each unit (a day, or a month) is read,
 * computed, announced on the bus and then written to the store, in that order: a crash
 * before the write leaves the old figures in place and the rerun announces the change
 * again (at least once); a rerun with nothing new writes and announces nothing.
 */
export async function aggregateEnterprise(deps: AggregationDeps, request: AggregationRequest): Promise<AggregationResult> {
  const { enterprise } = request;
  const tz = enterprise.timeZone;
  const points = cumulativePoints(enterprise);
  const pointIds = points.map((p) => p.point.id);
  const plan = planAggregation(request.range, request.kinds, tz, request.now);
  const units = plan.days.filter((d) => d.periods.length > 0).length + plan.months.length;
  const reports: UnitReport[] = [];
  const monthReadings: ReadingsByPoint = new Map();
  // Few per enterprise and month: read whole once per request (a correction may move an entry to another period).
  const manualEntries = await readManualEntries(deps.store, enterprise.id, deps.onUnreadable);
  const manualById = new Map(manualEntries.map((e) => [e.id, e]));
  const accounting = { ...deps.accounting, manualEntries };

  const account = (period: Period, sorted: ReadingsByPoint): EnterpriseFigures => {
    const consumptions = new Map<string, PointConsumption>();
    for (const { point } of points) {
      consumptions.set(point.id, pointConsumption(point, readingsBounding(sorted.get(point.id) ?? [], period), period, tz, deps.accounting));
    }
    return assembleEnterpriseFigures(enterprise, consumptions, period, request.factorSet, accounting);
  };

  const accountPeriod = (period: Period, sorted: ReadingsByPoint): FigureV1[] => {
    const figures = account(period, sorted);
    const rows = figureRows(figures, period, request.registryVersion);
    if (period.kind !== 'month') return rows;
    // The regulator's scorecard judges the month against its days as published: each local day
    // accounted from the month's readings (they hold every day's bounding readings) with the same
    // manual entries, which gives the day figures the day units publish.
    const days = subPeriods(period, 'day').map((day) => account(day, sorted));
    return [...rows, ...scorecardRows(monthScorecard(enterprise, figures, days), figures, period, request.registryVersion)];
  };

  const publishUnit = async (unit: string, periods: Period[], sorted: ReadingsByPoint, readMs: number, readingsRead: number, storedRange: TimeRange, storedKinds: readonly PeriodKind[], month?: Period) => {
    let t = performance.now();
    const computed = periods.flatMap((p) => accountPeriod(p, sorted));
    const compute = performance.now() - t;
    t = performance.now();
    const stored = await readPublishedFigures(deps.store, enterprise.id, storedRange, storedKinds);
    const changes = compareWithPublished(computed, stored, new Date(), manualById);
    const compare = performance.now() - t;
    t = performance.now();
    const fresh = [...changes.added, ...changes.changed];
    if (fresh.length > 0 || changes.restatements.length > 0) await deps.publisher.publish(enterprise.id, fresh, changes.restatements);
    const publish = performance.now() - t;
    t = performance.now();
    // Refreshed figures are stored, not announced: nothing a reader of the figures topic uses moved.
    await writeFigures(deps.store, [...fresh, ...changes.refreshed], changes.restatements, deps.writeChunkPoints);
    const write = performance.now() - t;
    const judged = month
      ? await judgeYear(
          { store: deps.store, publisher: deps.publisher, writeChunkPoints: deps.writeChunkPoints, onUnreadable: deps.onUnreadable, ...(deps.limits ? { limits: deps.limits } : {}) },
          { enterprise, registryVersion: request.registryVersion, regionEnterprises: request.regionEnterprises ?? [enterprise], month, monthFigures: computed, now: request.now },
        )
      : undefined;
    const report: UnitReport = {
      enterpriseId: enterprise.id,
      unit,
      index: reports.length,
      units,
      periods: periods.length,
      latestPeriodEndMs: Math.max(...periods.map((p) => p.end)),
      figures: computed.length,
      added: changes.added.length,
      changed: changes.changed.length,
      unchanged: changes.unchanged,
      restatements: changes.restatements,
      readingsRead,
      timings: { read: readMs, compute, compare, publish, write },
      ...(judged ? { judged } : {}),
    };
    reports.push(report);
    await request.onUnit?.(report);
  };

  for (const { day, periods, month } of plan.days) {
    if (request.shouldStop?.()) return { completed: false, units: reports };
    const t = performance.now();
    // A day feeding a month is read whole; otherwise only the span of its periods (the
    // quarter-hourly run needs a few hours, not the day).
    const span = month ? day : { start: Math.min(...periods.map((p) => p.start)), end: Math.max(...periods.map((p) => p.end)) };
    const { readings, rows } = await loadReadings(
      { store: deps.store, measurement: deps.readingsMeasurement, boundSearchMs: deps.boundSearchMs, onUnreadable: deps.onUnreadable },
      enterprise.id,
      pointIds,
      span,
    );
    const readMs = performance.now() - t;
    if (month) keepForMonth(monthReadings, readings, day, month);
    if (periods.length > 0) {
      const kinds = [...new Set(periods.map((p) => p.kind))];
      await publishUnit(day.key, periods, readings, readMs, rows, span, kinds);
    }
    if (month && day.end >= month.end) {
      if (request.shouldStop?.()) return { completed: false, units: reports };
      await publishUnit(month.key, [month], monthReadings, 0, 0, { start: month.start, end: month.start + 1 }, ['month'], month);
      monthReadings.clear();
    }
  }
  return { completed: true, units: reports };
}

/**
 * Keeps a day's readings for its month: the readings inside the day, plus the reading
 * before the month on its first day and the one after it on its last, so the month sees
 * exactly the readings that bound its intervals.
 */
function keepForMonth(kept: ReadingsByPoint, day: ReadingsByPoint, range: TimeRange, month: Period): void {
  for (const [pointId, readings] of day) {
    let list = kept.get(pointId);
    if (!list) kept.set(pointId, (list = []));
    const last = list.length > 0 ? list[list.length - 1]!.at : -Infinity;
    const until = range.end >= month.end ? Infinity : range.end;
    for (const r of readings) if (r.at > last && r.at < until) list.push(r);
  }
}
