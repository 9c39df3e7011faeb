import type { ScheduleEntry, Scheduler } from './types.ts';

/**
 * A scheduler whose clock is the test: `fire(name, at)` runs a task as if its expression
 * had matched `at`. It keeps the real schedulers' rules: unknown names fail, a task is
 * never run twice at once, and nothing runs after close().
 */
export class ManualScheduler implements Scheduler {
  private readonly entries = new Map<string, ScheduleEntry>();
  private readonly running = new Map<string, Promise<void>>();
  private closed = false;

  add(entry: ScheduleEntry): void {
    if (this.entries.has(entry.name)) throw new Error(`a task named "${entry.name}" is already scheduled`);
    this.entries.set(entry.name, entry);
  }

  /** The entries added so far, for tests to check what a service scheduled. */
  scheduled(): ScheduleEntry[] {
    return [...this.entries.values()];
  }

  /** Runs the task for the instant `at`; resolves false when the firing was skipped. */
  async fire(name: string, at: Date): Promise<boolean> {
    const entry = this.entries.get(name);
    if (!entry) throw new Error(`no task named "${name}" (scheduled: ${[...this.entries.keys()].join(', ')})`);
    if (this.closed || this.running.has(name)) return false;
    const run = entry.task(at).finally(() => this.running.delete(name));
    this.running.set(name, run);
    await run;
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.running.values());
  }
}
