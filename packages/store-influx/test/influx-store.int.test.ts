import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import { storeContract } from '@meterline/store/contract';
import { ReadFailoverStore, StoreError } from '@meterline/store';
import { InfluxStore } from '../src/index.ts';

async function newDatabase(): Promise<{ url: string; token: string; database: string }> {
  const { influx } = inject('stack');
  const database = `it_${randomUUID().replace(/-/g, '')}`;
  const response = await fetch(`${influx.url}/query`, {
    method: 'POST',
    headers: { Authorization: `Token ${influx.token}` },
    body: new URLSearchParams({ q: `CREATE DATABASE ${database}` }),
  });
  if (!response.ok) throw new Error(`CREATE DATABASE answered ${response.status}`);
  return { url: influx.url, token: influx.token, database };
}

storeContract('influxdb (real server)', async () => {
  const store = new InfluxStore(await newDatabase());
  let n = 0;
  return { store, newMeasurement: () => `m${++n}`, close: () => store.close() };
});

describe('write bodies gzipped or not', () => {
  it.each([true, false])('stores every point of a large write with gzipWrites %s', async (gzipWrites) => {
    const store = new InfluxStore({ ...(await newDatabase()), gzipWrites });
    // Well over the 1 000 bytes from which a body is gzipped when gzipWrites is on.
    const points = Array.from({ length: 2_000 }, (_, i) => ({ measurement: 'm', tags: { point: `p${i % 10}` }, fields: { value: i, note: `n${i}` }, timestampMs: 1_700_000_000_000 + i }));
    await store.write(points);
    const stored = await store.readSeries({ measurement: 'm', tags: {}, fromMs: 1_700_000_000_000, toMs: 1_700_000_002_000 });
    expect(stored.map((p) => p.fields['value']).sort((a, b) => Number(a) - Number(b))).toEqual(points.map((p) => p.fields.value));
  });
});

describe('influx store refusals and outages', () => {
  it('reports a field-type conflict as a refusal that retrying cannot fix', async () => {
    const store = new InfluxStore(await newDatabase());
    const point = { measurement: 'm', tags: { point: 'a' }, timestampMs: 1_700_000_000_000 };
    await store.write([{ ...point, fields: { value: 1 } }]);
    const error = await store.write([{ ...point, timestampMs: point.timestampMs + 1, fields: { value: 'text' } }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: 'MTL_STORE_REJECTED', canRetry: false });
  });

  it('reports an unreachable server as retryable', async () => {
    const { token, database } = await newDatabase();
    const store = new InfluxStore({ url: 'http://127.0.0.1:9', token, database, timeoutMs: 2_000 });
    const error = await store.write([{ measurement: 'm', tags: {}, fields: { value: 1 }, timestampMs: 1 }]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MTL_STORE_UNAVAILABLE', canRetry: true });
    expect(await store.ping()).toBe(false);
  });

  it('refuses a wrong token without retrying', async () => {
    const { url, database } = await newDatabase();
    const store = new InfluxStore({ url, token: 'nobody:wrong', database });
    const error = await store.write([{ measurement: 'm', tags: {}, fields: { value: 1 }, timestampMs: 1 }]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MTL_STORE_REJECTED', canRetry: false });
  });
});

describe('a primary and a replica (ADR 0010): reads fail over on the real server\'s errors', () => {
  /** A port that accepts connections and never answers, as a stopped (SIGSTOP) InfluxDB does. */
  async function silentServer() {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const close = () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    };
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close };
  }

  async function replicaSet(primaryUrl: string) {
    const replica = await newDatabase();
    const replicaStore = new InfluxStore(replica);
    const point = { measurement: 'reading', tags: { point: 'mp-1' }, fields: { value: 2 }, timestampMs: 1_700_000_000_000 };
    await replicaStore.write([point]);
    const failovers: string[] = [];
    const set = new ReadFailoverStore(
      [
        { name: 'primary', store: new InfluxStore({ ...replica, url: primaryUrl, timeoutMs: 1_000 }) },
        { name: 'replica', store: replicaStore },
      ],
      { replicated: (m) => m === 'reading', onFailover: ({ from, error }) => failovers.push(`${from}: ${error.code}`) },
    );
    const query = { tags: { point: 'mp-1' }, fromMs: point.timestampMs, toMs: point.timestampMs + 1 };
    return { set, replicaStore, failovers, query };
  }

  it('reads from the replica while the primary refuses connections; the primary\'s own data stays unanswered', async () => {
    const { set, failovers, query } = await replicaSet('http://127.0.0.1:9');
    expect((await set.readSeries({ measurement: 'reading', ...query })).map((p) => p.fields['value'])).toEqual([2]);
    expect(failovers).toEqual(['primary: MTL_STORE_UNAVAILABLE']);
    await expect(set.readSeries({ measurement: 'manual_entry', ...query })).rejects.toMatchObject({ code: 'MTL_STORE_UNAVAILABLE' });
  });

  it('reads from the replica once a primary that hangs has timed out', async () => {
    const silent = await silentServer();
    try {
      const { set, failovers, query } = await replicaSet(silent.url);
      expect((await set.readSeries({ measurement: 'reading', ...query })).map((p) => p.fields['value'])).toEqual([2]);
      expect(failovers).toEqual(['primary: MTL_STORE_UNAVAILABLE']);
    } finally {
      await silent.close();
    }
  });

  it('does not fail over a statement the server refused: the replica would refuse it too', async () => {
    const { replicaStore } = await replicaSet('http://127.0.0.1:9');
    const failovers: string[] = [];
    const set = new ReadFailoverStore(
      [
        { name: 'primary', store: replicaStore },
        { name: 'replica', store: replicaStore },
      ],
      { replicated: () => true, onFailover: ({ from }) => failovers.push(from) },
    );
    await expect(set.read('reading', (s) => s.influxQl('SELEKT nothing'))).rejects.toMatchObject({ code: 'MTL_STORE_QUERY_FAILED', canRetry: false });
    expect(failovers).toEqual([]);
  });
});
