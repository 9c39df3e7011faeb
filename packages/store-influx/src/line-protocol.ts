import type { SeriesPoint } from '@meterline/store';

/**
 * InfluxDB line protocol (InfluxDB 1.8 reference, "Line protocol": special characters and
 * quoting), written directly rather than through the client's `Point`: building a `Point`
 * per reading was about a quarter of the writer's CPU (issue 17). Same output as the
 * client's `Point.toLineProtocol` with millisecond timestamps: tags and fields sorted by key,
 * empty tag values left out, floats as JavaScript prints them, no point without a field.
 */

/** Registry ids and field names need no escaping; testing for that first saves most of the cost. */
const PLAIN = /^[\w.:/-]*$/;

/** Measurement names: commas and spaces escaped. */
const escapeMeasurement = (s: string) => escapeEach(s, /[,\s]/g);
/** Tag keys, tag values and field keys: commas, equals signs and spaces escaped. */
const escapeKey = (s: string) => escapeEach(s, /[,=\s]/g);
/** String field values: in double quotes, with double quotes and backslashes escaped. */
const quote = (s: string) => `"${PLAIN.test(s) ? s : s.replace(/["\\]/g, (c) => `\\${c}`)}"`;

const WHITESPACE_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeEach(s: string, special: RegExp): string {
  return PLAIN.test(s) ? s : s.replace(special, (c) => WHITESPACE_ESCAPES[c] ?? `\\${c}`);
}

function fieldText(key: string, value: SeriesPoint['fields'][string]): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`invalid float value for field '${key}': ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'T' : 'F';
  return quote(value);
}

/** One point as a line, or undefined for a point without fields (InfluxDB refuses those). */
export function lineOf(p: SeriesPoint): string | undefined {
  let fields = '';
  for (const key of Object.keys(p.fields).sort()) {
    if (!key) continue;
    fields += `${fields ? ',' : ''}${escapeKey(key)}=${fieldText(key, p.fields[key]!)}`;
  }
  if (!fields) return undefined;
  let tags = '';
  for (const key of Object.keys(p.tags).sort()) {
    const value = p.tags[key];
    if (key && value) tags += `,${escapeKey(key)}=${escapeKey(value)}`;
  }
  return `${escapeMeasurement(p.measurement)}${tags} ${fields} ${p.timestampMs}`;
}
