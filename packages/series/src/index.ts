// One module per stored series; each owns both halves of its layout (value → point, row → value).
export { readRows, type OnUnreadable, type RowRead, type UnreadableRow } from './row-read.ts';
export * from './alert-state.ts';
export * from './alert-history.ts';
export * from './alert-records.ts';
export * from './point-last-seen.ts';
export * from './device-last-status.ts';
export * from './alert-deliveries.ts';
export * from './device-sequence-state.ts';
export * from './device-sequence-events.ts';
export * from './readings.ts';
export * from './figures.ts';
export * from './restatements.ts';
export * from './manual-entries.ts';
export * from './errors.ts';
export * from './region-target-progress.ts';
export * from './targets.ts';
export * from './readings-landed.ts';
export * from './aggregation-state.ts';
