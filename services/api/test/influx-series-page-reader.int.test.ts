import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { InfluxStore } from '@meterline/store-influx';
import { influxSeriesPageReader } from '../src/series/influx-series-page-reader.ts';
import { seriesPageReaderContract } from './series-page-reader-contract.ts';

/** A database of its own per test, on the shared real InfluxDB. */
async function newDatabase(): Promise<{ url: string; token: string; database: string }> {
  const { influx } = inject('stack');
  const database = `api_${randomUUID().replace(/-/g, '')}`;
  const response = await fetch(`${influx.url}/query`, {
    method: 'POST',
    headers: { Authorization: `Token ${influx.token}` },
    body: new URLSearchParams({ q: `CREATE DATABASE ${database}` }),
  });
  if (!response.ok) throw new Error(`CREATE DATABASE answered ${response.status}`);
  return { url: influx.url, token: influx.token, database };
}

seriesPageReaderContract('InfluxDB through InfluxQL (real server)', async () => {
  const connection = await newDatabase();
  const store = new InfluxStore(connection);
  return {
    store,
    reader: influxSeriesPageReader(store),
    close: async () => {
      await store.influxQl(`DROP DATABASE ${connection.database}`);
      await store.close();
    },
  };
});
