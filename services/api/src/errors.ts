/**
 * The API's error catalogue: a closed list of stable codes, each with its HTTP status and
 * the problem title clients see. Every refusal the API makes is one of these, rendered as
 * application/problem+json (RFC 9457) by the one error handler in problem.ts.
 */
export const API_ERRORS = Object.freeze({
  MTL_API_VALIDATION_FAILED: { status: 400, title: 'The request is not valid', slug: 'validation-failed' },
  MTL_API_BAD_CURSOR: { status: 400, title: 'The pagination cursor is not valid', slug: 'bad-cursor' },
  MTL_API_UNAUTHENTICATED: { status: 401, title: 'An API key is required', slug: 'unauthenticated' },
  MTL_API_FORBIDDEN: { status: 403, title: 'The API key may not do this', slug: 'forbidden' },
  MTL_API_NOT_FOUND: { status: 404, title: 'No such resource', slug: 'not-found' },
  MTL_API_ROUTE_NOT_FOUND: { status: 404, title: 'No such route', slug: 'route-not-found' },
  MTL_API_NOT_ACCEPTABLE: { status: 406, title: 'No representation the Accept header allows', slug: 'not-acceptable' },
  MTL_API_REGISTRY_CONFLICT: { status: 409, title: 'The registry entry holds ids of another enterprise', slug: 'registry-conflict' },
  MTL_API_DEVICE_CREDENTIALS_EXIST: { status: 409, title: 'The broker already has an account of that name', slug: 'device-credentials-exist' },
  MTL_API_FACTOR_SET_EXISTS: { status: 409, title: 'A factor set of that name and version exists', slug: 'factor-set-exists' },
  MTL_API_FACTOR_SET_UNKNOWN: { status: 409, title: 'The enterprise names a factor set this API does not know', slug: 'factor-set-unknown' },
  MTL_API_BODY_TOO_LARGE: { status: 413, title: 'The request body is too large', slug: 'body-too-large' },
  MTL_API_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The request body has an unsupported media type', slug: 'unsupported-media-type' },
  MTL_API_RATE_LIMITED: { status: 429, title: 'Too many requests for this API key', slug: 'rate-limited' },
  MTL_API_INTERNAL: { status: 500, title: 'Internal error', slug: 'internal' },
  MTL_API_BROKER_FAILED: { status: 500, title: 'The MQTT broker refused the change', slug: 'broker-failed' },
  MTL_API_STORE_UNAVAILABLE: { status: 503, title: 'The time-series store is unavailable', slug: 'store-unavailable' },
  MTL_API_ALERTING_UNAVAILABLE: { status: 503, title: 'Webhook subscriptions and silences are unavailable', slug: 'alerting-unavailable' },
  MTL_API_REGISTRY_UNAVAILABLE: { status: 503, title: 'The registry topic is unavailable', slug: 'registry-unavailable' },
  MTL_API_BROKER_UNAVAILABLE: { status: 503, title: 'The MQTT broker is unavailable', slug: 'broker-unavailable' },
  MTL_API_FACTOR_SETS_UNAVAILABLE: { status: 503, title: 'The factor-set topic is unavailable', slug: 'factor-sets-unavailable' },
} as const);

export type ApiErrorCode = keyof typeof API_ERRORS;

/** The refusals that may go away by themselves: the rate window passes, the store, Kafka or the broker comes back. */
const RETRYABLE: ReadonlySet<ApiErrorCode> = new Set([
  'MTL_API_RATE_LIMITED',
  'MTL_API_STORE_UNAVAILABLE',
  'MTL_API_ALERTING_UNAVAILABLE',
  'MTL_API_REGISTRY_UNAVAILABLE',
  'MTL_API_BROKER_UNAVAILABLE',
  'MTL_API_FACTOR_SETS_UNAVAILABLE',
]);

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
    this.status = API_ERRORS[code].status;
    this.canRetry = RETRYABLE.has(code);
    this.issues = options.issues ?? [];
    this.headers = options.headers ?? {};
  }

  readonly issues: FieldIssue[];
  readonly headers: Record<string, string>;
}

/** The problem `type` URI of a code: stable, and documented in the API's README. */
export const problemType = (code: ApiErrorCode): string => `urn:meterline:problem:${API_ERRORS[code].slug}`;
