import { errorCatalogue } from '@meterline/errors';

/**
 * The API's error catalogue: a closed list of stable codes, each with its HTTP status, the
 * problem title clients see (its meaning), whether the same request may succeed later (the
 * rate window passes, the store, Kafka or the broker comes back) and its problem type's slug.
 * Every refusal the API makes is one of these, rendered as application/problem+json
 * (RFC 9457) by the one error handler in problem.ts.
 */
export const API_ERRORS = errorCatalogue('@meterline/api', {
  MTL_API_VALIDATION_FAILED: { httpStatus: 400, meaning: 'The request is not valid', slug: 'validation-failed', retryable: false },
  MTL_API_BAD_CURSOR: { httpStatus: 400, meaning: 'The pagination cursor is not valid', slug: 'bad-cursor', retryable: false },
  MTL_API_UNAUTHENTICATED: { httpStatus: 401, meaning: 'An API key is required', slug: 'unauthenticated', retryable: false },
  MTL_API_FORBIDDEN: { httpStatus: 403, meaning: 'The API key may not do this', slug: 'forbidden', retryable: false },
  MTL_API_NOT_FOUND: { httpStatus: 404, meaning: 'No such resource', slug: 'not-found', retryable: false },
  MTL_API_ROUTE_NOT_FOUND: { httpStatus: 404, meaning: 'No such route', slug: 'route-not-found', retryable: false },
  MTL_API_NOT_ACCEPTABLE: { httpStatus: 406, meaning: 'No representation the Accept header allows', slug: 'not-acceptable', retryable: false },
  MTL_API_REGISTRY_CONFLICT: { httpStatus: 409, meaning: 'The registry entry holds ids of another enterprise', slug: 'registry-conflict', retryable: false },
  MTL_API_DEVICE_CREDENTIALS_EXIST: { httpStatus: 409, meaning: 'The broker already has an account of that name', slug: 'device-credentials-exist', retryable: false },
  MTL_API_FACTOR_SET_EXISTS: { httpStatus: 409, meaning: 'A factor set of that name and version exists', slug: 'factor-set-exists', retryable: false },
  MTL_API_MANUAL_ENTRY_CONFLICT: { httpStatus: 409, meaning: 'The manual entry repeats one that stands, or corrects one already corrected: correct the latest of its chain', slug: 'manual-entry-conflict', retryable: false },
  MTL_API_TARGET_CONFLICT: { httpStatus: 409, meaning: 'The target repeats the one that stands for its slot (holder, year, metric, basis) with the same value and document, or reuses an id: a change states another value or document', slug: 'target-conflict', retryable: false },
  MTL_API_FACTOR_SET_UNKNOWN: { httpStatus: 409, meaning: 'The enterprise names a factor set this API does not know', slug: 'factor-set-unknown', retryable: false },
  MTL_API_FACTOR_SET_OUTSIDE_REGION: { httpStatus: 409, meaning: "The enterprise's pinned factor set does not cover its region: no figures until a set that does is pinned", slug: 'factor-set-outside-region', retryable: false },
  MTL_API_BODY_TOO_LARGE: { httpStatus: 413, meaning: 'The request body is too large', slug: 'body-too-large', retryable: false },
  MTL_API_UNSUPPORTED_MEDIA_TYPE: { httpStatus: 415, meaning: 'The request body has an unsupported media type', slug: 'unsupported-media-type', retryable: false },
  MTL_API_BASELINE_UNFIT: { httpStatus: 422, meaning: 'No baseline can be fitted from the stored days: none in the baseline period, or a variable that never varies there', slug: 'baseline-unfit', retryable: false },
  MTL_API_MANUAL_ENTRY_UNKNOWN: { httpStatus: 422, meaning: 'The correction names an entry the enterprise does not have', slug: 'manual-entry-unknown', retryable: false },
  MTL_API_RATE_LIMITED: { httpStatus: 429, meaning: 'Too many requests for this API key', slug: 'rate-limited', retryable: true },
  MTL_API_INTERNAL: { httpStatus: 500, meaning: 'Internal error', slug: 'internal', retryable: false },
  MTL_API_BROKER_FAILED: { httpStatus: 500, meaning: 'The MQTT broker refused the change', slug: 'broker-failed', retryable: false },
  MTL_API_STORE_UNAVAILABLE: { httpStatus: 503, meaning: 'The time-series store is unavailable', slug: 'store-unavailable', retryable: true },
  MTL_API_ALERTING_UNAVAILABLE: { httpStatus: 503, meaning: 'Webhook subscriptions and silences are unavailable', slug: 'alerting-unavailable', retryable: true },
  MTL_API_REGISTRY_UNAVAILABLE: { httpStatus: 503, meaning: 'The registry topic is unavailable', slug: 'registry-unavailable', retryable: true },
  MTL_API_BROKER_UNAVAILABLE: { httpStatus: 503, meaning: 'The MQTT broker is unavailable', slug: 'broker-unavailable', retryable: true },
  MTL_API_FACTOR_SETS_UNAVAILABLE: { httpStatus: 503, meaning: 'The factor-set topic is unavailable', slug: 'factor-sets-unavailable', retryable: true },
  MTL_API_PDF_RENDERER_MISSING: { httpStatus: 503, meaning: 'The PDF renderer (headless Chromium) is not installed on the API host', slug: 'pdf-renderer-missing', retryable: false },
  MTL_API_PDF_RENDER_FAILED: { httpStatus: 503, meaning: 'The PDF could not be rendered: Chromium failed, ran out of time or had too many renders waiting', slug: 'pdf-render-failed', retryable: true },
});

export type ApiErrorCode = (typeof API_ERRORS.codes)[number];

/** The API's own failures, never answered as such: main.ts stops on the first, problem.ts maps the second to a problem. */
export const API_INTERNAL_ERRORS = errorCatalogue('@meterline/api', {
  MTL_API_KEYS_INVALID: { meaning: 'The API keys file is not valid: the API does not start (every bad entry is listed by its path)', retryable: false },
  MTL_API_ALERTING_WRITE_FAILED: { meaning: 'The alerting topic did not take a subscription or silence change; nothing was changed (answered as MTL_API_ALERTING_UNAVAILABLE)', retryable: true },
});

/** One failing field of a request, by where it was (`query`, `params`, `body`, `headers`) and its JSON pointer there. */
export interface FieldIssue {
  in: string;
  pointer: string;
  detail: string;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  /** True when the same request may succeed later (the store or Kafka came back, the rate window passed). */
  readonly canRetry: boolean;

  constructor(
    readonly code: ApiErrorCode,
    readonly detail: string,
    options: { cause?: unknown; issues?: FieldIssue[]; headers?: Record<string, string> } = {},
  ) {
    super(detail, { cause: options.cause });
    this.status = API_ERRORS.entries[code].httpStatus;
    this.canRetry = API_ERRORS.canRetry(code);
    this.issues = options.issues ?? [];
    this.headers = options.headers ?? {};
  }

  readonly issues: FieldIssue[];
  readonly headers: Record<string, string>;
}

/** The problem `type` URI of a code: stable, and documented in the API's README. */
export const problemType = (code: ApiErrorCode): string => `urn:meterline:problem:${API_ERRORS.entries[code].slug}`;
