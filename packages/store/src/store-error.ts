export type StoreErrorCode =
  | 'MTL_STORE_UNAVAILABLE'
  | 'MTL_STORE_REJECTED'
  | 'MTL_STORE_QUERY_FAILED';

/**
 * A store failure. `canRetry` separates an outage (wait and write again) from a refusal
 * of the data itself (retrying the same points cannot help).
 */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    readonly canRetry: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
