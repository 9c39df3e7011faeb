import type { FieldValue } from '@meterline/store';
import { quoteIdentifier, quoteString, type InfluxStore } from '@meterline/store-influx';
import type { SeriesPageReader, StoredRow } from './series-page-reader.ts';

/**
 * Pages through InfluxQL. Without GROUP BY, `SELECT *` returns one row per point across all
 * matching series in time order, with tags and fields side by side as columns, and LIMIT and
 * OFFSET count points over all series (with GROUP BY they would count per series). The
 * measurement's tag keys tell the two kinds of column apart. Every identifier and string
 * is quoted; numbers are integers the caller has validated.
 */
export function influxSeriesPageReader(store: Pick<InfluxStore, 'influxQl' | 'ping'>): SeriesPageReader {
  return {
    async page(query) {
      for (const n of [query.fromMs, query.toMs, query.offset, query.limit]) {
        if (!Number.isSafeInteger(n)) throw new TypeError(`not an integer: ${n}`);
      }
      const measurement = quoteIdentifier(query.measurement);
      const tagSeries = await store.influxQl(`SHOW TAG KEYS FROM ${measurement}`);
      const tagKeys = new Set(tagSeries.flatMap((s) => s.values.map((row) => String(row[0]))));
      const conditions = [
        ...Object.entries(query.tags).map(([k, v]) => `${quoteIdentifier(k)} = ${quoteString(v)}`),
        `time >= ${query.fromMs}ms`,
        `time < ${query.toMs}ms`,
      ];
      const series = await store.influxQl(
        `SELECT * FROM ${measurement} WHERE ${conditions.join(' AND ')} ORDER BY time ASC LIMIT ${query.limit} OFFSET ${query.offset}`,
      );
      const rows: StoredRow[] = [];
      for (const s of series) {
        const timeColumn = s.columns.indexOf('time');
        for (const values of s.values) {
          const row: StoredRow = { timestampMs: Number(values[timeColumn]), tags: {}, fields: {} };
          s.columns.forEach((column, i) => {
            const value = values[i];
            if (i === timeColumn || value === null || value === undefined) return;
            if (tagKeys.has(column)) {
              // InfluxDB stores no empty tag values; a series without the key reports "".
              if (value !== '') row.tags[column] = String(value);
            } else if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') {
              row.fields[column] = value as FieldValue;
            }
          });
          rows.push(row);
        }
      }
      return rows;
    },
    ping: () => store.ping(),
  };
}
