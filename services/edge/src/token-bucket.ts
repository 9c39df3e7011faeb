/**
 * A token bucket that may run into debt: a payload bigger than the bucket still goes, and the
 * next waits until the debt is paid back. Filled at `perSecond`, holding at most one second's worth.
 */
export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    private readonly perSecond: number,
    nowMs: number,
  ) {
    this.tokens = perSecond;
    this.lastMs = nowMs;
  }

  private refill(nowMs: number): void {
    this.tokens = Math.min(this.perSecond, this.tokens + ((nowMs - this.lastMs) * this.perSecond) / 1000);
    this.lastMs = nowMs;
  }

  /** How long to wait before spending anything (0: now). */
  delayMs(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens > 0 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.perSecond);
  }

  spend(amount: number, nowMs: number): void {
    this.refill(nowMs);
    this.tokens -= amount;
  }
}
