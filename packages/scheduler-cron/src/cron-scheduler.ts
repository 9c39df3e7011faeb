import cron, { type ScheduledTask as CronTask } from 'node-cron';
import type { ScheduleEntry, Scheduler } from '@meterline/scheduler';

export interface CronSchedulerOptions {
  /** A task that throws is reported here; the schedule goes on. */
  onError(name: string, error: unknown): void;
}

/** Scheduler on node-cron: expressions read in each entry's time zone, no overlapping runs. */
export class CronScheduler implements Scheduler {
  private readonly tasks = new Map<string, CronTask>();
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly options: CronSchedulerOptions) {}

  add(entry: ScheduleEntry): void {
    if (this.tasks.has(entry.name)) throw new Error(`a task named "${entry.name}" is already scheduled`);
    if (!cron.validate(entry.expression)) throw new Error(`"${entry.expression}" is not a cron expression (task ${entry.name})`);
    const task = cron.schedule(
      entry.expression,
      async (context) => {
        if (this.closed) return;
        const run = entry.task(context.date).catch((error: unknown) => this.options.onError(entry.name, error));
        this.running.add(run);
        try {
          await run;
        } finally {
          this.running.delete(run);
        }
      },
      { name: entry.name, timezone: entry.timeZone, noOverlap: true },
    );
    this.tasks.set(entry.name, task);
  }

  async close(): Promise<void> {
    this.closed = true;
    // node-cron's destroy() may or may not return a promise.
    await Promise.all([...this.tasks.values()].map((t) => Promise.resolve(t.destroy())));
    this.tasks.clear();
    await Promise.allSettled([...this.running]);
  }
}
