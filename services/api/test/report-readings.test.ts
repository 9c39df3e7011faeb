import { InMemoryStore } from '@meterline/store';
import { storeSeriesPageReader } from '../src/series/series-page-reader.ts';
import { reportReadingsContract } from './report-readings-contract.ts';

reportReadingsContract('in-memory twin', () => {
  const store = new InMemoryStore();
  return Promise.resolve({ store, reader: storeSeriesPageReader(store), close: () => store.close() });
});
