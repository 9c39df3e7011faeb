import { InMemoryStore } from '@meterline/store';
import { storeSeriesPageReader } from '../src/series/series-page-reader.ts';
import { seriesPageReaderContract } from './series-page-reader-contract.ts';

seriesPageReaderContract('in-memory twin', () => {
  const store = new InMemoryStore();
  return Promise.resolve({ store, reader: storeSeriesPageReader(store), close: () => store.close() });
});
