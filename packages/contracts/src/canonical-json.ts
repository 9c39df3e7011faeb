import type { ContractsErrorCode } from './errors.ts';
/** A JSON value; members whose value is undefined are left out, as JSON.stringify does. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };

/** A UTF-16 surrogate not paired with its other half (with the u flag, pairs count as one code point). */
const LONE_SURROGATE = /\p{Cs}/u;

/** A value that has no canonical form: not I-JSON (RFC 7493), as RFC 8785 requires of its input. */
export class NotIJsonError extends TypeError {
  readonly code = 'MTL_CONTRACTS_NOT_I_JSON' satisfies ContractsErrorCode;
  override readonly name = 'NotIJsonError';
}

function canonicalString(s: string): string {
  // RFC 8785 section 3.2.2.2: lone surrogates are invalid Unicode and MUST end canonicalisation with an error.
  if (LONE_SURROGATE.test(s)) throw new NotIJsonError(`not I-JSON: a lone surrogate in ${JSON.stringify(s)}`);
  return JSON.stringify(s);
}

/**
 * JSON Canonicalization Scheme (RFC 8785): object members sorted by their UTF-16 code
 * units (section 3.2.3), no whitespace, numbers and strings as ECMAScript serialises them
 * (section 3.2.2), which is what JSON.stringify does. Input must be I-JSON: a non-finite
 * number or a lone surrogate is refused. The same value always gives the same text, so its
 * hash names it. Tested against the RFC's examples and the reference test data.
 */
export function canonicalJson(value: Json): string {
  if (typeof value === 'string') return canonicalString(value);
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new NotIJsonError(`not I-JSON: the number ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const members = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort()
    .map((k) => `${canonicalString(k)}:${canonicalJson(value[k] as Json)}`);
  return `{${members.join(',')}}`;
}
