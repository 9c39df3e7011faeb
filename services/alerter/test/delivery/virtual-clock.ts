import type { Clock } from '../../src/delivery/index.ts';

interface Timer {
  at: number;
  resolve: () => void;
}

/**
 * Virtual time for the dispatcher. With `autoAdvance`, once everything in flight has settled
 * (two turns of the event loop after a sleep began), time jumps to the earliest sleeper's
 * wake-up and wakes it: a retry schedule of minutes runs at once, in the same order as in
 * real time. Without it, sleepers wait until `advance` or their signal.
 */
export class VirtualClock implements Clock {
  private nowMs: number;
  private readonly timers = new Set<Timer>();
  private readonly sleeperWaiters: { count: number; resolve: () => void }[] = [];
  /** Every sleep asked for, in ms, in order. */
  readonly sleeps: number[] = [];

  constructor(
    startMs: number,
    private readonly autoAdvance = true,
  ) {
    this.nowMs = startMs;
  }

  now = (): number => this.nowMs;

  sleep = (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise<void>((resolve) => {
      this.sleeps.push(ms);
      if (signal.aborted) return resolve();
      const timer: Timer = {
        at: this.nowMs + ms,
        resolve: () => {
          this.timers.delete(timer);
          signal.removeEventListener('abort', timer.resolve);
          resolve();
        },
      };
      signal.addEventListener('abort', timer.resolve, { once: true });
      this.timers.add(timer);
      for (const w of this.sleeperWaiters.filter((w) => this.timers.size >= w.count)) {
        this.sleeperWaiters.splice(this.sleeperWaiters.indexOf(w), 1);
        w.resolve();
      }
      if (this.autoAdvance) setImmediate(() => setImmediate(() => this.wakeEarliest()));
    });

  /** Moves time on by `ms`, waking every sleeper due by then. */
  advance(ms: number): void {
    this.nowMs += ms;
    for (const timer of [...this.timers]) if (timer.at <= this.nowMs) timer.resolve();
  }

  /** Resolves once `count` sleeps are pending at the same time. */
  waitForSleepers(count: number): Promise<void> {
    if (this.timers.size >= count) return Promise.resolve();
    return new Promise((resolve) => this.sleeperWaiters.push({ count, resolve }));
  }

  private wakeEarliest(): void {
    if (this.timers.size === 0) return;
    const at = Math.min(...[...this.timers].map((t) => t.at));
    this.nowMs = Math.max(this.nowMs, at);
    for (const timer of [...this.timers]) if (timer.at <= this.nowMs) timer.resolve();
  }
}
