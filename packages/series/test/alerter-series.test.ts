import { InMemoryStore } from '@meterline/store';
import { alertDeliveriesContract } from './alert-deliveries.contract.ts';
import { alertHistoryContract } from './alert-history.contract.ts';
import { alertStateContract } from './alert-state.contract.ts';
import { deviceLastStatusContract } from './device-last-status.contract.ts';
import { deviceSequenceEventsContract } from './device-sequence-events.contract.ts';
import { deviceSequenceStateContract } from './device-sequence-state.contract.ts';
import { pointLastSeenContract } from './point-last-seen.contract.ts';
import type { MakeSeriesStore } from './series-store-under-test.ts';

// The series the alerter writes, on the in-memory twin (the same contracts run on InfluxDB in alerter-series.int.test.ts).
const inMemory: MakeSeriesStore = () => {
  const store = new InMemoryStore();
  return Promise.resolve({ store, close: () => store.close() });
};

alertStateContract('in-memory', inMemory);
alertHistoryContract('in-memory', inMemory);
pointLastSeenContract('in-memory', inMemory);
deviceLastStatusContract('in-memory', inMemory);
alertDeliveriesContract('in-memory', inMemory);
deviceSequenceStateContract('in-memory', inMemory);
deviceSequenceEventsContract('in-memory', inMemory);
