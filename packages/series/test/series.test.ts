import { InMemoryStore } from '@meterline/store';
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

// Every series' contract on the in-memory twin; series.int.test.ts runs the same on InfluxDB.
const inMemory: MakeSeriesStore = () => {
  const store = new InMemoryStore();
  return Promise.resolve({ store, close: () => store.close() });
};

readingsContract('in-memory', inMemory);
figuresContract('in-memory', inMemory);
restatementsContract('in-memory', inMemory);
manualEntriesContract('in-memory', inMemory);
alertStateContract('in-memory', inMemory);
alertHistoryContract('in-memory', inMemory);
pointLastSeenContract('in-memory', inMemory);
deviceLastStatusContract('in-memory', inMemory);
alertDeliveriesContract('in-memory', inMemory);
deviceSequenceStateContract('in-memory', inMemory);
deviceSequenceEventsContract('in-memory', inMemory);
targetsContract('in-memory', inMemory);
