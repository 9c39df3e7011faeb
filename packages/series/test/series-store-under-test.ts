import { afterAll, afterEach, beforeAll } from 'vitest';
import type { TimeSeriesStore } from '@meterline/store';

/** Later than anything the suites store, within InfluxDB's time range. */
export const UNTIL_MS = Date.UTC(2200, 0, 1);

/** A store a series contract runs on: the in-memory twin, or a fresh InfluxDB database. */
interface SeriesStoreUnderTest {
  store: TimeSeriesStore;
  close(): Promise<void>;
}

export type MakeSeriesStore = () => Promise<SeriesStoreUnderTest>;

/** One store for the suite it is called in, closed after it; tests keep apart by their enterprise ids (the alerter's series). */
export function suiteStore(make: MakeSeriesStore): () => TimeSeriesStore {
  let subject: SeriesStoreUnderTest | undefined;
  beforeAll(async () => {
    subject = await make();
  });
  afterAll(async () => {
    await subject?.close();
  });
  return () => {
    if (!subject) throw new Error('the suite store is made in beforeAll');
    return subject.store;
  };
}

/** A fresh store for each test that asks (readings, figures, restatements), closed after the test. */
export function storePerTest(make: MakeSeriesStore): () => Promise<TimeSeriesStore> {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });
  return async () => {
    const opened = await make();
    close = () => opened.close();
    return opened.store;
  };
}

let n = 0;
/** An id no other test of the run uses (ids follow the registry's pattern). */
export const uniqueId = (prefix: string): string => `${prefix}-${++n}`;
