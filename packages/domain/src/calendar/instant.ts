/**
 * An instant as every input spells it: ISO 8601 with its offset (RFC 3339), e.g.
 * 2026-03-01T08:00:00+08:00. One parser for all of them (MQTT payloads, the API, the CLI's
 * readings file, the registry manifest), so an impossible date is refused wherever it enters.
 */
const INSTANT_PARTS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

const isLeapYear = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Days from 1970-01-01 to a date of the proleptic Gregorian calendar (as ECMAScript's Date
 * counts them), by H. Hinnant's days_from_civil. Date.UTC would read years 0 to 99 as 1900 to 1999.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/**
 * Epoch milliseconds of an ISO 8601 timestamp with offset, or undefined when a part is out
 * of range. Stricter than Date.parse, which rolls 30 February over into March and accepts 24:00;
 * equal to it on every text accepted (fractions beyond milliseconds truncated, as V8 does).
 * Computed from the parts rather than by Date.parse: ingest parses every reading's timestamp.
 */
export function parseInstant(text: string): number | undefined {
  const m = INSTANT_PARTS.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const offsetHour = m[9] === undefined ? 0 : Number(m[9]);
  const offsetMinute = m[10] === undefined ? 0 : Number(m[10]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || offsetHour > 23 || offsetMinute > 59) return undefined;
  const fraction = m[7];
  const ms = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  const offsetMs = (m[8] === '-' ? -1 : 1) * (offsetHour * 60 + offsetMinute) * MS_PER_MINUTE;
  return daysFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000 + ms - offsetMs;
}
