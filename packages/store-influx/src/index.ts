export { InfluxStore, seriesLineProtocol, type InfluxStoreOptions } from './influx-store.ts';
export { quoteIdentifier, quoteString } from './influxql.ts';
