import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseInstant } from '../../src/index.ts';

describe('parseInstant', () => {
  it('reads the offset: 08:00 in UTC+8 is midnight UTC', () => {
    expect(parseInstant('2026-03-01T08:00:00+08:00')).toBe(Date.UTC(2026, 2, 1, 0, 0, 0));
    expect(parseInstant('2026-03-01T00:00:00.250Z')).toBe(Date.UTC(2026, 2, 1, 0, 0, 0, 250));
  });

  it.each(['2026-02-30T00:00:00Z', '2026-13-01T00:00:00Z', '2026-02-28T24:00:00Z', '2026-02-28T23:60:00Z', '2026-02-28T12:00:00', '2026-02-28T12:00:00+25:00'])(
    'refuses %s',
    (text) => {
      expect(parseInstant(text)).toBeUndefined();
    },
  );

  it('accepts 29 February in a leap year only', () => {
    expect(parseInstant('2028-02-29T00:00:00Z')).toBe(Date.UTC(2028, 1, 29));
    expect(parseInstant('2027-02-29T00:00:00Z')).toBeUndefined();
  });
});

describe('parseInstant against Date.parse', () => {
  const two = (n: number) => String(n).padStart(2, '0');
  // Every part in range, the day within its month (as Date counts it), with or without seconds,
  // fraction and offset: the texts parseInstant must accept, each worth what Date.parse says.
  const validInstant = fc
    .record({
      year: fc.integer({ min: 0, max: 9999 }),
      month: fc.integer({ min: 1, max: 12 }),
      dayFraction: fc.double({ min: 0, max: 0.999, noNaN: true }),
      hour: fc.integer({ min: 0, max: 23 }),
      minute: fc.integer({ min: 0, max: 59 }),
      second: fc.option(fc.integer({ min: 0, max: 59 })),
      fraction: fc.option(fc.stringMatching(/^\d{1,9}$/)),
      offset: fc.option(fc.record({ sign: fc.constantFrom('+', '-'), hour: fc.integer({ min: 0, max: 23 }), minute: fc.integer({ min: 0, max: 59 }) })),
    })
    .map(({ year, month, dayFraction, hour, minute, second, fraction, offset }) => {
      const probe = new Date(0);
      probe.setUTCFullYear(year, month, 0);
      const day = 1 + Math.floor(dayFraction * probe.getUTCDate());
      const seconds = second === null ? '' : `:${two(second)}${fraction === null ? '' : `.${fraction}`}`;
      const zone = offset === null ? 'Z' : `${offset.sign}${two(offset.hour)}:${two(offset.minute)}`;
      return `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}${seconds}${zone}`;
    });

  it('gives the epoch milliseconds Date.parse gives, for every valid instant from year 0 to 9999', () => {
    fc.assert(
      fc.property(validInstant, (text) => {
        expect(parseInstant(text)).toBe(Date.parse(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it('truncates a fraction beyond milliseconds, as Date.parse does', () => {
    expect(parseInstant('1969-12-31T23:59:59.9999Z')).toBe(-1);
    expect(parseInstant('2026-03-01T00:00:00.5+05:30')).toBe(Date.UTC(2026, 1, 28, 18, 30, 0, 500));
  });
});
