export { InfluxStore, seriesLineProtocol } from './influx-store.ts';
export { quoteIdentifier, quoteString } from './influxql.ts';
