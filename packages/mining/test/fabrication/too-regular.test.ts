import { describe, expect, it } from 'vitest';
import { detectTooRegular, type FabricationInputs } from '../../src/index.ts';
import { hourlyIncrements, point } from './series.ts';

/**
 * One point in UTC, history 02-27 and 02-28, month days 03-01 and 03-02. On its history days
 * it alternates 10 and 12 kWh/h: steps of 2, median 11, step spread 2 / 11 = 0.1818.
 */
const alternating = (_d: number, h: number) => (h % 2 === 0 ? 10 : 12);

function inputs(monthHourly: (d: number, h: number) => number): FabricationInputs {
  return {
    month: '2026-03', timeZone: 'UTC', historyDays: 2,
    points: [point('p', hourlyIncrements('2026-02-27', 4, (d, h) => (d < 2 ? alternating(d, h) : monthHourly(d, h)), 0.01))],
  };
}

describe('too regular', () => {
  it('fires on identical increments where the load always varied', () => {
    // 11 kWh every hour of 03-01 and 03-02: spread 0 < 0.2 × 0.1818; 24 identical in a row (a day).
    const [finding, ...rest] = detectTooRegular(inputs(() => 11));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ detector: 'too-regular', pointId: 'p', month: '2026-03' });
    expect(finding!.evidence).toEqual({ days: ['2026-03-01', '2026-03-02'], daySpread: 0, historySpread: 0.1818, longestIdenticalRun: 24 });
  });

  it('stays quiet on the same variation as before', () => {
    expect(detectTooRegular(inputs(alternating))).toEqual([]);
  });

  it('stays quiet on a calmer but still measured load', () => {
    // 10 and 10.5 alternating: spread 0.5 / 10.25 = 0.0488, above 0.2 × 0.1818 = 0.0364.
    expect(detectTooRegular(inputs((_d, h) => (h % 2 === 0 ? 10 : 10.5)))).toEqual([]);
  });
});
