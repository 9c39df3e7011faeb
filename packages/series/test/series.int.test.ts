import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { InfluxStore } from '@meterline/store-influx';
import { figuresContract } from './figures-contract.ts';
import { readingsContract } from './readings-contract.ts';
import { restatementsContract } from './restatements-contract.ts';

/** A database of its own per test, on the InfluxDB the integration setup started. */
async function open() {
  const { influx } = inject('stack');
  const database = `series_${randomUUID().replace(/-/g, '')}`;
  const response = await fetch(`${influx.url}/query`, { method: 'POST', headers: { Authorization: `Token ${influx.token}` }, body: new URLSearchParams({ q: `CREATE DATABASE ${database}` }) });
  if (!response.ok) throw new Error(`CREATE DATABASE answered ${response.status}`);
  const store = new InfluxStore({ url: influx.url, token: influx.token, database });
  return { store, close: () => store.close() };
}

readingsContract('InfluxDB (real server)', open);
figuresContract('InfluxDB (real server)', open);
restatementsContract('InfluxDB (real server)', open);
