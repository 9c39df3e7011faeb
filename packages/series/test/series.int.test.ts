import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { InfluxStore } from '@meterline/store-influx';
import { alertDeliveriesContract } from './alert-deliveries.contract.ts';
import { alertHistoryContract } from './alert-history.contract.ts';
import { alertStateContract } from './alert-state.contract.ts';
import { deviceLastStatusContract } from './device-last-status.contract.ts';
import { deviceSequenceEventsContract } from './device-sequence-events.contract.ts';
import { deviceSequenceStateContract } from './device-sequence-state.contract.ts';
import { figuresContract } from './figures.contract.ts';
import { manualEntriesContract } from './manual-entries.contract.ts';
import { pointLastSeenContract } from './point-last-seen.contract.ts';
import { readingsContract } from './readings.contract.ts';
import { restatementsContract } from './restatements.contract.ts';
import { targetsContract } from './targets.contract.ts';
import type { MakeSeriesStore } from './series-store-under-test.ts';

// Every series' contract on a real InfluxDB: a database per store made, dropped when it is closed.
const influx: MakeSeriesStore = async () => {
  const { influx: server } = inject('stack');
  const database = `series_${randomUUID().replace(/-/g, '')}`;
  const store = new InfluxStore({ url: server.url, token: server.token, database });
  await store.influxQl(`CREATE DATABASE ${database}`);
  return {
    store,
    close: async () => {
      await store.influxQl(`DROP DATABASE ${database}`);
      await store.close();
    },
  };
};

readingsContract('InfluxDB', influx);
figuresContract('InfluxDB', influx);
restatementsContract('InfluxDB', influx);
manualEntriesContract('InfluxDB', influx);
alertStateContract('InfluxDB', influx);
alertHistoryContract('InfluxDB', influx);
pointLastSeenContract('InfluxDB', influx);
deviceLastStatusContract('InfluxDB', influx);
alertDeliveriesContract('InfluxDB', influx);
deviceSequenceStateContract('InfluxDB', influx);
deviceSequenceEventsContract('InfluxDB', influx);
targetsContract('InfluxDB', influx);
