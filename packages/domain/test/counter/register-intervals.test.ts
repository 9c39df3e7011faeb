import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { registerIntervals, type MeteringPoint } from '../../src/index.ts';

const T0 = Date.parse('2025-03-14T09:45:00+08:00');
const Q = 900_000;

function point(extra: Partial<MeteringPoint> = {}): MeteringPoint {
  return {
    id: 'p', carrier: 'electricity', quantity: 'active-energy-import', unit: 'kWh', accuracyClass: 0.5,
    calibration: { certificate: 'c', validFrom: '2024-01-01', validUntil: '2030-01-01' }, topology: { role: 'boundary-input' },
    ...extra,
  };
}

describe('registerIntervals', () => {
  it('books a rollover past registerMax, times the multiplier', () => {
    const p = point({ registerMax: 100000, multiplier: 40, maxPower: { value: 2500, unit: 'kW' } });
    const { intervals } = registerIntervals(p, [{ at: T0, value: 99990 }, { at: T0 + Q, value: 5 }]);
    // (100000 - 99990 + 5) x 40 = 15 x 40 = 600 kWh; capacity 2500 kW x 0.25 h x 1.005 = 628.1 kWh
    expect(intervals).toMatchObject([{ status: 'rollover', delta: 600 }]);
  });

  it('marks a wrap beyond physical capacity as suspect, not booked', () => {
    const p = point({ registerMax: 100000, multiplier: 40, maxPower: { value: 2500, unit: 'kW' } });
    const { intervals } = registerIntervals(p, [{ at: T0, value: 99990 }, { at: T0 + Q, value: 30 }]);
    // (10 + 30) x 40 = 1600 kWh > 628.1 kWh
    expect(intervals).toMatchObject([{ status: 'suspect-over-capacity', delta: 0, rejectedDelta: 1600 }]);
  });

  it('joins registers across a recorded meter replacement', () => {
    const p = point({ replacements: [{ at: '2025-03-14T10:00:00+08:00', oldFinalRegister: 48211.6, newInitialRegister: 0 }] });
    const { intervals } = registerIntervals(p, [{ at: T0, value: 48200.0 }, { at: T0 + 2 * Q, value: 12.4 }]);
    // (48211.6 - 48200.0) + (12.4 - 0) = 11.6 + 12.4 = 24.0 kWh
    expect(intervals[0]!.status).toBe('replacement');
    expect(intervals[0]!.delta).toBeCloseTo(24.0, 9);
  });

  it('never books an unexplained drop', () => {
    const { intervals } = registerIntervals(point(), [{ at: T0, value: 5000 }, { at: T0 + Q, value: 4990 }]);
    expect(intervals).toMatchObject([{ status: 'suspect-drop', delta: 0, rejectedDelta: -10 }]);
    // With a register maximum, a drop from mid-range is no rollover either: the wrap would be half the register.
    const r = registerIntervals(point({ registerMax: 100000 }), [{ at: T0, value: 50000 }, { at: T0 + Q, value: 10 }]);
    expect(r.intervals[0]!.status).toBe('suspect-drop');
  });

  it('reports conflicting duplicates', () => {
    const r = registerIntervals(point(), [{ at: T0, value: 1 }, { at: T0, value: 1 }, { at: T0, value: 2 }, { at: T0 + Q, value: 3 }]);
    expect(r.duplicates).toBe(2);
    expect(r.conflictingDuplicates).toBe(1);
    expect(r.intervals).toHaveLength(1);
  });

  it('conserves energy across rollovers and replacements, whatever the arrival order (property)', () => {
    const registerMax = 1_000_000;
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 2, maxLength: 40 }),
        fc.integer({ min: 0, max: registerMax - 1 }),
        fc.option(fc.integer({ min: 1, max: 38 }), { nil: undefined }),
        fc.integer(),
        (increments, start, replaceAfter, seed) => {
          // Build readings of a wrapping register with true consumption = sum of increments.
          const readings = [];
          let reg = start;
          let t = T0;
          readings.push({ at: t, value: reg });
          const replacements: MeteringPoint['replacements'] = [];
          increments.forEach((inc, i) => {
            t += Q;
            if (replaceAfter !== undefined && i === replaceAfter % increments.length && i > 0) {
              // Half the increment on the old meter, the rest on a new one starting at 7.
              const half = Math.floor(inc / 2);
              replacements.push({ at: new Date(t - Q / 2).toISOString(), oldFinalRegister: (reg + half) % registerMax, newInitialRegister: 7 });
              reg = 7 + (inc - half);
            } else {
              reg = (reg + inc) % registerMax;
            }
            readings.push({ at: t, value: reg });
          });
          const p = point({ registerMax, replacements });
          const shuffled = fc.sample(fc.shuffledSubarray(readings, { minLength: readings.length, maxLength: readings.length }), { seed, numRuns: 1 })[0]!;
          const a = registerIntervals(p, readings);
          const b = registerIntervals(p, shuffled);
          expect(b.intervals).toEqual(a.intervals);
          const total = a.intervals.reduce((s, iv) => s + iv.delta, 0);
          expect(a.intervals.every((iv) => iv.status !== 'suspect-drop')).toBe(true);
          expect(total).toBe(increments.reduce((s, x) => s + x, 0));
        },
      ),
      { numRuns: 200 },
    );
  });
});
