export { CronScheduler, type CronSchedulerOptions } from './cron-scheduler.ts';
