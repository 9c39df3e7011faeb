import { replicatedMeasurements } from '@meterline/series';
import type { Logger } from '@meterline/service-kit';
import { ReadFailoverStore, type MemberPing, type TimeSeriesStore } from '@meterline/store';
import { InfluxStore, type InfluxStoreOptions } from '@meterline/store-influx';
import type { InfluxQueries } from './influx-series-page-reader.ts';

/**
 * The API's InfluxDB: the primary alone, or with replicas fed from Kafka (ADR 0010), in which
 * case reads of the readings and figures go to the first that answers, and every failover is
 * logged. The series pages' InfluxQL statements are routed by the measurement they read.
 */
export function apiInfluxStore(
  primary: InfluxStoreOptions,
  replicaUrls: readonly string[],
  readingsMeasurement: string,
  log: Logger,
): { store: TimeSeriesStore; queries: InfluxQueries; members?: () => Promise<MemberPing[]> } {
  const options = { ...primary, log: (level: 'warn' | 'error', message: string) => log[level]({ logger: 'influxdb-client' }, message) };
  const first = new InfluxStore(options);
  if (replicaUrls.length === 0) return { store: first, queries: first };
  const replicated = replicatedMeasurements(readingsMeasurement);
  const set = new ReadFailoverStore(
    [{ name: primary.url, store: first }, ...replicaUrls.map((url) => ({ name: url, store: new InfluxStore({ ...options, url }) }))],
    {
      replicated: (measurement) => replicated.has(measurement),
      onFailover: ({ from, to, error }) => log.warn({ from, to: to ?? null, err: error }, to ? `InfluxDB ${from} did not answer: reading from ${to}` : `no InfluxDB of the replica set answered`),
    },
  );
  return { store: set, queries: { influxQl: (q, measurement) => set.read(measurement, (s) => s.influxQl(q)), ping: () => set.ping() }, members: () => set.pingEach() };
}
