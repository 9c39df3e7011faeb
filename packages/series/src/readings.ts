import type { ReadingMessageV1 } from '@meterline/contracts';
import type { SeriesPoint, TimeSeriesStore } from '@meterline/store';
import { readRows, unreadable, type OnUnreadable, type RowRead, type StoredRow } from './row-read.ts';

/**
 * Raw readings, one point per (metering point, instant). The measurement is configurable
 * (`MTL_READINGS_MEASUREMENT`, so two deployments can share a database); this is its default.
 */
export const READINGS_MEASUREMENT = 'reading';

/** The series: a reading's place in the registry. */
export const READING_TAGS = Object.freeze({
  enterprise: 'enterprise',
  site: 'site',
  point: 'point',
  carrier: 'carrier',
  quantity: 'quantity',
} as const);

export const READING_FIELDS = Object.freeze({
  /** The register (or rate) in the point's unit, as the device sent it. */
  value: 'value',
  /** The device's own quality word (`good` when it sent none). */
  quality: 'quality',
  /** The device that sent it: what a conflicting value is reported against. */
  device: 'device',
  /** True when ingest checked the payload's Ed25519 signature. */
  verified: 'verified',
} as const);

type ReadingField = (typeof READING_FIELDS)[keyof typeof READING_FIELDS];

/** A reading as stored; `quality` and `deviceId` are absent when the read left those fields out. */
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

/** The timestamp is the reading's own, so the same reading delivered twice overwrites itself. */
export function readingPoint(measurement: string, reading: ReadingMessageV1): SeriesPoint {
  return {
    measurement,
    tags: {
      [READING_TAGS.enterprise]: reading.enterpriseId,
      [READING_TAGS.site]: reading.siteId,
      [READING_TAGS.point]: reading.pointId,
      [READING_TAGS.carrier]: reading.carrier,
      [READING_TAGS.quantity]: reading.quantity,
    },
    fields: {
      [READING_FIELDS.value]: reading.value,
      [READING_FIELDS.quality]: reading.quality,
      [READING_FIELDS.device]: reading.deviceId,
      [READING_FIELDS.verified]: reading.verified === true,
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
  const device = fields[READING_FIELDS.device];
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
