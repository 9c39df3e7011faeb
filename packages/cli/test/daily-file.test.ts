import { describe, expect, it } from 'vitest';
import { parseDailyCsv } from '../src/daily-file.ts';

describe('parseDailyCsv', () => {
  it('reads each day with the variables it gives, sorted by date, an empty cell unknown', () => {
    const text = ['date,energy,energy_u,production,temperature,working_day', '2026-03-02,1200.5,12,40,3.5,1', '2026-03-01,800,,,-2.25,0', ''].join('\n');
    expect(parseDailyCsv(text, 'd.csv')).toEqual({
      rows: [
        { date: '2026-03-01', energy: 800, energyU: 0, temperatureC: -2.25, workingDay: 0 },
        { date: '2026-03-02', energy: 1200.5, energyU: 12, production: 40, temperatureC: 3.5, workingDay: 1 },
      ],
      columns: ['date', 'energy', 'energy_u', 'production', 'temperature', 'working_day'],
      errors: [],
    });
  });

  it('names the line and the field of every bad value', () => {
    const text = ['energy,date,temperature,working_day', '-1,2026-03-01,20,1', '5,2026-02-30,20,1', '5,2026-03-03,71.6,yes', '6,2026-03-01,,', ',2026-03-04,,'].join('\n');
    expect(parseDailyCsv(text, 'd.csv').errors).toEqual([
      { file: 'd.csv', line: 2, field: 'energy', message: 'expected the day’s energy, a number ≥ 0, got "-1"' },
      { file: 'd.csv', line: 3, field: 'date', message: 'expected a calendar day YYYY-MM-DD, got "2026-02-30"' },
      { file: 'd.csv', line: 4, field: 'temperature', message: 'expected the day’s mean outdoor temperature in °C, -90 to 60, got "71.6"' },
      { file: 'd.csv', line: 4, field: 'working_day', message: 'expected 1 (a working day) or 0 (a day off), got "yes"' },
      { file: 'd.csv', line: 5, field: 'date', message: '2026-03-01 is already on line 2: one row per day' },
      { file: 'd.csv', line: 6, field: 'energy', message: 'the day’s energy is required' },
    ]);
  });

  it('refuses a header without date and energy, or with a column it does not know', () => {
    const { errors, rows } = parseDailyCsv('day,energy,humidity\n2026-03-01,5,80\n', 'd.csv');
    expect(rows).toEqual([]);
    expect(errors).toEqual([{ file: 'd.csv', line: 1, message: 'header must name date,energy and may name energy_u, production, temperature, working_day; missing: date; unknown: day, humidity' }]);
  });
});
