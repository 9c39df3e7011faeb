import type { SeriesPoint } from '@meterline/store';

/**
 * InfluxDB line protocol (InfluxDB 1.8 reference, "Line protocol": special characters and
 * quoting), written directly rather than through the client's `Point`: building a `Point`
 * per reading was about a quarter of the writer's CPU (issue 17). Same output as the
 * client's `Point.toLineProtocol` with millisecond timestamps: tags and fields sorted by key,
 * empty tag values left out, floats as JavaScript prints them, no point without a field.
 */

/** Registry ids and field names need no escaping ([\w.:/-]); testing for that first saves most of the cost. */
function isPlain(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // a–z, A–Z, "-" "." "/" 0–9 ":" (45–58), "_"
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 45 && c <= 58) || c === 95)) return false;
  }
  return true;
}

/** Measurement names: commas and spaces escaped. */
const escapeMeasurement = (s: string) => escapeEach(s, /[,\s]/g);
/** Tag keys, tag values and field keys: commas, equals signs and spaces escaped. */
const escapeKey = (s: string) => escapeEach(s, /[,=\s]/g);
/** String field values: in double quotes, with double quotes and backslashes escaped. */
const quote = (s: string) => `"${s.includes('"') || s.includes('\\') ? s.replace(/["\\]/g, (c) => `\\${c}`) : s}"`;

const WHITESPACE_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeEach(s: string, special: RegExp): string {
  return isPlain(s) ? s : s.replace(special, (c) => WHITESPACE_ESCAPES[c] ?? `\\${c}`);
}

function fieldText(key: string, value: SeriesPoint['fields'][string]): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`invalid float value for field '${key}': ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'T' : 'F';
  return quote(value);
}

/**
 * A key set's sorted order, as indices into the keys (and so into `Object.values`, which lists
 * values in the same order), empty keys left out; each key's escaped text, as `key=` (fields)
 * or `,key=` (tags); and the keys themselves, for error messages.
 */
interface KeyOrder {
  keys: readonly string[];
  indices: readonly number[];
  prefixes: readonly string[];
}

/**
 * The orders of the key sets seen last. A store writes a few shapes of point many times over
 * (a figure's fields, a reading's tags); sorting and escaping each point's keys again was
 * half of a figure's line (issue 17). Comparing keys is cheap: property names are interned,
 * so equal keys are one string.
 */
class KeyOrders {
  private readonly recent: KeyOrder[] = [];

  constructor(
    private readonly separator: string,
    private readonly capacity = 32,
  ) {}

  of(keys: readonly string[]): KeyOrder {
    for (let i = 0; i < this.recent.length; i++) {
      const order = this.recent[i]!;
      if (sameKeys(order.keys, keys)) {
        if (i > 0) this.recent.copyWithin(1, 0, i)[0] = order;
        return order;
      }
    }
    const indices = [...keys.keys()].filter((i) => keys[i] !== '').sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
    const order = { keys, indices, prefixes: indices.map((i) => `${this.separator}${escapeKey(keys[i]!)}=`) };
    this.recent.unshift(order);
    if (this.recent.length > this.capacity) this.recent.pop();
    return order;
  }
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const fieldOrders = new KeyOrders('');
const tagOrders = new KeyOrders(',');
let lastMeasurement = '';
let lastEscapedMeasurement = '';

/** One point as a line, or undefined for a point without fields (InfluxDB refuses those). */
export function lineOf(p: SeriesPoint): string | undefined {
  const fieldOrder = fieldOrders.of(Object.keys(p.fields));
  if (fieldOrder.indices.length === 0) return undefined;
  if (p.measurement !== lastMeasurement) {
    lastMeasurement = p.measurement;
    lastEscapedMeasurement = escapeMeasurement(p.measurement);
  }
  let line = lastEscapedMeasurement;
  const tagOrder = tagOrders.of(Object.keys(p.tags));
  const tagValues = Object.values(p.tags);
  for (let i = 0; i < tagOrder.indices.length; i++) {
    const value = tagValues[tagOrder.indices[i]!];
    if (value) line += tagOrder.prefixes[i]! + escapeKey(value);
  }
  const fieldValues = Object.values(p.fields);
  for (let i = 0; i < fieldOrder.indices.length; i++) {
    const index = fieldOrder.indices[i]!;
    line += (i === 0 ? ' ' : ',') + fieldOrder.prefixes[i]! + fieldText(fieldOrder.keys[index]!, fieldValues[index]!);
  }
  return `${line} ${p.timestampMs}`;
}
