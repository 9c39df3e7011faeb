import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { calendarPeriod, subPeriods, fromLocalTime } from '../../src/index.ts';

const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('calendarPeriod', () => {
  it('cuts a Shanghai day at local midnight, not UTC', () => {
    const d = calendarPeriod('2025-03-01', 'Asia/Shanghai');
    // Midnight at UTC+8 is 16:00 UTC the day before.
    expect(iso(d.start)).toBe('2025-02-28T16:00:00.000Z');
    expect((d.end - d.start) / H).toBe(24);
  });

  it('gives the spring-forward day in Berlin 23 hours and the fall-back day 25', () => {
    const spring = calendarPeriod('2025-03-30', 'Europe/Berlin');
    expect(iso(spring.start)).toBe('2025-03-29T23:00:00.000Z'); // 00:00 CET (+01:00)
    expect(iso(spring.end)).toBe('2025-03-30T22:00:00.000Z'); // 00:00 CEST (+02:00)
    expect(subPeriods(spring, 'hour')).toHaveLength(23);
    expect(subPeriods(spring, 'quarter-hour')).toHaveLength(92); // 23 x 4
    const autumn = calendarPeriod('2025-10-26', 'Europe/Berlin');
    expect((autumn.end - autumn.start) / H).toBe(25);
    const hours = subPeriods(autumn, 'hour').map((p) => p.key);
    expect(hours).toHaveLength(25);
    // The repeated hour appears twice, told apart by its offset.
    expect(hours).toContain('2025-10-26T02:00:00+02:00');
    expect(hours).toContain('2025-10-26T02:00:00+01:00');
  });

  it('sizes months and years from local midnights', () => {
    // March in Berlin: 31 x 24 h minus the skipped hour = 743 h.
    expect((calendarPeriod('2025-03', 'Europe/Berlin').end - calendarPeriod('2025-03', 'Europe/Berlin').start) / H).toBe(743);
    const year = calendarPeriod('2024', 'Asia/Shanghai');
    expect(subPeriods(year, 'day')).toHaveLength(366);
    expect(subPeriods(year, 'month').map((m) => m.key)[1]).toBe('2024-02');
  });

  it('maps a wall time skipped by DST to the transition instant', () => {
    // 02:30 does not exist in Berlin on 2025-03-30; clocks jump from 02:00 CET (01:00Z) to 03:00 CEST.
    expect(iso(fromLocalTime({ year: 2025, month: 3, day: 30, hour: 2, minute: 30 }, 'Europe/Berlin'))).toBe('2025-03-30T01:00:00.000Z');
    // 02:30 happens twice on 2025-10-26; the first (CEST, +02:00) is 00:30Z.
    expect(iso(fromLocalTime({ year: 2025, month: 10, day: 26, hour: 2, minute: 30 }, 'Europe/Berlin'))).toBe('2025-10-26T00:30:00.000Z');
  });

  it('rejects impossible periods', () => {
    for (const key of ['2025-02-29', '2025-13', '25-01', '2025-1', '']) {
      expect(() => calendarPeriod(key, 'Asia/Shanghai')).toThrow(expect.objectContaining({ code: 'MTL_DOMAIN_INVALID_PERIOD' }));
    }
  });

  it('tiles any month exactly with its days and hours (property)', () => {
    const zones = ['Asia/Shanghai', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata'];
    fc.assert(
      fc.property(fc.integer({ min: 2000, max: 2035 }), fc.integer({ min: 1, max: 12 }), fc.constantFrom(...zones), (y, m, tz) => {
        const month = calendarPeriod(`${y}-${String(m).padStart(2, '0')}`, tz);
        for (const kind of ['day', 'hour'] as const) {
          const parts = subPeriods(month, kind);
          expect(parts[0]!.start).toBe(month.start);
          expect(parts[parts.length - 1]!.end).toBe(month.end);
          for (let i = 1; i < parts.length; i++) expect(parts[i]!.start).toBe(parts[i - 1]!.end);
        }
        expect(subPeriods(month, 'day')).toHaveLength(new Date(Date.UTC(y, m, 0)).getUTCDate());
      }),
      { numRuns: 40 },
    );
  });
});
