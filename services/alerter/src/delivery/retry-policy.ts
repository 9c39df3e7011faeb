/** How the dispatcher retries one notification and bounds each attempt. */
export interface DeliveryPolicy {
  /** The first retry waits up to this long; each further one up to twice as long… */
  baseDelayMs: number;
  /** …but never more than this. */
  maxDelayMs: number;
  /** Attempts in all, the first included; after the last the notification is dead-lettered. */
  maxAttempts: number;
  /** One attempt's deadline, connect to answer. */
  requestTimeoutMs: number;
  /** A receiver's Retry-After is honoured up to this long. */
  maxRetryAfterMs: number;
  /** While waiting (backoff, rate limit), the batch is heartbeated and checked this often. */
  heartbeatEveryMs: number;
}

/**
 * Base 1 s, cap 60 s, 20 attempts: the waits' ceilings sum to 14 minutes (1+2+…+32 s, then
 * 60 s thirteen times) and with full jitter the attempts span about 7 minutes (median; 4.6
 * minutes or more in 99 % of cases), so a receiver down for several minutes still gets the
 * notification. With 15 attempts the span would be 2.6 minutes or more in 99 % of cases only.
 */
export const DEFAULT_DELIVERY_POLICY: Readonly<DeliveryPolicy> = Object.freeze({
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  maxAttempts: 20,
  requestTimeoutMs: 10_000,
  maxRetryAfterMs: 600_000,
  heartbeatEveryMs: 3_000,
});

/** Fills and checks a policy once; a bad value is a configuration error, reported by name. */
export function deliveryPolicy(overrides: Partial<DeliveryPolicy> = {}): Readonly<DeliveryPolicy> {
  const policy = { ...DEFAULT_DELIVERY_POLICY, ...overrides };
  const bad = Object.entries(policy)
    .filter(([, v]) => !Number.isInteger(v) || v < 1)
    .map(([k]) => k);
  if (policy.maxDelayMs < policy.baseDelayMs) bad.push('maxDelayMs (below baseDelayMs)');
  if (bad.length > 0) throw new RangeError(`delivery policy: not a positive integer or out of order: ${bad.join(', ')}`);
  return Object.freeze(policy);
}

/**
 * The wait after failed attempt `attempt` (1-based): exponential backoff with full jitter,
 * uniform in [0, min(maxDelayMs, baseDelayMs · 2^(attempt-1))] ("Exponential Backoff And
 * Jitter", AWS Architecture Blog, 2015), so receivers coming back are not hit by every
 * sender at once. A Retry-After the receiver sent is a floor, up to maxRetryAfterMs.
 */
export function retryDelayMs(attempt: number, policy: DeliveryPolicy, random: () => number, retryAfterMs?: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt - 1, 52));
  const jittered = Math.floor(random() * (ceiling + 1));
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, policy.maxRetryAfterMs));
}
