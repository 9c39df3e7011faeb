/** A task run at a scheduled instant; it receives that instant, not the time it happened to start. */
type ScheduledTask = (scheduledAt: Date) => Promise<void>;

export interface ScheduleEntry {
  /** Unique per scheduler; also names the task in logs and metrics. */
  name: string;
  /** Cron expression, 5 fields (minute precision) or 6 (with seconds first). */
  expression: string;
  /** IANA time zone the expression is read in, e.g. Asia/Shanghai. */
  timeZone: string;
  task: ScheduledTask;
}

/**
 * Time-driven work behind an interface, so services take it as a dependency and tests
 * drive time themselves. A task never runs twice at once: a firing that finds the previous
 * run still busy is skipped (the next firing covers its work).
 */
export interface Scheduler {
  add(entry: ScheduleEntry): void;
  /** Stops every task; resolves when the runs in progress have finished. */
  close(): Promise<void>;
}
