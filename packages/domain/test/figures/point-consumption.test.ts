import { describe, expect, it } from 'vitest';
import { pointConsumption, type MeteringPoint } from '../../src/index.ts';

const H = 3_600_000;
const DAY = { start: 24 * H, end: 48 * H };
const point: MeteringPoint = {
  id: 'p', carrier: 'electricity', quantity: 'active-energy-import', unit: 'kWh', accuracyClass: 1,
  calibration: { certificate: 'c', validFrom: '1970-01-01', validUntil: '2030-01-01' }, topology: { role: 'boundary-input' },
};

describe('pointConsumption', () => {
  it('flags a conflicting duplicate only where the figure rests on it', () => {
    // Readings at 00:00 of days 0..3; two values at the start of day 0, far before the period.
    const readings = [{ at: 0, value: 0 }, { at: 0, value: 5 }, { at: 24 * H, value: 10 }, { at: 48 * H, value: 20 }, { at: 72 * H, value: 30 }];
    expect(pointConsumption(point, readings, DAY, 'UTC').term.flags.has('conflicting-duplicate')).toBe(false);
    // The same conflict at the period's end bounds the interval booked in it.
    const atEnd = [...readings, { at: 48 * H, value: 21 }];
    const r = pointConsumption(point, atEnd, DAY, 'UTC');
    expect(r.term.flags.has('conflicting-duplicate')).toBe(true);
    expect(r.term.value).toBe(11); // the larger value is kept
  });
});

describe('calibration validity', () => {
  // Valid through 15 March in Shanghai: the last valid instant is 23:59:59.999 local.
  const calibrated: MeteringPoint = { ...point, calibration: { certificate: 'c', validFrom: '2025-03-01', validUntil: '2025-03-15' } };
  const at = (local: string) => Date.parse(local);
  const readingsAround = (first: string, second: string) => [{ at: at(first), value: 0 }, { at: at(second), value: 1 }];
  const outside = (first: string, second: string) =>
    pointConsumption(calibrated, readingsAround(first, second), { start: at(first), end: at(second) }, 'Asia/Shanghai').term.readingsOutsideCalibration;

  it('counts a reading at local midnight after the last valid day as outside, the one before as inside', () => {
    expect(outside('2025-03-15T23:45:00+08:00', '2025-03-16T00:00:00+08:00')).toBe(1);
    expect(outside('2025-03-15T23:30:00+08:00', '2025-03-15T23:45:00+08:00')).toBe(0);
  });

  it('counts a reading before local midnight of the first valid day as outside', () => {
    // 2025-02-28T23:45+08:00 is still February in Shanghai (though 1 March would already be in, say, UTC+9).
    expect(outside('2025-02-28T23:45:00+08:00', '2025-03-01T00:00:00+08:00')).toBe(1);
    expect(outside('2025-03-01T00:00:00+08:00', '2025-03-01T00:15:00+08:00')).toBe(0);
  });
});
