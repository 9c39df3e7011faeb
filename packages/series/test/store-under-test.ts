import type { TimeSeriesStore } from '@meterline/store';

/** A fresh, empty store for one test; each series' contract suite runs on the in-memory twin and on InfluxDB. */
export type OpenStore = () => Promise<{ store: TimeSeriesStore; close(): Promise<void> }>;

/** Later than anything the suites store, within InfluxDB's time range. */
export const UNTIL_MS = Date.UTC(2200, 0, 1);
