import { READINGS_MEASUREMENT } from '@meterline/series';
import { Type } from '@sinclair/typebox';

/**
 * The InfluxDB settings of every service that reads or writes the store (MTL_INFLUX_*,
 * MTL_READINGS_MEASUREMENT), to spread into a service's config schema.
 */
export const InfluxConfigProperties = {
  influxUrl: Type.String({ pattern: '^https?://' }),
  /** An InfluxDB 2.x/3.x token, or `user:password` for InfluxDB 1.8. */
  influxToken: Type.String({ minLength: 1 }),
  influxDatabase: Type.String({ minLength: 1 }),
  /** Empty for the database's default retention policy. */
  influxRetentionPolicy: Type.String({ default: '' }),
  /** InfluxDB 2.x organisation; ignored by 1.8. */
  influxOrg: Type.String({ default: '' }),
  readingsMeasurement: Type.String({ minLength: 1, default: READINGS_MEASUREMENT }),
};

interface InfluxSettings {
  influxUrl: string;
  influxToken: string;
  influxDatabase: string;
  influxRetentionPolicy: string;
  influxOrg: string;
}

/** Those settings in the shape the InfluxDB adapter takes. */
export const influxConnection = (c: InfluxSettings) => ({
  url: c.influxUrl,
  token: c.influxToken,
  database: c.influxDatabase,
  retentionPolicy: c.influxRetentionPolicy,
  org: c.influxOrg,
});
