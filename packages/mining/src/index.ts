export * from './baseline/index.ts';
export * from './fabrication/index.ts';
