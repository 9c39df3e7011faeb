import { describe, expect, it } from 'vitest';
import { lastPeriodEndMs, rememberedLastPeriodEnd } from '../src/figure-cache/last-period-end.ts';

const at = (iso: string) => Date.parse(iso);

describe('lastPeriodEndMs: when the last period starting before the end of a range ends', () => {
  it('a range ending on a period boundary: that boundary', () => {
    expect(lastPeriodEndMs('quarter-hour', at('2026-03-01T00:15:00Z'), 'Asia/Shanghai')).toBe(at('2026-03-01T00:15:00Z'));
    expect(lastPeriodEndMs('day', at('2026-03-04T00:00:00+08:00'), 'Asia/Shanghai')).toBe(at('2026-03-04T00:00:00+08:00'));
    expect(lastPeriodEndMs('month', at('2026-04-01T00:00:00+08:00'), 'Asia/Shanghai')).toBe(at('2026-04-01T00:00:00+08:00'));
  });

  it('a range ending inside a period: the end of that period, which starts in the range', () => {
    expect(lastPeriodEndMs('quarter-hour', at('2026-03-01T00:10:00Z'), 'Asia/Shanghai')).toBe(at('2026-03-01T00:15:00Z'));
    expect(lastPeriodEndMs('hour', at('2026-03-01T00:30:00Z'), 'Asia/Shanghai')).toBe(at('2026-03-01T01:00:00Z'));
    expect(lastPeriodEndMs('day', at('2026-03-04T12:00:00+08:00'), 'Asia/Shanghai')).toBe(at('2026-03-05T00:00:00+08:00'));
    expect(lastPeriodEndMs('month', at('2026-04-15T00:00:00+08:00'), 'Asia/Shanghai')).toBe(at('2026-05-01T00:00:00+08:00'));
    expect(lastPeriodEndMs('year', at('2026-04-15T00:00:00+08:00'), 'Asia/Shanghai')).toBe(at('2027-01-01T00:00:00+08:00'));
  });

  it('local hours of a zone half an hour off UTC end at half past in UTC', () => {
    // 05:40 in Kolkata (+05:30): the local hour 05:00–06:00 ends at 00:30 UTC.
    expect(lastPeriodEndMs('hour', at('2026-03-01T00:10:00Z'), 'Asia/Kolkata')).toBe(at('2026-03-01T00:30:00Z'));
  });

  it('a spring-forward day ends at its own local midnight, 23 hours after it began', () => {
    // Berlin moves from +01:00 to +02:00 on 2026-03-29.
    expect(lastPeriodEndMs('day', at('2026-03-29T12:00:00Z'), 'Europe/Berlin')).toBe(at('2026-03-30T00:00:00+02:00'));
  });
});

describe('rememberedLastPeriodEnd', () => {
  it('answers each range right, also after its memory was emptied for being full', () => {
    const remembered = rememberedLastPeriodEnd(2);
    for (const day of ['04', '06', '08', '04']) {
      const next = String(Number(day) + 1).padStart(2, '0');
      expect(remembered('day', at(`2026-03-${day}T12:00:00+08:00`), 'Asia/Shanghai')).toBe(at(`2026-03-${next}T00:00:00+08:00`));
    }
  });
});
