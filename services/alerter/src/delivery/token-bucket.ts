/**
 * A token bucket: holds up to `burst` tokens, refilled continuously at `perMinute`. Each
 * request to a subscriber takes one; without one, the sender waits (never drops).
 */
export class TokenBucket {
  private tokens: number;
  private updatedMs: number;
  private readonly perMs: number;

  constructor(
    readonly perMinute: number,
    readonly burst: number,
    nowMs: number,
  ) {
    if (!(perMinute > 0) || !(burst >= 1)) throw new RangeError(`rate limit needs perMinute > 0 and burst >= 1 (got ${perMinute}, ${burst})`);
    this.tokens = burst;
    this.updatedMs = nowMs;
    this.perMs = perMinute / 60_000;
  }

  /** Takes a token and returns 0, or returns how long until one is there (taking nothing). */
  take(nowMs: number): number {
    this.tokens = Math.min(this.burst, this.tokens + Math.max(0, nowMs - this.updatedMs) * this.perMs);
    this.updatedMs = Math.max(this.updatedMs, nowMs);
    // A little slack for the float sum: a wait computed below must be enough to find the token.
    if (this.tokens >= 1 - 1e-9) {
      this.tokens = Math.max(0, this.tokens - 1);
      return 0;
    }
    return Math.ceil((1 - this.tokens) / this.perMs);
  }
}
