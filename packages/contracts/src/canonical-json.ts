/** A JSON value; members whose value is undefined are left out, as JSON.stringify does. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };

/**
 * JSON Canonicalization Scheme (RFC 8785): object members sorted by their UTF-16 code
 * units, no whitespace, numbers and strings as ECMAScript serialises them (which is what
 * RFC 8785 prescribes). The same value always gives the same text, so its hash names it.
 */
export function canonicalJson(value: Json): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`not a JSON number: ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const members = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] as Json)}`);
  return `{${members.join(',')}}`;
}
