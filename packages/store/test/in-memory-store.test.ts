import { describe, expect, it } from 'vitest';
import { InMemoryStore, StoreError } from '../src/index.ts';
import { storeContract } from './store-contract.ts';

let n = 0;
storeContract('in-memory', async () => ({
  store: new InMemoryStore(),
  newMeasurement: () => `m${++n}`,
  close: async () => undefined,
}));

describe('in-memory store outage', () => {
  it('refuses writes with a retryable error while unavailable', async () => {
    const store = new InMemoryStore();
    store.available = false;
    const error = await store.write([]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).canRetry).toBe(true);
  });
});
