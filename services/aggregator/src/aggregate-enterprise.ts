import { setImmediate } from 'node:timers/promises';
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
  UNACCOUNTED_ENTRY_KINDS,
} from '@meterline/domain';
import { readLandedMarks, readManualEntries, readPublishedFigures, readUnitStates, writeUnitStates, type OnUnreadable, type UnitState } from '@meterline/series';
import { createSemaphore } from '@meterline/service-kit';
import type { TimeSeriesStore } from '@meterline/store';
import { planAggregation } from './aggregation-plan.ts';
import { contextDigest, reachOf, stateKey, workPlan } from './incremental-plan.ts';
import { figureRows, scorecardRows } from './figure-rows.ts';
import { loadReadings, type ReadingsByPoint } from './reading-loader.ts';
import { compareWithPublished, publishedIndex, type FigureChanges } from './restatements.ts';
import { writeFigures } from './figure-repository.ts';
import { judgeYear, type JudgeReport } from './judged/judge-year.ts';
import { daysOfUnit, judgeBaselines, type OnBaselineUnfit } from './judged/judge-baselines.ts';
import { judgeFabrication } from './judged/judge-fabrication.ts';
import type { JudgedChanges } from './judged/publish-judged.ts';

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
  /**
   * A declared energy baseline that cannot be fitted: its days get no baseline_deviation figures,
   * reported here (absent: as a process warning on stderr, so it is never silent).
   */
  onBaselineUnfit?: OnBaselineUnfit;
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
  /**
   * Compute only what changed (incremental-plan.ts): periods whose inputs moved since they were
   * computed, and periods never computed. Unchanged periods are not read back. Default false:
   * every planned period is computed and compared, as a job someone asked for expects.
   */
  incremental?: boolean;
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
  /** The unit's days judged against the enterprise's declared energy baselines (judge-baselines.ts), when it declares any. */
  baselines?: JudgedChanges;
  /** A month: its metered points judged by the fabrication detectors (judge-fabrication.ts). */
  fabrication?: JudgedChanges;
}

export interface AggregationResult {
  completed: boolean;
  units: UnitReport[];
  /** Days and months of the range left alone: computed before from the same inputs (incremental only). */
  skipped: { days: number; months: number };
}

const warnUnfit: OnBaselineUnfit = (u) =>
  process.emitWarning(`energy baseline ${u.baselineId} of ${u.enterpriseId} cannot be fitted for ${u.unit}, no baseline_deviation figures: ${u.reason}`);

/** Units announced or being written while the next is computed. */
const UNITS_IN_FLIGHT = 1;
/** Store writes of figure parts in flight at once: InfluxDB takes points faster from two than from one (bench:aggregate's raw figure write). */
const WRITES_IN_FLIGHT = 2;

/** Wall time from the first of overlapping operations started to the last ended, in ms. */
class Span {
  private first: number | undefined;
  private last = 0;
  start(): () => void {
    this.first ??= performance.now();
    return () => {
      this.last = Math.max(this.last, performance.now());
    };
  }
  get ms(): number {
    return this.first === undefined ? 0 : this.last - this.first;
  }
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
  const reports: UnitReport[] = [];
  const monthReadings: ReadingsByPoint = new Map();
  // Few per enterprise and month: read whole once per request (a correction may move an entry to another period).
  // Entries the accounting does not read (outdoor temperatures) would only make every period look changed.
  const manualEntries = (await readManualEntries(deps.store, enterprise.id, deps.onUnreadable)).filter((e) => !UNACCOUNTED_ENTRY_KINDS.has(e.kind));
  const manualById = new Map(manualEntries.map((e) => [e.id, e]));
  const accounting = { ...deps.accounting, manualEntries };

  // What was computed before and what landed since: two small reads, before any reading is
  // read, so readings landing from here on leave the units dirty for the next run.
  const planSpan = plan.days.length > 0 ? { start: plan.days[0]!.day.start, end: plan.days.at(-1)!.day.end } : undefined;
  const reachMs = reachOf(enterprise);
  const states = new Map<string, UnitState>();
  const marks = planSpan ? await readLandedMarks(deps.store, deps.readingsMeasurement, enterprise.id, planSpan.start - reachMs, planSpan.end + reachMs, deps.onUnreadable) : [];
  if (planSpan) for (const st of await readUnitStates(deps.store, enterprise.id, planSpan.start, planSpan.end, deps.onUnreadable)) states.set(stateKey(st.unit, st.startMs), st);
  const context = contextDigest({
    registryVersion: request.registryVersion,
    factorSet: `${request.factorSet.id}@${request.factorSet.version}`,
    manualEntries,
    limits: deps.limits ? `${deps.limits.id}@${deps.limits.version}` : '',
  });
  const work = workPlan(plan, states, { context, marks, reachMs }, { incremental: request.incremental === true, now: request.now }, enterprise.id);
  const units = work.days.filter((d) => d.periods.length > 0).length + work.months.length;
  const skipped = { days: work.skippedDays, months: work.skippedMonths };
  const monthStates = new Map(work.months.map((m) => [m.month.start, m.state]));
  await writeUnitStates(deps.store, work.statesOnly);

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

  // Units overlap: while one unit is announced and written, the next is read, computed and
  // compared (its periods are other periods). Within a unit, its figures go out in parts of whole
  // periods (about `writeChunkPoints` figures, one store write each): a part is announced, then
  // written, while the next part is computed, so the computing, the announcing and the writing of
  // one unit overlap too. Each figure is still announced before it is written and a unit's state
  // recorded only once all its parts are stored; announcements keep the parts' and the units'
  // order, and a unit's writes start once the unit before is stored. A month waits for the days
  // before it (judging the year reads stored month figures).
  let announcing: Promise<unknown> = Promise.resolve();
  let storing: Promise<unknown> = Promise.resolve();
  const inFlight: Promise<void>[] = [];
  const drain = async () => {
    while (inFlight.length > 0) await inFlight.shift();
  };
  const writes = createSemaphore(WRITES_IN_FLIGHT);

  const publishUnit = async (unit: string, periods: Period[], sorted: ReadingsByPoint, readMs: number, readingsRead: number, storedRange: TimeRange, storedKinds: readonly PeriodKind[], state: UnitState, month?: Period) => {
    let t = performance.now();
    const published = publishedIndex(await readPublishedFigures(deps.store, enterprise.id, storedRange, storedKinds));
    let compare = performance.now() - t;
    let compute = 0;
    const restatedAt = new Date();
    const computed: FigureV1[] = [];
    const changes: FigureChanges = { added: [], changed: [], restatements: [], unchanged: 0, refreshed: [] };
    // The time spans from a unit's first part announced (written) to its last: parts overlap.
    const spans = { publish: new Span(), write: new Span() };
    const unitStored = storing;
    const partsStored: Promise<void>[] = [];
    let failure: unknown;

    const sendPart = (part: FigureV1[]) => {
      t = performance.now();
      const found = compareWithPublished(part, published, restatedAt, manualById);
      compare += performance.now() - t;
      changes.added.push(...found.added);
      changes.changed.push(...found.changed);
      changes.restatements.push(...found.restatements);
      changes.unchanged += found.unchanged;
      changes.refreshed.push(...found.refreshed);
      const fresh = [...found.added, ...found.changed];
      const toStore = [...fresh, ...found.refreshed];
      if (toStore.length === 0 && found.restatements.length === 0) return;
      const announced = announcing.then(async () => {
        if (fresh.length === 0 && found.restatements.length === 0) return;
        const end = spans.publish.start();
        await deps.publisher.publish(enterprise.id, fresh, found.restatements);
        end();
      });
      announcing = announced;
      const partStored = Promise.all([unitStored, announced]).then(() =>
        writes.run(async () => {
          const end = spans.write.start();
          // Refreshed figures are stored, not announced: nothing a reader of the figures topic uses moved.
          await writeFigures(deps.store, toStore, found.restatements, deps.writeChunkPoints);
          end();
        }),
      );
      // Awaited with the unit's other parts below; a part that fails stops the parts not yet sent.
      partStored.catch((error: unknown) => (failure ??= error));
      partsStored.push(partStored);
    };

    let part: FigureV1[] = [];
    for (const period of periods) {
      if (failure !== undefined) break;
      t = performance.now();
      const rows = accountPeriod(period, sorted);
      compute += performance.now() - t;
      computed.push(...rows);
      part.push(...rows);
      if (part.length >= deps.writeChunkPoints) {
        sendPart(part);
        part = [];
        // Lets the parts already sent go out (their announcement acknowledged, their write sent) before the next is computed.
        await setImmediate();
      }
    }
    if (part.length > 0) sendPart(part);

    const done = Promise.all(partsStored).then(async () => {
      await finishUnit(unit, periods, computed, changes, readingsRead, { read: readMs, compute, compare, publish: spans.publish.ms, write: spans.write.ms }, state, month);
    });
    storing = done;
    // Awaited by drain(); a failure fails the run there, never as an unhandled rejection meanwhile.
    done.catch(() => undefined);
    inFlight.push(done);
    while (inFlight.length > UNITS_IN_FLIGHT) await inFlight.shift();
    if (month) await drain();
  };

  const finishUnit = async (
    unit: string,
    periods: Period[],
    computed: FigureV1[],
    changes: FigureChanges,
    readingsRead: number,
    timings: UnitReport['timings'],
    state: UnitState,
    month?: Period,
  ) => {
    const judging = { store: deps.store, publisher: deps.publisher, writeChunkPoints: deps.writeChunkPoints, onUnreadable: deps.onUnreadable };
    const judged = month
      ? await judgeYear(
          { ...judging, ...(deps.limits ? { limits: deps.limits } : {}) },
          { enterprise, registryVersion: request.registryVersion, regionEnterprises: request.regionEnterprises ?? [enterprise], month, monthFigures: computed, now: request.now },
        )
      : undefined;
    const fabrication = month
      ? await judgeFabrication(judging, { enterprise, registryVersion: request.registryVersion, factorSet: request.factorSet.id, month, now: request.now })
      : undefined;
    // The unit's day figures are stored by now: each baseline reads them back with the days before.
    const baselines = (enterprise.energyBaselines ?? []).length > 0
      ? await judgeBaselines(
          { ...judging, onBaselineUnfit: deps.onBaselineUnfit ?? warnUnfit },
          { enterprise, registryVersion: request.registryVersion, factorSet: request.factorSet.id, unit, days: daysOfUnit(periods), now: request.now },
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
      timings,
      ...(judged ? { judged } : {}),
      ...(baselines ? { baselines } : {}),
      ...(fabrication ? { fabrication } : {}),
    };
    // Only now that the unit's figures are stored: a crash before leaves it to compute again.
    await writeUnitStates(deps.store, [state]);
    reports.push(report);
    await request.onUnit?.(report);
  };

  for (const { day, periods, month, state } of work.days) {
    if (request.shouldStop?.()) {
      await drain();
      return { completed: false, units: reports, skipped };
    }
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
      await publishUnit(day.key, periods, readings, readMs, rows, span, kinds, state);
    } else {
      // A day read for its month only: its own kinds' state may still move (nothing of theirs to compute).
      await writeUnitStates(deps.store, [state]);
    }
    if (month && day.end >= month.end) {
      if (request.shouldStop?.()) {
        await drain();
        return { completed: false, units: reports, skipped };
      }
      await publishUnit(month.key, [month], monthReadings, 0, 0, { start: month.start, end: month.start + 1 }, ['month'], monthStates.get(month.start)!, month);
      monthReadings.clear();
    }
  }
  await drain();
  return { completed: true, units: reports, skipped };
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
