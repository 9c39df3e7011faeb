export * from './sequence-tracker.ts';
