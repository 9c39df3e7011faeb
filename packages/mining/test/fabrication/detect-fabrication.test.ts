import { describe, expect, it } from 'vitest';
import { detectFabrication, type FabricationInputs, type FabricationOptions } from '../../src/index.ts';
import { hourlyIncrements, point } from './series.ts';

/**
 * Two points in UTC over 02-27 to 03-02: `p` alternates 10/12 kWh/h and turns to a constant
 * 11 in March (too regular), with readings that lose their ±1 s jitter in March (jitter
 * vanished); `q` alternates 10 and 12 + d on day d (no two days alike, or one would read as a
 * copy of the other) and keeps its jitter: clean.
 */
const alternating = (_d: number, h: number) => (h % 2 === 0 ? 10 : 12);
const drifting = (d: number, h: number) => (h % 2 === 0 ? 10 : 12 + d);
const MARCH = Date.parse('2026-03-01T00:00:00Z');
const jitter = (end: number, k: number) => end + (k % 2 === 0 ? 1_000 : -1_000);
const pIncrements = hourlyIncrements('2026-02-27', 4, (d, h) => (d < 2 ? alternating(d, h) : 11), 0.01);
const qIncrements = hourlyIncrements('2026-02-27', 4, drifting, 0.01);
const inputs: FabricationInputs = {
  month: '2026-03', timeZone: 'UTC', historyDays: 2,
  points: [
    point('q', qIncrements, { readingTimes: qIncrements.map((x, k) => jitter(x.end, k)) }),
    point('p', pIncrements, { readingTimes: pIncrements.map((x, k) => (x.end > MARCH ? x.end : jitter(x.end, k))) }),
  ],
};

describe('detectFabrication', () => {
  it('runs every detector and orders the findings by point, then detector', () => {
    expect(detectFabrication(inputs).map((f) => [f.pointId, f.detector])).toEqual([['p', 'jitter-vanished'], ['p', 'too-regular']]);
  });

  it('lets a detector be switched off or its threshold changed', () => {
    expect(detectFabrication(inputs, { jitterVanished: false }).map((f) => f.detector)).toEqual(['too-regular']);
    // A minimum of three regular days cannot be met by a month of two days of data.
    const stricter: FabricationOptions = { tooRegular: { minDays: 3 } };
    expect(detectFabrication(inputs, stricter).map((f) => f.detector)).toEqual(['jitter-vanished']);
  });
});
