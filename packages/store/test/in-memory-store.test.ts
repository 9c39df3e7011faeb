import { describe, expect, it } from 'vitest';
import { InMemoryStore, StoreError } from '../src/index.ts';
import { storeContract } from './store-contract.ts';

let n = 0;
storeContract('in-memory', () =>
  Promise.resolve({
    store: new InMemoryStore(),
    newMeasurement: () => `m${++n}`,
    close: () => Promise.resolve(),
  }),
);

describe('in-memory store outage', () => {
  it('refuses writes and reads with a retryable error while unavailable, as a store that does not answer', async () => {
    const store = new InMemoryStore();
    store.available = false;
    const attempts = [
      store.write([]),
      store.readSeries({ measurement: 'm', tags: {}, fromMs: 0, toMs: 1 }),
      store.newestTimestamps({ measurement: 'm', tag: 'point', values: ['mp-1'], field: 'value' }),
    ];
    for (const attempt of attempts) {
      const error = await attempt.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).canRetry).toBe(true);
    }
  });
});
