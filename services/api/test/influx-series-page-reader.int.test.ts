import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { InfluxStore } from '@meterline/store-influx';
import { influxSeriesPageReader } from '../src/series/influx-series-page-reader.ts';
import { seriesPageReaderContract } from './series-page-reader-contract.ts';

seriesPageReaderContract('InfluxDB through InfluxQL (real server)', async () => {
  // A database of its own per test, on the shared real InfluxDB.
  const { influx } = inject('stack');
  const connection = { url: influx.url, token: influx.token, database: `api_${randomUUID().replace(/-/g, '')}` };
  const store = new InfluxStore(connection);
  await store.influxQl(`CREATE DATABASE ${connection.database}`);
  return {
    store,
    reader: influxSeriesPageReader(store),
    close: async () => {
      await store.influxQl(`DROP DATABASE ${connection.database}`);
      await store.close();
    },
  };
});
