import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { storeContract } from '@meterline/store/contract';
import { StoreError } from '@meterline/store';
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
