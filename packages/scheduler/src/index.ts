export type { ScheduleEntry, Scheduler } from './types.ts';
export { ManualScheduler } from './manual-scheduler.ts';
