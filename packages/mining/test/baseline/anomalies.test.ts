import { expect, it } from 'vitest';
import { baseLoadByBucket, fitBaseline, outsidePredictionInterval, tabularCusum, type HourlyConsumption } from '../../src/index.ts';
import { DAY_MS, workedExample } from './worked-example.ts';

it('flags the days outside the 95 % prediction interval', () => {
  const fit = fitBaseline(workedExample(), { variables: ['production', 'hdd'], granularity: 'daily' });
  if (!fit.ok) throw new Error(fit.error.message);
  // At P = 15, H = 5 the interval is 145 ± 6.897595 (hand-worked in baseline-model.test.ts).
  const day = (energy: number, i: number) => ({ startMs: Date.UTC(2026, 2, 1) + i * DAY_MS, energy, energyU: 0, vars: { production: 15, hdd: 5 } });
  const r = outsidePredictionInterval(fit.value, [day(151.8, 0), day(152, 1), day(138.2, 2), day(138, 3)]);
  if (!r.ok) throw new Error(r.error.message);
  expect(r.value.map((a) => [a.actual, a.direction])).toEqual([[152, 'above'], [138, 'below']]);
  expect(r.value[0]!.high).toBeCloseTo(151.897595, 4);
});

it('signals a shift with the tabular CUSUM and dates its start (k = 0.5, h = 5, in s)', () => {
  // s = 1, K = 0.5, H = 5. Deviations 0,0,0 then 2 from index 3: C⁺ = 1.5, 3, 4.5, 6 > 5 at index 6;
  // C⁺ was last zero at index 2, so the shift began at 3; its size K + C⁺/N = 0.5 + 6/4 = 2.
  const { points, changePoints } = tabularCusum([0, 0, 0, 2, 2, 2, 2, 2], 1);
  // After the signal monitoring goes on around the new level (2): the last 2 is no deviation from it, C⁺ = max(0, 0 − 0.5) = 0.
  expect(points.map((p) => p.upper)).toEqual([0, 0, 0, 1.5, 3, 4.5, 6, 0]);
  expect(points[7]!.cumulative).toBe(10);
  expect(changePoints).toEqual([{ direction: 'up', signalIndex: 6, startIndex: 3, shift: 2 }]);
});

it('signals a downward shift and stays quiet on noise below the allowance', () => {
  // s = 2, K = 1, H = 10: deviations −4 give C⁻ = 3, 6, 9, 12 > 10 at the 4th; shift −(1 + 12/4) = −4.
  expect(tabularCusum([-4, -4, -4, -4], 2).changePoints).toEqual([{ direction: 'down', signalIndex: 3, startIndex: 0, shift: -4 }]);
  expect(tabularCusum(Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? 0.9 : -0.9)), 2).changePoints).toEqual([]);
});

it('signals a lasting shift once, and the return from it as a change of its own', () => {
  // s = 1: 10 days on the baseline, 50 days 3 s below it, 40 days back on it. Down: C⁻ gains 3 − 0.5 = 2.5 a day,
  // above h = 5 on the third day (7.5), shift −(0.5 + 7.5/3) = −3. Around that level the return is +3: up on the third day again.
  const deviations = [...Array<number>(10).fill(0), ...Array<number>(50).fill(-3), ...Array<number>(40).fill(0)];
  const { points, changePoints } = tabularCusum(deviations, 1);
  expect(changePoints).toEqual([
    { direction: 'down', signalIndex: 12, startIndex: 10, shift: -3 },
    { direction: 'up', signalIndex: 62, startIndex: 60, shift: 3 },
  ]);
  // The level is the changes' shifts summed: 0 until the fall is signalled, −3 from then, 0 again after the return:
  // what says the last change up was a return, not a rise above the baseline.
  expect([points[11]!.level, points[12]!.level, points[61]!.level, points[62]!.level, points[99]!.level]).toEqual([0, -3, -3, 0, 0]);
});

it('flags a night base load that rose beyond its uncertainty, by local week', () => {
  // Three weeks of hours from Monday 2026-03-02 00:00 in Shanghai (UTC+8). Night hours (00–05 local) draw
  // 10 ± 0.5 alternating in weeks 1 and 2 and 12 ± 0.5 in week 3; the other hours draw 50; weekends are non-working.
  const start = Date.UTC(2026, 2, 1, 16); // 2026-03-02 00:00 +08:00
  const hours: HourlyConsumption[] = [];
  for (let h = 0; h < 21 * 24; h++) {
    const localHour = h % 24;
    const day = Math.floor(h / 24);
    const night = localHour < 5;
    const week = Math.floor(day / 7);
    const energy = night ? (week === 2 ? 12 : 10) + (h % 2 === 0 ? 0.5 : -0.5) : 50;
    hours.push({ startMs: start + h * 3_600_000, energy, workingDay: day % 7 < 5 });
  }
  const buckets = baseLoadByBucket(hours, { timeZone: 'Asia/Shanghai', bucket: 'week' });
  expect(buckets.map((b) => b.key)).toEqual(['2026-03-02', '2026-03-09', '2026-03-16']);
  // Week 1: 35 night hours. A day has 24 (even) hours, so every night is local hours 0–4 with +0.5 at
  // 0, 2, 4 and −0.5 at 1, 3: mean 10 + (1.5 − 1)/5 = 10.1.
  expect(buckets[0]!.night!.hours).toBe(35);
  expect(buckets[0]!.night!.value).toBeCloseTo(10.1, 12);
  expect(buckets.map((b) => b.nightRising)).toEqual([false, false, true]);
  // Non-working days are identical every week (the night rise of week 3 lifts them too: 10 of 48 hours by 2).
  expect(buckets[1]!.nonWorkingDayRising).toBe(false);
  expect(buckets[2]!.nonWorkingDay!.value - buckets[0]!.nonWorkingDay!.value).toBeCloseTo((10 * 2) / 48, 10);
});

it('compares with the previous bucket when asked, and buckets by local month', () => {
  const hours: HourlyConsumption[] = [0, 1, 2].flatMap((month) =>
    Array.from({ length: 10 }, (_, i) => ({ startMs: Date.UTC(2026, month, 1, i % 5), energy: 10 + month * 5 + (i % 2), workingDay: true })),
  );
  const byMonth = baseLoadByBucket(hours, { timeZone: 'UTC', bucket: 'month', reference: 'previous' });
  expect(byMonth.map((b) => [b.key, b.nightRising, b.nonWorkingDay])).toEqual([
    ['2026-01', false, null],
    ['2026-02', true, null],
    ['2026-03', true, null],
  ]);
});
