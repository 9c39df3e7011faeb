import { errorCatalogue } from '@meterline/errors';

export const STORE_ERRORS = errorCatalogue('@meterline/store', {
  MTL_STORE_UNAVAILABLE: { meaning: 'The store cannot be reached or answered as overloaded: wait and write again', retryable: true },
  MTL_STORE_REJECTED: { meaning: 'The store refused the points themselves (e.g. a field stored as another type): writing them again cannot help', retryable: false },
  MTL_STORE_QUERY_FAILED: { meaning: 'The store answered a query with an error; retryable when its status is (5xx, 429)', retryable: 'per-instance' },
});

export type StoreErrorCode = (typeof STORE_ERRORS.codes)[number];

/**
 * A store failure. `canRetry` separates an outage (wait and write again) from a refusal
 * of the data itself (retrying the same points cannot help); the catalogue decides, the
 * cause only for MTL_STORE_QUERY_FAILED (`options.canRetry`).
 */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly canRetry: boolean;
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options: { cause?: unknown; canRetry?: boolean } = {},
  ) {
    super(message, { cause: options.cause });
    this.canRetry = STORE_ERRORS.canRetry(code, options.canRetry);
  }
}
