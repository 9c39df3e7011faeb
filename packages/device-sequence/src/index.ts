export * from './sequence-tracker.ts';
export * from './sequence-series.ts';
