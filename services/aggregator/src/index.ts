export { runBackfill, type BackfillIo } from './backfill/backfill-command.ts';
