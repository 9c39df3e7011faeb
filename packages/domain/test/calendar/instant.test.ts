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
