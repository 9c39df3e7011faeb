export * from './types.ts';
export * from './store-error.ts';
export { InMemoryStore } from './in-memory-store.ts';
export { ReadFailoverStore, type MemberPing } from './read-failover-store.ts';
