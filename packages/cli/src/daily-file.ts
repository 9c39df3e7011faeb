import { periodLastDay } from '@meterline/domain';
import { readCsvTable } from './csv-table.ts';
import type { InputError } from './input-error.ts';
import { capProblems } from './readings-file.ts';

const REQUIRED_COLUMNS = ['date', 'energy'] as const;
const OPTIONAL_COLUMNS = ['energy_u', 'production', 'temperature', 'working_day'] as const;
type Column = (typeof REQUIRED_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];
const COLUMNS: readonly string[] = [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS];

/** Outdoor daily means beyond these are a typo or another unit (°F), not a day's weather (records: −89.2 °C, 56.7 °C). */
const TEMPERATURE_RANGE_C = { min: -90, max: 60 } as const;

/** One day of a subject's energy and the variables it may depend on; a variable left empty is unknown that day. */
export interface DailyRow {
  /** The local day, YYYY-MM-DD. */
  date: string;
  energy: number;
  /** U (k = 2) of `energy`, in its unit; 0 when the file gives none. */
  energyU: number;
  production?: number;
  /** The day's mean outdoor temperature, °C. */
  temperatureC?: number;
  /** 1 for a working day, 0 for a day off. */
  workingDay?: 0 | 1;
}

/**
 * Reads the daily CSV `meterline baseline` fits on: header date,energy and any of
 * energy_u, production, temperature (°C), working_day (1 or 0), in any order. Every bad field
 * is reported with its line; rows come back sorted by date.
 */
export function parseDailyCsv(text: string, file: string): { rows: DailyRow[]; columns: Column[]; errors: InputError[] } {
  const { header, columns, rows, errors } = readCsvTable(text, file);
  const days: DailyRow[] = [];
  if (!header) {
    if (errors.length === 0) errors.push({ file, line: 1, message: `empty file: expected a header with ${REQUIRED_COLUMNS.join(',')} and any of ${OPTIONAL_COLUMNS.join(', ')}` });
    return { rows: days, columns: [], errors };
  }
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
  const unknown = columns.filter((c) => !COLUMNS.includes(c));
  const repeated = columns.filter((c, i) => columns.indexOf(c) !== i);
  if (missing.length > 0 || unknown.length > 0 || repeated.length > 0) {
    const parts = [missing.length ? `missing: ${missing.join(', ')}` : '', unknown.length ? `unknown: ${unknown.join(', ')}` : '', repeated.length ? `named twice: ${repeated.join(', ')}` : ''];
    errors.push({ file, line: header.line, message: `header must name ${REQUIRED_COLUMNS.join(',')} and may name ${OPTIONAL_COLUMNS.join(', ')}; ${parts.filter(Boolean).join('; ')}` });
    return { rows: days, columns: [], errors };
  }
  const seen = new Map<string, number>();
  for (const row of rows) {
    const bad = (field: string, message: string) => errors.push({ file, line: row.line, field, message });
    if (row.fields.length !== columns.length) {
      errors.push({ file, line: row.line, message: `expected ${columns.length} fields, found ${row.fields.length}` });
      continue;
    }
    const get = (name: Column): string | undefined => (columns.includes(name) ? row.fields[columns.indexOf(name)]!.trim() : undefined);
    const number = (name: Column, check: (n: number) => boolean, expected: string): number | undefined => {
      const text = get(name);
      if (text === undefined || text === '') return undefined;
      const n = Number(text);
      if (!Number.isFinite(n) || !check(n)) bad(name, `expected ${expected}, got "${text}"`);
      return n;
    };

    const date = get('date')!;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || periodLastDay(date) !== date) bad('date', `expected a calendar day YYYY-MM-DD, got "${date}"`);
    else if (seen.has(date)) bad('date', `${date} is already on line ${seen.get(date)}: one row per day`);
    else seen.set(date, row.line);
    const energyText = get('energy')!;
    const energy = number('energy', (n) => n >= 0, 'the day’s energy, a number ≥ 0');
    if (energyText === '') bad('energy', 'the day’s energy is required');
    const energyU = number('energy_u', (n) => n >= 0, 'U (k = 2) of the day’s energy, a number ≥ 0');
    const production = number('production', (n) => n >= 0, 'the day’s production, a number ≥ 0');
    const temperature = number('temperature', (n) => n >= TEMPERATURE_RANGE_C.min && n <= TEMPERATURE_RANGE_C.max, `the day’s mean outdoor temperature in °C, ${TEMPERATURE_RANGE_C.min} to ${TEMPERATURE_RANGE_C.max}`);
    const workingText = get('working_day');
    if (workingText !== undefined && workingText !== '' && workingText !== '0' && workingText !== '1') bad('working_day', `expected 1 (a working day) or 0 (a day off), got "${workingText}"`);
    if (errors.some((e) => e.line === row.line)) continue;
    days.push({
      date,
      energy: energy!,
      energyU: energyU ?? 0,
      ...(production !== undefined ? { production } : {}),
      ...(temperature !== undefined ? { temperatureC: temperature } : {}),
      ...(workingText === '0' || workingText === '1' ? { workingDay: Number(workingText) as 0 | 1 } : {}),
    });
  }
  errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  days.sort((a, b) => a.date.localeCompare(b.date));
  return { rows: days, columns: columns as Column[], errors: capProblems(errors, file) };
}
