import { describe, expect, it } from 'vitest';
import { DEFAULT_DELIVERY_POLICY, deliveryPolicy } from '../../src/delivery/index.ts';
import { retryDelayMs } from '../../src/delivery/retry-policy.ts';
import { TokenBucket } from '../../src/delivery/token-bucket.ts';

describe('delivery policy', () => {
  it('defaults to base 1 s, cap 60 s, 20 attempts: retries span more than 4.5 minutes in 99 % of cases', () => {
    const p = DEFAULT_DELIVERY_POLICY;
    expect([p.baseDelayMs, p.maxDelayMs, p.maxAttempts]).toEqual([1_000, 60_000, 20]);
    const ceilings = Array.from({ length: p.maxAttempts - 1 }, (_, i) => retryDelayMs(i + 1, p, () => 1 - 2 ** -52));
    expect(ceilings.reduce((a, b) => a + b, 0)).toBe(843_000);
    // The span is a sum of independent uniform waits: mean Σc/2, variance Σc²/12. Its first
    // percentile, mean − 2.33 σ (the sum of 19 is close to normal), is above 4.5 minutes.
    const mean = ceilings.reduce((a, c) => a + c / 2, 0);
    const sd = Math.sqrt(ceilings.reduce((a, c) => a + (c * c) / 12, 0));
    expect(mean - 2.33 * sd).toBeGreaterThan(4.5 * 60_000);
  });

  it('refuses a policy that is not positive integers or whose cap is below its base, naming the keys', () => {
    expect(() => deliveryPolicy({ maxAttempts: 0, requestTimeoutMs: 1.5 })).toThrow(/maxAttempts, requestTimeoutMs/);
    expect(() => deliveryPolicy({ baseDelayMs: 5_000, maxDelayMs: 1_000 })).toThrow(/maxDelayMs \(below baseDelayMs\)/);
    expect(Object.isFrozen(deliveryPolicy())).toBe(true);
  });

  it('stays finite for attempt numbers far beyond the cap', () => {
    expect(retryDelayMs(5_000, DEFAULT_DELIVERY_POLICY, () => 1 - 2 ** -52)).toBe(60_000);
  });
});

describe('token bucket', () => {
  it('gives burst tokens at once, then one per 60/perMinute seconds, and says how long to wait', () => {
    const bucket = new TokenBucket(6, 2, 0);
    expect([bucket.take(0), bucket.take(0)]).toEqual([0, 0]);
    expect(bucket.take(0)).toBe(10_000);
    expect(bucket.take(4_000)).toBe(6_000);
    expect(bucket.take(10_000)).toBe(0);
    // Idle for long: refilled up to the burst only.
    expect([bucket.take(600_000), bucket.take(600_000), bucket.take(600_000)]).toEqual([0, 0, 10_000]);
  });

  it('finds the token after exactly the wait it named, at rates that do not divide a minute evenly', () => {
    const bucket = new TokenBucket(7, 1, 0);
    let now = 0;
    bucket.take(now);
    for (let i = 0; i < 50; i++) {
      const wait = bucket.take(now);
      expect(wait).toBeGreaterThan(0);
      now += wait;
      expect(bucket.take(now)).toBe(0);
    }
  });

  it('refuses a rate limit that would never give a token', () => {
    expect(() => new TokenBucket(0, 1, 0)).toThrow(RangeError);
    expect(() => new TokenBucket(6, 0, 0)).toThrow(RangeError);
  });
});
