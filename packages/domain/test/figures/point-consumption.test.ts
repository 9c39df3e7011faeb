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
