import { errorCatalogue } from '@meterline/errors';

/**
 * The closed list of baseline error codes, returned as values (never thrown): a caller
 * matches on `code`, never on the message. None is retryable: the inputs are wrong.
 */
export const MINING_ERRORS = errorCatalogue('@meterline/mining', {
  MTL_MINING_SINGULAR_DESIGN: { meaning: 'A regressor of a baseline is constant or a linear combination of the others (the variable is named)', retryable: false },
  MTL_MINING_TOO_FEW_OBSERVATIONS: { meaning: 'A baseline or reporting period has no days, or fewer than the parameters plus one: no residual degree of freedom', retryable: false },
  MTL_MINING_INVALID_INPUT: { meaning: 'A value is not a finite number, or an observation lacks a variable the model needs (the variable is named)', retryable: false },
});

type BaselineErrorCode = (typeof MINING_ERRORS.codes)[number];

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
