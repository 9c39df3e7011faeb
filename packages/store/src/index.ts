export * from './types.ts';
export * from './store-error.ts';
export { InMemoryStore } from './in-memory-store.ts';
