import type { SendOutcome } from './types.ts';

/** How much of a refusing answer's body goes into the outcome's error text. */
export const ERROR_EXCERPT_CHARS = 300;

/**
 * Which answers a retry can help (RFC 9110): 408 Request Timeout, 429 Too Many Requests and
 * every 5xx are the receiver's passing trouble; any other 4xx refuses this request for good.
 */
const isRetryableStatus = (status: number): boolean => status === 408 || status === 429 || (status >= 500 && status <= 599);

/**
 * Retry-After (RFC 9110 §10.2.3) in milliseconds from `nowMs`: delay-seconds or an HTTP-date.
 * Undefined when absent or unreadable; a date in the past is 0.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  // An HTTP-date always names its weekday; a bare number of another shape is not one.
  if (!/^[A-Za-z]{3},/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** The outcome of an answer, shared by every WebhookSender so they classify alike. */
export function outcomeOfAnswer(answer: { status: number; retryAfter?: string | undefined; bodyExcerpt: string; durationMs: number; nowMs: number }): SendOutcome {
  const { status, durationMs } = answer;
  if (status >= 200 && status <= 299) return { kind: 'delivered', status, durationMs };
  const excerpt = answer.bodyExcerpt.length > ERROR_EXCERPT_CHARS ? `${answer.bodyExcerpt.slice(0, ERROR_EXCERPT_CHARS)}…` : answer.bodyExcerpt;
  const error = `HTTP ${status}${excerpt.trim() ? `: ${excerpt.trim()}` : ''}`;
  if (status >= 300 && status <= 399) return { kind: 'failed', failure: 'redirect', retryable: false, status, error: `${error} (redirects are not followed)`, durationMs };
  const retryable = isRetryableStatus(status);
  const retryAfterMs = retryable ? parseRetryAfter(answer.retryAfter, answer.nowMs) : undefined;
  return { kind: 'failed', failure: 'status', retryable, status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }), error, durationMs };
}

/** Why a request cannot be sent at all, or undefined when it can: only absolute http(s) URLs. */
export function unsendableReason(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    return `not a URL (${(error as Error).name})`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `unsupported scheme ${parsed.protocol}`;
  return undefined;
}
