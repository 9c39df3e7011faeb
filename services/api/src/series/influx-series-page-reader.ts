import { quoteIdentifier, quoteString, type InfluxStore } from '@meterline/store-influx';
import type { SeriesPageReader, StoredRow } from './series-page-reader.ts';

/** InfluxQL statements, each told the one measurement it reads (a replica set routes by it). */
export interface InfluxQueries {
  influxQl(q: string, measurement: string): ReturnType<InfluxStore['influxQl']>;
  ping(): Promise<boolean>;
}

/**
 * Pages through InfluxQL. Without GROUP BY, `SELECT *` returns one row per point across all
 * matching series in time order, with tags and fields side by side as columns, and LIMIT and
 * OFFSET count points over all series (with GROUP BY they would count per series). The
 * measurement's tag keys tell the two kinds of column apart. They are asked for once per
 * measurement and again only when a page shows a column neither known tag nor known field
 * (a key never changes kind, so a cached answer is never wrong, only short). Every
 * identifier and string is quoted; numbers are integers the caller has validated.
 */
export function influxSeriesPageReader(store: InfluxQueries): SeriesPageReader {
  const keysOf = new Map<string, ColumnKinds>();
  const loadKeys = async (measurement: string): Promise<ColumnKinds> => {
    const m = quoteIdentifier(measurement);
    const answers = await store.influxQl(`SHOW TAG KEYS FROM ${m}; SHOW FIELD KEYS FROM ${m}`, measurement);
    const keys = (column: string) => new Set(answers.filter((a) => a.columns[0] === column).flatMap((a) => a.values.map((row) => String(row[0]))));
    const kinds = { tags: keys('tagKey'), fields: keys('fieldKey') };
    keysOf.set(measurement, kinds);
    return kinds;
  };
  return {
    async page(query) {
      for (const n of [query.fromMs, query.toMs, query.offset, query.limit]) {
        if (!Number.isSafeInteger(n)) throw new TypeError(`not an integer: ${n}`);
      }
      const measurement = quoteIdentifier(query.measurement);
      const conditions = [
        ...Object.entries(query.tags).map(([k, v]) => `${quoteIdentifier(k)} = ${quoteString(v)}`),
        `time >= ${query.fromMs}ms`,
        `time < ${query.toMs}ms`,
      ];
      const series = await store.influxQl(
        `SELECT * FROM ${measurement} WHERE ${conditions.join(' AND ')} ORDER BY time ASC LIMIT ${query.limit} OFFSET ${query.offset}`,
        query.measurement,
      );
      let kinds = keysOf.get(query.measurement) ?? (await loadKeys(query.measurement));
      const unknown = series.some((s) => s.columns.some((c) => c !== 'time' && !kinds.tags.has(c) && !kinds.fields.has(c)));
      if (unknown) kinds = await loadKeys(query.measurement);
      const tagKeys = kinds.tags;
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
              if (value !== '') row.tags[column] = typeof value === 'string' ? value : JSON.stringify(value);
            } else if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') {
              row.fields[column] = value;
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

interface ColumnKinds {
  tags: Set<string>;
  fields: Set<string>;
}
