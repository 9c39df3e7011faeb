import { describe, expect, it } from 'vitest';
import { calendarPeriod, subPeriods, type PeriodKind } from '@meterline/domain';
import type { LandedMark, UnitState } from '@meterline/series';
import { planAggregation } from '../src/aggregation-plan.ts';
import { stateKey, unitDigest, workPlan, type UnitInputs } from '../src/incremental-plan.ts';

const TZ = 'Asia/Shanghai';
const HOUR = 3_600_000;
const QUARTER = 900_000;
const REACH = 1.5 * QUARTER;
const march = calendarPeriod('2026-03', TZ);
const days = subPeriods(march, 'day');
const ALL: PeriodKind[] = ['quarter-hour', 'hour', 'day', 'month'];
const NOW = Date.UTC(2026, 5, 1);
const E = 'e1';

/** One mark per hour of the first three days, all landed at once (the first load). */
const firstLoad = (landed: number): LandedMark[] => Array.from({ length: 3 * 24 + 2 }, (_, h) => ({ enterpriseId: E, hourMs: march.start - HOUR + h * HOUR, landed }));
const inputsOf = (marks: LandedMark[], context = 'ctx'): UnitInputs => ({ context, marks, reachMs: REACH });
const range = { start: march.start, end: march.start + 3 * 86_400_000 };

/** The states a run of `work` leaves once every unit is stored. */
function statesAfter(work: ReturnType<typeof workPlan>, before = new Map<string, UnitState>()): Map<string, UnitState> {
  const states = new Map(before);
  const merge = (s: UnitState) => {
    const key = stateKey(s.unit, s.startMs);
    states.set(key, { ...s, kinds: { ...states.get(key)?.kinds, ...s.kinds } });
  };
  for (const s of work.statesOnly) merge(s);
  for (const d of work.days) merge(d.state);
  for (const m of work.months) merge(m.state);
  return states;
}

const countByKind = (work: ReturnType<typeof workPlan>) => {
  const counts: Record<string, number> = {};
  for (const d of work.days) for (const p of d.periods) counts[p.kind] = (counts[p.kind] ?? 0) + 1;
  return counts;
};

describe('incremental work plan', () => {
  const plan = planAggregation(range, ['quarter-hour', 'hour', 'day'], TZ, NOW);

  it('computes every planned period the first time, incremental or not, and records each day', () => {
    const marks = firstLoad(1_000);
    for (const incremental of [true, false]) {
      const work = workPlan(plan, new Map(), inputsOf(marks), { incremental, now: NOW }, E);
      expect(countByKind(work)).toEqual({ 'quarter-hour': 3 * 96, hour: 3 * 24, day: 3 });
      expect(work.skippedDays).toBe(0);
      expect(work.days.every((d) => d.state.kinds['quarter-hour']?.untilMs === d.day.end && d.state.kinds.day?.inputs === unitDigest(inputsOf(marks), d.day))).toBe(true);
    }
  });

  it('leaves every day alone when nothing landed since, but still computes all of them for a job someone asked for', () => {
    const marks = firstLoad(1_000);
    const states = statesAfter(workPlan(plan, new Map(), inputsOf(marks), { incremental: true, now: NOW }, E));
    const again = workPlan(plan, states, inputsOf(marks), { incremental: true, now: NOW }, E);
    expect(again.days).toEqual([]);
    expect(again.statesOnly).toEqual([]);
    expect(again.skippedDays).toBe(3);
    expect(countByKind(workPlan(plan, states, inputsOf(marks), { incremental: false, now: NOW }, E))).toEqual({ 'quarter-hour': 3 * 96, hour: 3 * 24, day: 3 });
  });

  it('a late landing in one hour recomputes the periods it reaches, its day, and nothing of the other days', () => {
    const marks = firstLoad(1_000);
    const states = statesAfter(workPlan(plan, new Map(), inputsOf(marks), { incremental: true, now: NOW }, E));
    const lateHour = days[1]!.start + 10 * HOUR;
    const later = marks.map((m) => (m.hourMs === lateHour ? { ...m, landed: 2_000 } : m));
    const work = workPlan(plan, states, inputsOf(later), { incremental: true, now: NOW }, E);
    expect(work.days.map((d) => d.day.key)).toEqual([days[1]!.key]);
    const periods = work.days[0]!.periods;
    // The periods a reading of that hour can reach (within 1.5 cadences of it): quarter-hours from
    // 09:30 to 11:15, the hours 09:00 to 11:00, and the day.
    expect(periods.filter((p) => p.kind === 'quarter-hour').map((p) => (p.start - lateHour) / QUARTER)).toEqual([-2, -1, 0, 1, 2, 3, 4, 5]);
    expect(periods.filter((p) => p.kind === 'hour').map((p) => (p.start - lateHour) / HOUR)).toEqual([-1, 0, 1]);
    expect(periods.filter((p) => p.kind === 'day')).toEqual([days[1]]);
    expect(work.skippedDays).toBe(2);
    // Once stored, the same marks leave everything alone again.
    const after = statesAfter(work, states);
    expect(workPlan(plan, after, inputsOf(later), { incremental: true, now: NOW }, E).days).toEqual([]);
  });

  it('a landing just after midnight makes the day before dirty too (its last interval ends on the new reading)', () => {
    const marks = firstLoad(1_000);
    const states = statesAfter(workPlan(plan, new Map(), inputsOf(marks), { incremental: true, now: NOW }, E));
    const later = marks.map((m) => (m.hourMs === days[2]!.start ? { ...m, landed: 2_000 } : m));
    const work = workPlan(plan, states, inputsOf(later), { incremental: true, now: NOW }, E);
    expect(work.days.map((d) => d.day.key)).toEqual([days[1]!.key, days[2]!.key]);
    expect(work.days[0]!.periods.filter((p) => p.kind === 'quarter-hour').map((p) => p.end)).toEqual([days[1]!.end - QUARTER, days[1]!.end]);
  });

  it('another registry version, factor set or manual entry recomputes every closed period of the days', () => {
    const marks = firstLoad(1_000);
    const states = statesAfter(workPlan(plan, new Map(), inputsOf(marks), { incremental: true, now: NOW }, E));
    const work = workPlan(plan, states, inputsOf(marks, 'another registry'), { incremental: true, now: NOW }, E);
    expect(countByKind(work)).toEqual({ 'quarter-hour': 3 * 96, hour: 3 * 24, day: 3 });
  });

  it('a clean day gets only the periods that closed since, and "computed until" never skips a hole', () => {
    const marks = firstLoad(1_000);
    const today = days[2]!;
    const morning = today.start + 6 * HOUR;
    const first = workPlan(planAggregation({ start: today.start, end: morning }, ['quarter-hour'], TZ, morning), new Map(), inputsOf(marks), { incremental: true, now: morning }, E);
    const states = statesAfter(first);
    expect(states.get(stateKey('day', today.start))!.kinds['quarter-hour']!.untilMs).toBe(morning);
    // A quarter later: one new quarter-hour.
    const next = workPlan(planAggregation({ start: morning - 6 * HOUR, end: morning + QUARTER }, ['quarter-hour'], TZ, morning + QUARTER), states, inputsOf(marks), { incremental: true, now: morning + QUARTER }, E);
    expect(next.days.flatMap((d) => d.periods).map((p) => p.start)).toEqual([morning]);
    expect(statesAfter(next, states).get(stateKey('day', today.start))!.kinds['quarter-hour']!.untilMs).toBe(morning + QUARTER);
    // After a pause: a run that starts past the hole computes its periods but does not claim the hole.
    const late = morning + 4 * HOUR;
    const gap = workPlan(planAggregation({ start: late - HOUR, end: late }, ['quarter-hour'], TZ, late), states, inputsOf(marks), { incremental: true, now: late }, E);
    expect(gap.days.flatMap((d) => d.periods)).toHaveLength(4);
    expect(gap.days[0]!.state.kinds['quarter-hour']).toBeUndefined();
  });

  it('a month is computed when one of its days changed, and left alone (with its days unread) otherwise', () => {
    const monthPlan = planAggregation({ start: march.start, end: march.end }, ALL, TZ, NOW);
    const marks = firstLoad(1_000);
    const states = statesAfter(workPlan(monthPlan, new Map(), inputsOf(marks), { incremental: true, now: NOW }, E));
    const clean = workPlan(monthPlan, states, inputsOf(marks), { incremental: true, now: NOW }, E);
    expect(clean).toMatchObject({ days: [], months: [], skippedMonths: 1 });
    const later = marks.map((m) => (m.hourMs === days[0]!.start + 5 * HOUR ? { ...m, landed: 2_000 } : m));
    const dirty = workPlan(monthPlan, states, inputsOf(later), { incremental: true, now: NOW }, E);
    expect(dirty.months.map((m) => m.month.key)).toEqual(['2026-03']);
    // The month reads all its days; only the changed one computes periods of its own.
    expect(dirty.days).toHaveLength(days.length);
    expect(dirty.days.filter((d) => d.periods.length > 0).map((d) => d.day.key)).toEqual([days[0]!.key]);
  });
});
