/**
 * The closed list of baseline error codes, returned as values (never thrown): a caller
 * matches on `code`, never on the message. None is retryable: the inputs are wrong.
 */
export type BaselineErrorCode =
  /** A regressor is constant or a linear combination of the others (the variable is named). */
  | 'MTL_MINING_SINGULAR_DESIGN'
  /** Fewer observations than parameters plus one: no residual degree of freedom. */
  | 'MTL_MINING_TOO_FEW_OBSERVATIONS'
  /** A value is not a finite number, or an observation lacks a variable the model needs (named). */
  | 'MTL_MINING_INVALID_INPUT';

export interface BaselineError {
  code: BaselineErrorCode;
  message: string;
  /** The variable at fault, when one is. */
  variable: string | null;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: BaselineError };

export function failure(code: BaselineErrorCode, message: string, variable: string | null = null): { ok: false; error: BaselineError } {
  return { ok: false, error: { code, message, variable } };
}
