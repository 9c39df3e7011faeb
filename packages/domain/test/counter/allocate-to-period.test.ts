import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { allocateToPeriod, type RegisterInterval } from '../../src/index.ts';

const H = 3_600_000;
const DAY1 = { start: 0, end: 24 * H };
const DAY2 = { start: 24 * H, end: 48 * H };

const iv = (start: number, end: number, delta: number, status: RegisterInterval['status'] = 'measured'): RegisterInterval => ({
  start, end, delta, status, startValue: 0, endValue: 0,
});

describe('allocateToPeriod', () => {
  it('splits an interval across midnight by linear interpolation, as measured when it is within the limit', () => {
    // 23:50 -> 00:10, 10 kWh: 10 of 20 minutes in each day -> 5 kWh each; 20 min is within the
    // default limit, 1.5 x the default cadence PT15M = 22.5 min.
    const x = iv(24 * H - H / 6, 24 * H + H / 6, 10);
    expect(allocateToPeriod([x], DAY1)).toMatchObject({ measured: 5, estimated: 0 });
    expect(allocateToPeriod([x], DAY2)).toMatchObject({ measured: 5, estimated: 0 });
  });

  it('books the split of an interval longer than the limit as an estimate (issue 15: the limit is the caller\'s, from the cadence)', () => {
    // 23:45 -> 00:15, 10 kWh: 30 min > 22.5 min (PT15M x 1.5): 5 kWh estimated in each day.
    const x = iv(24 * H - H / 4, 24 * H + H / 4, 10);
    const a = allocateToPeriod([x], DAY1);
    expect(a).toMatchObject({ measured: 0, estimated: 5 });
    // The estimated quarter-hour is not covered, and nothing else of DAY1 is booked.
    expect(a.coverage).toBe(0);
    // A point read every 30 minutes allows 45 min: the same interval is measured.
    expect(allocateToPeriod([x], DAY2, { maxInterpolationGapMs: 1.5 * 30 * 60_000 })).toMatchObject({ measured: 5, estimated: 0 });
  });

  it('books the split of a long gap as an estimate and lowers coverage; the gap flag is for unbounded time only', () => {
    // 20:00 -> 04:00, 80 kWh over 8 h: 4 h on each side -> 40 kWh estimated in each day.
    const before = iv(0, 20 * H, 200);
    const gap = iv(20 * H, 28 * H, 80);
    const a = allocateToPeriod([before, gap], DAY1);
    expect(a).toMatchObject({ measured: 200, estimated: 40 });
    expect(a.coverage).toBeCloseTo(20 / 24, 12);
    // Every hour of DAY1 lies in a booked interval: no gap here. The missing readings show in
    // the point's completeness, which raises 'gap' (point-consumption.ts).
    expect([...a.flags]).toEqual(['estimated']);
    // An unbracketed end is time no reading bounds: a gap.
    expect([...allocateToPeriod([before], DAY1).flags]).toEqual(['gap']);
  });

  it('counts a long interval wholly inside the period as measured: the register difference is exact', () => {
    const a = allocateToPeriod([iv(2 * H, 22 * H, 100)], DAY1);
    expect(a).toMatchObject({ measured: 100, estimated: 0 });
    expect(a.coverage).toBeCloseTo(20 / 24, 12);
  });

  it('leaves an unbracketed end as a gap, and fills it only when asked', () => {
    const xs = [iv(0, 18 * H, 90)];
    const plain = allocateToPeriod(xs, DAY1);
    expect(plain).toMatchObject({ measured: 90, estimated: 0, coverage: 0.75 });
    // Filling: 90 kWh / 18 h x 6 h = 30 kWh estimated.
    const filled = allocateToPeriod(xs, DAY1, { estimateGaps: true });
    expect(filled.estimated).toBeCloseTo(30, 9);
  });

  it('treats suspect intervals as gaps and lists them', () => {
    const a = allocateToPeriod([iv(0, 12 * H, 60), iv(12 * H, 24 * H, 0, 'suspect-drop')], DAY1);
    expect(a.measured).toBe(60);
    expect(a.coverage).toBe(0.5);
    expect(a.suspects).toHaveLength(1);
    expect(a.flags.has('suspect-drop')).toBe(true);
  });

  it('conserves the booked energy over periods that tile the readings (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 10 * H }), fc.double({ min: 0, max: 1000, noNaN: true })), { minLength: 1, maxLength: 50 }),
        fc.array(fc.integer({ min: 1, max: 30 * H }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0, max: H }),
        (steps, cuts, gapLimit) => {
          let t = 0;
          const intervals = steps.map(([dt, d]) => iv(t, (t += dt), d));
          // Periods from before the first reading to after the last, cut at arbitrary points.
          const bounds = [-1, ...cuts.map((c) => c % (t + 1)).sort((a, b) => a - b), t + 1].filter((b, i, a) => i === 0 || b > a[i - 1]!);
          let sum = 0;
          for (let i = 1; i < bounds.length; i++) {
            const a = allocateToPeriod(intervals, { start: bounds[i - 1]!, end: bounds[i]! }, { maxInterpolationGapMs: gapLimit });
            sum += a.measured + a.estimated;
          }
          const total = intervals.reduce((s, x) => s + x.delta, 0);
          expect(Math.abs(sum - total)).toBeLessThanOrEqual(1e-9 * Math.max(1, total));
        },
      ),
    );
  });
});
