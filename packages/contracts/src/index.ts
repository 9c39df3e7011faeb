export * from './common.ts';
export * from './mqtt-payload.ts';
export * from './reading-message.ts';
export * from './dead-letter.ts';
export * from './validator.ts';
export * from './figure.ts';
export * from './restatement.ts';
export * from './aggregation-job.ts';
