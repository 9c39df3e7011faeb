export type { ScheduleEntry, ScheduledTask, Scheduler } from './types.ts';
export { ManualScheduler } from './manual-scheduler.ts';
