import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { InfluxStore } from '@meterline/store-influx';
import { alertDeliveriesContract } from './alert-deliveries.contract.ts';
import { alertHistoryContract } from './alert-history.contract.ts';
import { alertStateContract } from './alert-state.contract.ts';
import { deviceLastStatusContract } from './device-last-status.contract.ts';
import { deviceSequenceEventsContract } from './device-sequence-events.contract.ts';
import { deviceSequenceStateContract } from './device-sequence-state.contract.ts';
import { pointLastSeenContract } from './point-last-seen.contract.ts';
import type { MakeSeriesStore } from './series-store-under-test.ts';

// The series the alerter writes, on a real InfluxDB: a database per suite, dropped after it.
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

alertStateContract('influxdb', influx);
alertHistoryContract('influxdb', influx);
pointLastSeenContract('influxdb', influx);
deviceLastStatusContract('influxdb', influx);
alertDeliveriesContract('influxdb', influx);
deviceSequenceStateContract('influxdb', influx);
deviceSequenceEventsContract('influxdb', influx);
