import { describe, expect, it } from 'vitest';
import { InMemoryStore, ReadFailoverStore, StoreError, type SeriesPoint } from '../src/index.ts';
import { storeContract } from './store-contract.ts';

let n = 0;
storeContract('read failover over in-memory members, every measurement replicated', () => {
  const store = new ReadFailoverStore(
    [
      { name: 'primary', store: new InMemoryStore() },
      { name: 'replica', store: new InMemoryStore() },
    ],
    { replicated: () => true },
  );
  return Promise.resolve({ store, newMeasurement: () => `m${++n}`, close: () => store.close() });
});

const T0 = Date.UTC(2026, 2, 1);
const point = (measurement: string, value: number): SeriesPoint => ({ measurement, tags: { point: 'mp-1' }, fields: { value }, timestampMs: T0 });
const query = (measurement: string) => ({ measurement, tags: { point: 'mp-1' }, fromMs: T0, toMs: T0 + 1 });

/** A primary and a replica holding different values of `reading` (so the answer tells who gave it), and a clock to move. */
async function replicaSet() {
  const primary = new InMemoryStore();
  const replica = new InMemoryStore();
  await primary.write([point('reading', 1), point('manual_entry', 1)]);
  await replica.write([point('reading', 2)]);
  let clock = 0;
  const failovers: { from: string; to: string | undefined; code: string }[] = [];
  const store = new ReadFailoverStore(
    [
      { name: 'primary', store: primary },
      { name: 'replica', store: replica },
    ],
    { replicated: (m) => m === 'reading', holdDownMs: 5_000, now: () => clock, onFailover: ({ from, to, error }) => failovers.push({ from, to, code: error.code }) },
  );
  const valueRead = async (measurement = 'reading') => (await store.readSeries(query(measurement))).map((p) => p.fields['value']);
  return { primary, replica, store, failovers, valueRead, tick: (ms: number) => (clock += ms) };
}

describe('ReadFailoverStore', () => {
  it('reads from the primary while it answers', async () => {
    const { valueRead, failovers } = await replicaSet();
    expect(await valueRead()).toEqual([1]);
    expect(failovers).toEqual([]);
  });

  it('reads a replicated measurement from the replica while the primary is down, and says so once per hold-down', async () => {
    const { primary, valueRead, failovers } = await replicaSet();
    primary.available = false;
    expect(await valueRead()).toEqual([2]);
    expect(await valueRead()).toEqual([2]);
    expect(failovers).toEqual([{ from: 'primary', to: 'replica', code: 'MTL_STORE_UNAVAILABLE' }]);
  });

  it('asks the primary again once its hold-down is over, and goes back to it when it answers', async () => {
    const { primary, valueRead, failovers, tick } = await replicaSet();
    primary.available = false;
    expect(await valueRead()).toEqual([2]);
    tick(4_999);
    primary.available = true;
    expect(await valueRead()).toEqual([2]);
    tick(1);
    expect(await valueRead()).toEqual([1]);
    expect(failovers).toHaveLength(1);
  });

  it('never answers a measurement the replicas do not hold from a replica: the primary\'s error stands', async () => {
    const { primary, valueRead } = await replicaSet();
    primary.available = false;
    await expect(valueRead('manual_entry')).rejects.toMatchObject({ code: 'MTL_STORE_UNAVAILABLE' });
  });

  it('does not fail over a query the store refused for itself: the replica would refuse it too', async () => {
    const refusing = new InMemoryStore();
    refusing.readSeries = () => Promise.reject(new StoreError('MTL_STORE_QUERY_FAILED', 'error parsing query', { canRetry: false }));
    const replica = new InMemoryStore();
    await replica.write([point('reading', 2)]);
    const failovers: unknown[] = [];
    const store = new ReadFailoverStore(
      [
        { name: 'primary', store: refusing },
        { name: 'replica', store: replica },
      ],
      { replicated: () => true, onFailover: (e) => failovers.push(e) },
    );
    await expect(store.readSeries(query('reading'))).rejects.toMatchObject({ code: 'MTL_STORE_QUERY_FAILED' });
    expect(failovers).toEqual([]);
  });

  it('fails with the last error when no member answers, and asks them all again on the next read', async () => {
    const { primary, replica, valueRead, failovers } = await replicaSet();
    primary.available = false;
    replica.available = false;
    await expect(valueRead()).rejects.toMatchObject({ code: 'MTL_STORE_UNAVAILABLE' });
    expect(failovers.map((f) => [f.from, f.to])).toEqual([
      ['primary', 'replica'],
      ['replica', undefined],
    ]);
    replica.available = true;
    // Both held down: asked again in order; the primary still fails, the replica answers.
    expect(await valueRead()).toEqual([2]);
  });

  it('writes to the primary alone: the replicas are fed from Kafka', async () => {
    const { primary, replica, store } = await replicaSet();
    await store.write([point('figure', 7)]);
    expect((await primary.readSeries(query('figure'))).map((p) => p.fields['value'])).toEqual([7]);
    expect(await replica.readSeries(query('figure'))).toEqual([]);
    primary.available = false;
    await expect(store.write([point('figure', 8)])).rejects.toMatchObject({ code: 'MTL_STORE_UNAVAILABLE' });
  });

  it('is up while any member answers, and tells each member\'s state', async () => {
    const { primary, replica, store } = await replicaSet();
    primary.available = false;
    expect(await store.ping()).toBe(true);
    expect(await store.pingEach()).toEqual([
      { name: 'primary', up: false },
      { name: 'replica', up: true },
    ]);
    replica.available = false;
    expect(await store.ping()).toBe(false);
  });
});
