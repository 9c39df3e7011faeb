import { InMemoryStore } from '@meterline/store';
import { storeSeriesPageReader } from '../src/series/series-page-reader.ts';
import { reportReadingsContract } from './report-readings-contract.ts';

reportReadingsContract('in-memory twin', async () => {
  const store = new InMemoryStore();
  return { store, reader: storeSeriesPageReader(store), close: () => store.close() };
});
