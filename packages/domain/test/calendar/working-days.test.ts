import { describe, expect, it } from 'vitest';
import { isWorkingDay, parseManifest } from '../../src/index.ts';

describe('working days: Monday to Friday, as the enterprise’s calendar moves them', () => {
  it('counts Monday to Friday without a calendar', () => {
    // 2026-03-02 is a Monday, 2026-03-07 a Saturday, 2026-03-08 a Sunday.
    expect(['2026-03-02', '2026-03-06', '2026-03-07', '2026-03-08'].map((d) => isWorkingDay(d, undefined))).toEqual([true, true, false, false]);
  });

  it('takes a holiday off a weekday and puts the day it is moved to on a Saturday', () => {
    const calendar = { daysOff: ['2026-03-02', '2026-03-03'], workingDays: ['2026-03-07'] };
    expect(['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-07', '2026-03-08'].map((d) => isWorkingDay(d, calendar))).toEqual([false, false, true, true, false]);
  });

  it('reads the calendar from the registry and names a date that is not one', () => {
    const manifest = (calendar: unknown) =>
      JSON.stringify({
        version: 1,
        enterprises: [
          {
            id: 'e1', name: 'E1', region: 'CN-CQ', gridRegion: 'southwest', timeZone: 'Asia/Shanghai',
            factorSet: { name: 'cn-2023', version: '1.0.0' }, scope2Level: 'provincial',
            sites: [{ id: 's1', name: 'S1', meteringPoints: [] }], devices: [], calendar,
          },
        ],
      });
    expect(parseManifest(manifest({ daysOff: ['2026-10-01'], workingDays: ['2026-09-27'] }), 'm.json').ok).toBe(true);
    const bad = parseManifest(manifest({ daysOff: ['2026-02-30'] }), 'm.json');
    expect(bad.ok ? [] : bad.errors.map((e) => [e.path, e.code])).toEqual([['/enterprises/0/calendar/daysOff/0', 'MTL_DOMAIN_MANIFEST_INVALID_VALUE']]);
  });
});
