export * from './types.ts';
export { InMemoryBus } from './in-memory-bus.ts';
