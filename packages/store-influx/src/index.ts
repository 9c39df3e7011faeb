export { InfluxStore } from './influx-store.ts';
export { quoteIdentifier, quoteString } from './influxql.ts';
