export * from './types.ts';
export { InMemoryBus } from './in-memory-bus.ts';
export { refreshingKeyPartitioner } from './key-partitioner.ts';
