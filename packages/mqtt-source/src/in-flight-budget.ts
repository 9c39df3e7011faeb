/**
 * Payload bytes in hand across all of a source's connections. What a message costs in memory
 * while it is handled (its payload, what is parsed from it, the records made of it) grows with
 * its size, so a count of messages alone cannot bound it: 1 024 batched payloads in hand held
 * ≈ 200 MB of ingest's heap (issue 17). A connection stops reading while the budget is spent and
 * reads again once enough is handled; the message that spends it is still handled, so even one
 * larger than the whole budget goes through.
 */
export class InFlightBudget {
  private used = 0;
  private readonly waiting = new Set<() => void>();

  constructor(readonly limitBytes: number) {}

  take(bytes: number): void {
    this.used += bytes;
  }

  give(bytes: number): void {
    this.used -= bytes;
    if (this.spent() || this.waiting.size === 0) return;
    const resumes = [...this.waiting];
    this.waiting.clear();
    for (const resume of resumes) resume();
  }

  spent(): boolean {
    return this.used >= this.limitBytes;
  }

  /** Called once, the next time bytes are given back and the budget is no longer spent. */
  whenAvailable(resume: () => void): void {
    this.waiting.add(resume);
  }

  get usedBytes(): number {
    return this.used;
  }
}
