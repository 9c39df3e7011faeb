import type { ReadingMessageV1 } from '@meterline/contracts';
import type { SeriesPoint, TimeSeriesStore } from '@meterline/store';
import { readRows, unreadable, type OnUnreadable, type RowRead, type StoredRow } from './row-read.ts';

/**
 * Raw readings, one point per (metering point, instant). The measurement is configurable
 * (`MTL_READINGS_MEASUREMENT`, so two deployments can share a database); this is its default.
 */
export const READINGS_MEASUREMENT = 'reading';

/**
 * The series: a reading's place in the registry, and the device that sent it. A point is read
 * by one device at a time, so the device adds no series but the ones a replaced meter starts;
 * as a tag InfluxDB keeps it once per series instead of once per reading (issue 17: a string
 * field was a third of InfluxDB's CPU per reading, measured by writing both shapes).
 */
export const READING_TAGS = Object.freeze({
  enterprise: 'enterprise',
  site: 'site',
  point: 'point',
  carrier: 'carrier',
  quantity: 'quantity',
  /** What a conflicting value is reported against. A field of the same name before issue 17; such rows are still read. */
  device: 'device',
} as const);

export const READING_FIELDS = Object.freeze({
  /** The register (or rate) in the point's unit, as the device sent it. */
  value: 'value',
  /** The device's own quality word; stored only when not `good` (issue 17: a field less for most readings). */
  quality: 'quality',
  /** Stored (true) only when ingest checked the payload's Ed25519 signature. */
  verified: 'verified',
} as const);

type ReadingField = (typeof READING_FIELDS)[keyof typeof READING_FIELDS];

/** The quality word a reading stored without one has. */
export const DEFAULT_READING_QUALITY = 'good';

/**
 * A reading as stored. `deviceId` is absent only for rows stored before readings carried it (a
 * tag, always read since issue 17; a field, read when asked for, before); `quality` is absent
 * when the read left it out or the reading is of the default quality (`DEFAULT_READING_QUALITY`,
 * not stored since issue 17): a reader that read every field reads absent as the default.
 */
export interface StoredReading {
  enterpriseId: string;
  siteId: string;
  pointId: string;
  carrier: string;
  quantity: string;
  tsMs: number;
  value: number;
  quality?: string;
  deviceId?: string;
  /** Readings stored before signed payloads have no `verified` field: not verified. */
  verified: boolean;
}

/**
 * The timestamp is the reading's own, so the same reading delivered twice overwrites itself.
 * Quality and verified are stored only when they say something (not good; verified): InfluxDB's
 * cost per point grows with its fields, and most readings are good and unsigned (issue 17).
 */
export function readingPoint(measurement: string, reading: ReadingMessageV1): SeriesPoint {
  return {
    measurement,
    tags: {
      [READING_TAGS.enterprise]: reading.enterpriseId,
      [READING_TAGS.site]: reading.siteId,
      [READING_TAGS.point]: reading.pointId,
      [READING_TAGS.carrier]: reading.carrier,
      [READING_TAGS.quantity]: reading.quantity,
      [READING_TAGS.device]: reading.deviceId,
    },
    fields: {
      [READING_FIELDS.value]: reading.value,
      ...(reading.quality === DEFAULT_READING_QUALITY ? {} : { [READING_FIELDS.quality]: reading.quality }),
      ...(reading.verified === true ? { [READING_FIELDS.verified]: true } : {}),
    },
    timestampMs: reading.tsMs,
  };
}

/**
 * The reading a stored row holds, or why it holds none. The measurement is not checked (it is
 * configurable); a row needs its point and a numeric value, the rest may have been left out of
 * the read.
 */
export function readingOf(row: StoredRow): RowRead<StoredReading> {
  const { tags, fields } = row;
  const pointId = tags[READING_TAGS.point];
  const value = fields[READING_FIELDS.value];
  if (!pointId || typeof value !== 'number') return unreadable(`row ${JSON.stringify(tags)} at ${row.timestampMs} lacks a point or a numeric value`);
  const quality = fields[READING_FIELDS.quality];
  // Rows stored before issue 17 hold the device as a field of the same name.
  const device = tags[READING_TAGS.device] ?? fields[READING_TAGS.device];
  const reading: StoredReading = {
    enterpriseId: tags[READING_TAGS.enterprise] ?? '',
    siteId: tags[READING_TAGS.site] ?? '',
    pointId,
    carrier: tags[READING_TAGS.carrier] ?? '',
    quantity: tags[READING_TAGS.quantity] ?? '',
    tsMs: row.timestampMs,
    value,
    ...(typeof quality === 'string' ? { quality } : {}),
    ...(typeof device === 'string' ? { deviceId: device } : {}),
    verified: fields[READING_FIELDS.verified] === true,
  };
  return { ok: true, value: reading };
}

/** Which readings to read: of an enterprise, of some points, or both; start in [fromMs, toMs). */
export interface ReadingsQuery {
  measurement: string;
  enterpriseId?: string;
  pointIds?: readonly string[];
  fromMs: number;
  toMs: number;
  /** Only these fields (the value is always read). */
  fields?: readonly ReadingField[];
}

/** The stored readings a query matches, in time order. A row holding no reading (written by something else) is left out and goes to `onUnreadable`. */
export async function readReadings(store: TimeSeriesStore, query: ReadingsQuery, onUnreadable: OnUnreadable): Promise<StoredReading[]> {
  const tags: Record<string, string | readonly string[]> = {};
  if (query.enterpriseId !== undefined) tags[READING_TAGS.enterprise] = query.enterpriseId;
  if (query.pointIds !== undefined) tags[READING_TAGS.point] = query.pointIds;
  const fields = query.fields ? [...new Set<string>([READING_FIELDS.value, ...query.fields])] : undefined;
  const rows = await store.readSeries({ measurement: query.measurement, tags, fromMs: query.fromMs, toMs: query.toMs, ...(fields ? { fields } : {}) });
  return readRows(query.measurement, rows, readingOf, onUnreadable);
}

/** Point id → the instant of its newest stored reading; points with none are absent. */
export const newestReadingTimes = (store: TimeSeriesStore, measurement: string, pointIds: readonly string[]): Promise<Map<string, number>> =>
  store.newestTimestamps({ measurement, tag: READING_TAGS.point, values: pointIds, field: READING_FIELDS.value });

/** The tags that select one enterprise's readings, or one of its points' (for page readers that take tags). */
export const readingTags = (enterpriseId: string, pointId?: string): Record<string, string> =>
  pointId === undefined ? { [READING_TAGS.enterprise]: enterpriseId } : { [READING_TAGS.enterprise]: enterpriseId, [READING_TAGS.point]: pointId };
