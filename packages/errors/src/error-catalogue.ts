/**
 * What one error code means. Codes are stable: callers match on `code`, never on message text,
 * and docs/errors.md (generated from the catalogues, scripts/error-catalogue.ts) lists them all.
 */
export interface ErrorEntry {
  /** What happened, for the operator reading docs/errors.md. */
  readonly meaning: string;
  /**
   * Whether the same call may succeed later (an outage, a rate window) or cannot (the input is
   * wrong). `per-instance` when the cause decides, e.g. the HTTP status a store answered with.
   */
  readonly retryable: boolean | 'per-instance';
  /** The HTTP status the API answers with, for codes the API renders as problem details. */
  readonly httpStatus?: number;
  /** The process exit code, for codes a command ends with. */
  readonly exitCode?: number;
}

export interface ErrorCatalogue<Entries extends Record<string, ErrorEntry>, Code extends string = keyof Entries & string> {
  /** The workspace that raises these codes, e.g. `@meterline/store`. */
  readonly owner: string;
  /** Each code's entry, with whatever else its owner keeps there (e.g. the API's problem slug). */
  readonly entries: Readonly<Entries>;
  readonly codes: readonly Code[];
  /** The catalogue's answer for `code`; for a `per-instance` code, the cause's answer given. */
  canRetry(code: Code, perInstance?: boolean): boolean;
  has(code: string): code is Code;
}

const CODE = /^MTL_[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/;

/** Declares a workspace's codes once; a malformed code or entry fails when the module loads. */
export function errorCatalogue<const Entries extends Record<string, ErrorEntry>>(owner: string, entries: Entries): ErrorCatalogue<Entries> {
  type Code = keyof Entries & string;
  const codes = Object.keys(entries) as Code[];
  for (const code of codes) {
    const entry = entries[code]!;
    if (!CODE.test(code)) throw new TypeError(`${owner}: error code ${code} is not MTL_<AREA>_<WHAT> in capitals`);
    if (entry.meaning.trim() === '') throw new TypeError(`${owner}: error code ${code} has no meaning`);
    if (entry.httpStatus !== undefined && !(Number.isInteger(entry.httpStatus) && entry.httpStatus >= 400 && entry.httpStatus <= 599)) {
      throw new TypeError(`${owner}: error code ${code} has HTTP status ${entry.httpStatus}, not an error status`);
    }
    if (entry.exitCode !== undefined && !(Number.isInteger(entry.exitCode) && entry.exitCode > 0 && entry.exitCode < 256)) {
      throw new TypeError(`${owner}: error code ${code} has exit code ${entry.exitCode}, not 1 to 255`);
    }
  }
  const known = new Set<string>(codes);
  return Object.freeze({
    owner,
    entries: Object.freeze({ ...entries }),
    codes: Object.freeze(codes),
    canRetry(code: Code, perInstance?: boolean): boolean {
      const retryable = entries[code]!.retryable;
      if (retryable !== 'per-instance') return retryable;
      if (perInstance === undefined) throw new TypeError(`${owner}: ${code} is retryable per instance: the cause must say`);
      return perInstance;
    },
    has: (code: string): code is Code => known.has(code),
  });
}
