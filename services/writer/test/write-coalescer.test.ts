import { describe, expect, it } from 'vitest';
import { InMemoryStore, StoreError, type SeriesPoint } from '@meterline/store';
import { createWriteCoalescer } from '../src/write-coalescer.ts';

const point = (name: string, tsMs: number): SeriesPoint => ({ measurement: 'm', tags: { point: name }, fields: { value: tsMs }, timestampMs: tsMs });
const points = (name: string, count: number) => Array.from({ length: count }, (_, i) => point(name, i));

/** Our store interface, counting requests; refuses for good any request holding a `poison` point. */
class CountingStore extends InMemoryStore {
  requests: number[] = [];
  override async write(batch: SeriesPoint[]): Promise<void> {
    this.requests.push(batch.length);
    if (batch.some((p) => p.tags['point'] === 'poison')) throw new StoreError('MTL_STORE_REJECTED', 'field type conflict');
    await super.write(batch);
  }
  stored() {
    return this.readSeries({ measurement: 'm', tags: {}, fromMs: 0, toMs: Number.MAX_SAFE_INTEGER });
  }
}

describe('write coalescer', () => {
  it('sends the writes of one turn of the event loop in one request', async () => {
    const store = new CountingStore();
    const coalescer = createWriteCoalescer(store, 100);
    await Promise.all([coalescer.write(points('a', 10)), coalescer.write(points('b', 20)), coalescer.write(points('c', 30))]);
    expect(store.requests).toEqual([60]);
    expect(await store.stored()).toHaveLength(60);
  });

  it('keeps requests within the limit, unless one write alone is larger', async () => {
    const store = new CountingStore();
    const coalescer = createWriteCoalescer(store, 50);
    await Promise.all([coalescer.write(points('a', 30)), coalescer.write(points('b', 30)), coalescer.write(points('c', 80)), coalescer.write(points('d', 10))]);
    expect(store.requests).toEqual([30, 30, 80, 10]);
    await Promise.all([coalescer.write(points('e', 20)), coalescer.write(points('f', 30))]);
    expect(store.requests.slice(4)).toEqual([50]);
  });

  it('writes of later turns go in a later request', async () => {
    const store = new CountingStore();
    const coalescer = createWriteCoalescer(store, 100);
    await coalescer.write(points('a', 5));
    await coalescer.write(points('b', 5));
    expect(store.requests).toEqual([5, 5]);
  });

  it('a request refused for good is sent again write by write: only the refused write fails', async () => {
    const store = new CountingStore();
    const coalescer = createWriteCoalescer(store, 100);
    const outcomes = await Promise.allSettled([coalescer.write(points('a', 3)), coalescer.write([point('poison', 1)]), coalescer.write(points('b', 4))]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'MTL_STORE_REJECTED' });
    expect(store.requests).toEqual([8, 3, 1, 4]);
    expect((await store.stored()).map((p) => p.tags['point']).sort()).toEqual(['a', 'a', 'a', 'b', 'b', 'b', 'b']);
  });

  it('a retryable failure goes back to every writer of the request, which may write again', async () => {
    const store = new CountingStore();
    const coalescer = createWriteCoalescer(store, 100);
    store.available = false;
    const outcomes = await Promise.allSettled([coalescer.write(points('a', 2)), coalescer.write(points('b', 2))]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(store.requests).toEqual([4]);
    store.available = true;
    await Promise.all([coalescer.write(points('a', 2)), coalescer.write(points('b', 2))]);
    expect(store.requests).toEqual([4, 4]);
    expect(await store.stored()).toHaveLength(4);
  });
});
