import { expect, it } from 'vitest';
import { calendarPeriod } from '@meterline/domain';
import { planAggregation } from '../src/aggregation-plan.ts';

const BERLIN = 'Europe/Berlin';

it('cuts a range into local days and keeps only closed periods that overlap it', () => {
  const day = calendarPeriod('2026-03-10', 'Asia/Shanghai');
  const now = day.start + 5 * 3_600_000 + 60_000; // 05:01 local
  const plan = planAggregation({ start: day.start, end: day.end }, ['quarter-hour', 'hour', 'day'], 'Asia/Shanghai', now);
  expect(plan.days.map((d) => d.day.key)).toEqual(['2026-03-10']);
  const kinds = plan.days[0]!.periods.map((p) => p.kind);
  expect(kinds.filter((k) => k === 'quarter-hour')).toHaveLength(20);
  expect(kinds.filter((k) => k === 'hour')).toHaveLength(5);
  expect(kinds).not.toContain('day');
  expect(plan.months).toEqual([]);
});

it('follows the local calendar across a DST change: 23 hours and 92 quarter-hours on the spring day', () => {
  const day = calendarPeriod('2026-03-29', BERLIN);
  const plan = planAggregation({ start: day.start, end: day.end }, ['quarter-hour', 'hour', 'day'], BERLIN, day.end + 1);
  const periods = plan.days[0]!.periods;
  expect(periods.filter((p) => p.kind === 'hour')).toHaveLength(23);
  expect(periods.filter((p) => p.kind === 'quarter-hour')).toHaveLength(92);
  expect(periods.filter((p) => p.kind === 'day').map((p) => p.end - p.start)).toEqual([23 * 3_600_000]);
});

it('asking for a month visits every day of it, even outside the range, and computes the month once it has ended', () => {
  const feb = calendarPeriod('2026-02', BERLIN);
  const lastDay = calendarPeriod('2026-02-28', BERLIN);
  const plan = planAggregation({ start: lastDay.start, end: lastDay.end }, ['day', 'month'], BERLIN, feb.end + 1);
  expect(plan.months.map((m) => m.key)).toEqual(['2026-02']);
  expect(plan.days).toHaveLength(28);
  expect(plan.days.filter((d) => d.periods.length > 0).map((d) => d.day.key)).toEqual(['2026-02-28']);
  expect(plan.days.every((d) => d.month?.key === '2026-02')).toBe(true);
  // Before the month has ended: no month, and only the closed day asked for.
  const dayBefore = calendarPeriod('2026-02-27', BERLIN);
  const early = planAggregation({ start: dayBefore.start, end: lastDay.end }, ['day', 'month'], BERLIN, feb.end - 1);
  expect(early.months).toEqual([]);
  expect(early.days.map((d) => [d.day.key, d.periods.length])).toEqual([['2026-02-27', 1]]);
});
