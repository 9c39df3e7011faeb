export * from './frame.ts';
export * from './read-data.ts';
