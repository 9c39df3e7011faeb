import { describe, expect, it } from 'vitest';
import { detectJitterVanished, type FabricationInputs } from '../../src/index.ts';
import { HOUR, hourlyIncrements, point, utcDay } from './series.ts';

/**
 * Hourly readings over 02-27 to 03-02 in UTC. The device's clock stamps each reading 1 s late,
 * then 1 s early, in turn: successive readings 3 598 s and 3 602 s apart, 2 000 ms from the
 * hour each time, so a day's jitter is 2 000 ms.
 */
const increments = hourlyIncrements('2026-02-27', 4, () => 10, 0.01);

function inputs(stamp: (slotEnd: number, k: number) => number): FabricationInputs {
  return { month: '2026-03', timeZone: 'UTC', historyDays: 2, points: [point('p', increments, { readingTimes: increments.map((x, k) => stamp(x.end, k)) })] };
}
const jittered = (end: number, k: number) => end + (k % 2 === 0 ? 1_000 : -1_000);

describe('jitter vanished', () => {
  it('fires when the readings arrive exactly on the hour from some day on', () => {
    const exactFromMarch = (end: number, k: number) => (end >= utcDay('2026-03-01') + HOUR ? end : jittered(end, k));
    const [finding, ...rest] = detectJitterVanished(inputs(exactFromMarch));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ detector: 'jitter-vanished', pointId: 'p', month: '2026-03' });
    expect(finding!.evidence).toEqual({ days: ['2026-03-01', '2026-03-02'], jitterBeforeMs: 2000, jitterAfterMs: 0 });
  });

  it('stays quiet while the clock keeps its jitter', () => {
    expect(detectJitterVanished(inputs(jittered))).toEqual([]);
  });

  it('stays quiet on a device that always stamped exactly: no jitter to lose', () => {
    expect(detectJitterVanished(inputs((end) => end))).toEqual([]);
  });
});
