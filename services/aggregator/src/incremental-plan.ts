import { createHash } from 'node:crypto';
import { cadenceOf, interpolationLimitMs, subPeriods, type Enterprise, type Period, type PeriodKind, type TimeRange } from '@meterline/domain';
import type { KindState, LandedMark, StateKind, UnitState } from '@meterline/series';
import type { AggregationPlan } from './aggregation-plan.ts';

/**
 * Incremental aggregation: which units of a plan need computing, from what was computed
 * before (`aggregation_state`) and what landed since (`<readings>_landed` marks, left by the
 * writer with the readings). Nothing here reads a figure back.
 *
 * A unit (a local day, or a month) has a digest of its inputs: the landing marks of every
 * UTC hour its periods' readings can come from (the unit widened by its enterprise's reach,
 * see `reachOf`), the registry version, the factor set, the manual entries and the limit
 * standards. Each period kind of a unit remembers the digest it was computed from; a kind
 * whose digest moved is dirty and all its closed periods of the unit are computed again
 * (and compared with the published ones, so restatements keep their meaning); a kind never
 * computed gets its first computation; a clean kind only gets the periods that closed since.
 */

const HOUR_MS = 3_600_000;

/** What a unit's figures are computed from, apart from the readings themselves. */
export interface UnitInputs {
  /** Digest of the registry version, factor set, manual entries and limit standards. */
  context: string;
  /** The enterprise's landing marks around the plan, in any order. */
  marks: readonly LandedMark[];
  reachMs: number;
}

/**
 * How far a reading's effect reaches beyond its own instant: a new reading changes the
 * intervals on either side of it, and an interval is spread over a period boundary when it
 * is at most its point's interpolation limit (1.5 cadences). The longest over the
 * enterprise's points; a neighbouring day within it is dirty too.
 */
export function reachOf(enterprise: Enterprise): number {
  let reach = 0;
  for (const site of enterprise.sites) for (const point of site.meteringPoints) reach = Math.max(reach, interpolationLimitMs(cadenceOf(point)));
  return reach;
}

const digest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);

/** The marks of the hours a range's readings can come from (the range widened by the reach), as `<hour>:<landed>`, sorted. */
function marksOf(inputs: UnitInputs, range: TimeRange): string[] {
  const from = range.start - inputs.reachMs;
  const to = range.end + inputs.reachMs;
  return inputs.marks
    .filter((m) => m.hourMs < to && m.hourMs + HOUR_MS > from)
    .map((m) => `${m.hourMs}:${m.landed}`)
    .sort();
}

/** The digest of everything a unit's figures rest on. */
export const unitDigest = (inputs: UnitInputs, unit: TimeRange): string => digest(`${inputs.context}\n${marksOf(inputs, unit).join(',')}`);

/** A digest of the inputs of an enterprise's figures other than the readings. */
export function contextDigest(parts: { registryVersion: string; factorSet: string; manualEntries: unknown; limits: string }): string {
  return digest(`${parts.registryVersion}|${parts.factorSet}|${parts.limits}|${JSON.stringify(parts.manualEntries)}`);
}

interface DayWork {
  day: Period;
  periods: Period[];
  /** Set when the day's readings feed a month being computed. */
  month?: Period;
  /** To store once the day's figures are (only the kinds it changes). */
  state: UnitState;
}

export interface WorkPlan {
  days: DayWork[];
  months: { month: Period; state: UnitState }[];
  /** States that change without any figure to compute (a dirty day whose new readings touch no closed period): stored at once. */
  statesOnly: UnitState[];
  /** Days and months of the plan left alone: computed before from the same inputs. */
  skippedDays: number;
  skippedMonths: number;
}

export const stateKey = (unit: 'day' | 'month', startMs: number) => `${unit}|${startMs}`;

const closedPeriodsOf = (day: Period, kind: PeriodKind, now: number): Period[] => (kind === 'day' ? (day.end <= now ? [day] : []) : subPeriods(day, kind).filter((p) => p.end <= now));

/** Whether a period's readings can come from an hour whose mark is not among those it was computed from. */
const touched = (inputs: UnitInputs, period: TimeRange, computedFrom: ReadonlySet<string>) => marksOf(inputs, period).some((m) => !computedFrom.has(m));

interface KindDecision {
  periods: Period[];
  /** The kind's state once they are stored; undefined: leave the stored one. */
  after?: KindState;
}

/** One kind of one day: which of its periods to compute, and what to record then. */
function decideKind(kind: PeriodKind, day: Period, planned: readonly Period[], before: KindState | undefined, inputs: UnitInputs, incremental: boolean, now: number): KindDecision {
  const fresh = { inputs: unitDigest(inputs, day), context: inputs.context };
  const spanOf = (periods: readonly Period[]) => ({ start: Math.min(...periods.map((p) => p.start)), end: Math.max(...periods.map((p) => p.end)) });
  if (kind === 'day') {
    if (!incremental || before === undefined || before.inputs !== fresh.inputs) return { periods: [...planned], after: fresh };
    return { periods: [] };
  }
  if (incremental && before !== undefined && before.inputs !== fresh.inputs) {
    // Dirty: the closed periods the new landings reach, and those closed since; with other
    // registry, factor set or entries, every closed period of the day.
    const closed = closedPeriodsOf(day, kind, now);
    const until = before.untilMs ?? day.start;
    const computedFrom = new Set(before.context === inputs.context && before.marks !== undefined ? before.marks.split(',') : []);
    const periods = computedFrom.size === 0 ? closed : closed.filter((p) => p.end > until || touched(inputs, p, computedFrom));
    const end = periods.length > 0 ? spanOf(periods).end : until;
    return { periods, after: { ...fresh, marks: marksOf(inputs, day).join(','), untilMs: Math.max(until, end) } };
  }
  const periods = incremental && before !== undefined ? planned.filter((p) => p.end > (before.untilMs ?? day.start)) : [...planned];
  if (periods.length === 0) return { periods };
  const { start, end } = spanOf(periods);
  // "Computed until" never hides a hole: it moves only when the periods ran from the day's
  // start, or on from where the same inputs left off.
  const marks = marksOf(inputs, day).join(',');
  if (start <= day.start) return { periods, after: { ...fresh, marks, untilMs: end } };
  if (before?.inputs === fresh.inputs && start <= (before.untilMs ?? day.start)) return { periods, after: { ...fresh, marks, untilMs: Math.max(before.untilMs ?? end, end) } };
  return { periods };
}

/**
 * The work of a plan. `incremental` false (a job someone asked for: the API, a backfill)
 * computes everything planned, as before; true (the schedules, landed readings) computes
 * dirty and new periods only. Either way it says what to record once each unit is stored.
 */
export function workPlan(plan: AggregationPlan, states: ReadonlyMap<string, UnitState>, inputs: UnitInputs, options: { incremental: boolean; now: number }, enterpriseId: string): WorkPlan {
  const months: WorkPlan['months'] = [];
  let skippedMonths = 0;
  for (const month of plan.months) {
    const fresh = { inputs: unitDigest(inputs, month), context: inputs.context };
    if (options.incremental && states.get(stateKey('month', month.start))?.kinds.month?.inputs === fresh.inputs) skippedMonths++;
    else months.push({ month, state: { enterpriseId, unit: 'month', startMs: month.start, kinds: { month: fresh } } });
  }
  const computedMonths = new Set(months.map((m) => m.month.start));
  const days: DayWork[] = [];
  const statesOnly: UnitState[] = [];
  let skippedDays = 0;
  for (const unit of plan.days) {
    const before = states.get(stateKey('day', unit.day.start));
    const periods: Period[] = [];
    const kinds: UnitState['kinds'] = {};
    for (const kind of new Set(unit.periods.map((p) => p.kind))) {
      const decision = decideKind(kind, unit.day, unit.periods.filter((p) => p.kind === kind), before?.kinds[kind as StateKind], inputs, options.incremental, options.now);
      periods.push(...decision.periods);
      if (decision.after) kinds[kind as StateKind] = decision.after;
    }
    const state: UnitState = { enterpriseId, unit: 'day', startMs: unit.day.start, kinds };
    const month = unit.month && computedMonths.has(unit.month.start) ? unit.month : undefined;
    if (periods.length === 0 && !month) {
      if (Object.keys(kinds).length > 0) statesOnly.push(state);
      if (unit.periods.length > 0) skippedDays++;
      continue;
    }
    days.push({ day: unit.day, periods, ...(month ? { month } : {}), state });
  }
  return { days, months, statesOnly, skippedDays, skippedMonths };
}
