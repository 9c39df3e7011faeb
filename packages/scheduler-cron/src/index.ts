export { CronScheduler } from './cron-scheduler.ts';
