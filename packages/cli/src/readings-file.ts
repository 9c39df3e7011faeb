import { convertUnit, isKnownUnit, MAX_LISTED_ISSUES, parseInstant, unitDimension, type RegistryIndex, type RegisterReading } from '@meterline/domain';
import { readCsvTable } from './csv-table.ts';
import type { InputError } from './input-error.ts';


const READINGS_COLUMNS = ['point', 'timestamp', 'quantity', 'value', 'unit'] as const;

/** Readings grouped by metering point, converted to the point's unit. */
export type ReadingsByPoint = Map<string, RegisterReading[]>;

/**
 * Reads the readings CSV (header: point,timestamp,quantity,value,unit in any order) and
 * checks every row against the registry. Every bad field is reported with its line.
 */
export function parseReadingsCsv(text: string, file: string, registry: RegistryIndex): { readings: ReadingsByPoint; errors: InputError[] } {
  const { header, columns, rows, errors } = readCsvTable(text, file);
  const readings: ReadingsByPoint = new Map();
  if (!header) {
    if (errors.length === 0) errors.push({ file, line: 1, message: `empty file: expected the header ${READINGS_COLUMNS.join(',')}` });
    return { readings, errors };
  }
  const missing = READINGS_COLUMNS.filter((c) => !columns.includes(c));
  const unknown = columns.filter((c) => !(READINGS_COLUMNS as readonly string[]).includes(c));
  if (missing.length > 0 || unknown.length > 0) {
    errors.push({
      file,
      line: header.line,
      message: `header must name the columns ${READINGS_COLUMNS.join(',')}${missing.length ? `; missing: ${missing.join(', ')}` : ''}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`,
    });
    return { readings, errors };
  }
  const at = (name: (typeof READINGS_COLUMNS)[number]) => columns.indexOf(name);
  for (const row of rows) {
    const bad = (field: string, message: string) => errors.push({ file, line: row.line, field, message });
    if (row.fields.length !== columns.length) {
      errors.push({ file, line: row.line, message: `expected ${columns.length} fields, found ${row.fields.length}` });
      continue;
    }
    const get = (name: (typeof READINGS_COLUMNS)[number]) => row.fields[at(name)]!;
    const pointId = get('point');
    const location = registry.point(pointId);
    if (!location) {
      bad('point', `unknown metering point "${pointId}" (not in the manifest)`);
      continue;
    }
    const point = location.point;
    const timestamp = get('timestamp');
    const ms = parseInstant(timestamp);
    if (ms === undefined) {
      bad('timestamp', `expected an ISO 8601 timestamp with offset of a day and time that exist, e.g. 2025-03-01T00:00:00+08:00, got "${timestamp}"`);
    }
    const quantity = get('quantity');
    if (quantity !== point.quantity) bad('quantity', `point "${pointId}" measures ${point.quantity}, got "${quantity}"`);
    const valueText = get('value');
    const value = valueText === '' ? Number.NaN : Number(valueText);
    if (!Number.isFinite(value) || value < 0) bad('value', `expected a non-negative register value, got "${valueText}"`);
    const unit = get('unit');
    if (!isKnownUnit(unit)) bad('unit', `unknown unit "${unit}"`);
    else if (unitDimension(unit) !== unitDimension(point.unit)) bad('unit', `"${unit}" does not convert to the point's unit ${point.unit}`);
    if (ms === undefined || errors.some((e) => e.line === row.line)) continue;
    const list = readings.get(pointId) ?? [];
    list.push({ at: ms, value: convertUnit(value, unit, point.unit) });
    readings.set(pointId, list);
  }
  // Syntax errors were found first; list every problem in the order of the file.
  errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { readings, errors: capProblems(errors, file) };
}

/** The first MAX_LISTED_ISSUES problems, and one line naming where the rest begin and how many they are. */
export function capProblems(errors: InputError[], file: string): InputError[] {
  if (errors.length <= MAX_LISTED_ISSUES) return errors;
  const rest = errors.slice(MAX_LISTED_ISSUES);
  return [...errors.slice(0, MAX_LISTED_ISSUES), { file, line: rest[0]!.line, message: `${rest.length} more problems from this line on are not listed (the first ${MAX_LISTED_ISSUES} are)` }];
}
