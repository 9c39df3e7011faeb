/** One HTTP POST of a webhook. */
export interface WebhookRequest {
  /** http: or https:; redirects are not followed. */
  url: string;
  headers: Readonly<Record<string, string>>;
  /** Sent byte for byte (UTF-8): the signature covers these exact bytes. */
  body: string;
  /** The whole exchange, connect to last byte of the answer's head and excerpt. */
  timeoutMs: number;
  /** Aborts the request; the outcome is then `aborted`. */
  signal?: AbortSignal;
}

/**
 * Why an attempt failed. `status`: the receiver answered outside 2xx (not a redirect);
 * `redirect`: it answered 3xx, which is not followed (a webhook URL that moved is a
 * configuration to fix, and following it would send a signed alert somewhere unconfigured);
 * `network`: no answer (refused, reset, DNS); `timeout`: no answer in time; `aborted`: the
 * caller's signal; `invalid-request`: the request cannot be sent at all (bad URL or header).
 */
type SendFailure = 'status' | 'redirect' | 'network' | 'timeout' | 'aborted' | 'invalid-request';

/** What became of one attempt. Expected failures are values, never thrown. */
export type SendOutcome =
  | { kind: 'delivered'; status: number; durationMs: number }
  | {
      kind: 'failed';
      failure: SendFailure;
      /** True when the same request later may succeed. */
      retryable: boolean;
      /** The answer's status, when there was one. */
      status?: number;
      /** The receiver's Retry-After, in milliseconds: wait at least this long before the next attempt. */
      retryAfterMs?: number;
      /** For logs: the status and a short excerpt of the answer, or the transport error. */
      error: string;
      durationMs: number;
    };

export interface WebhookSender {
  send(request: WebhookRequest): Promise<SendOutcome>;
  /** Ends idle connections; requests in flight finish first. */
  close(): Promise<void>;
}
