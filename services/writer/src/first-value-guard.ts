import type { ReadingMessageV1 } from '@meterline/contracts';
import { newestReadingTimes, readReadings, type OnUnreadable } from '@meterline/series';
import type { TimeSeriesStore } from '@meterline/store';

/** A reading of the batch being written. */
export interface GuardedReading {
  reading: ReadingMessageV1;
}

/** The value that stands for a (point, instant), and where it came from. */
export interface StandingValue {
  value: number;
  /** The device that sent it, when known (the stored reading's `device` tag, or the batch's first reading). */
  deviceId?: string;
  /** `stored` when it was already in the store, `batch` when an earlier reading of this batch set it. */
  from: 'stored' | 'batch';
}

export interface Verdicts<T extends GuardedReading> {
  /** Nothing stands at their (point, instant) yet: write them. */
  fresh: T[];
  /** The same value as the one standing: nothing to write, nothing to report. */
  repeats: T[];
  /** A different value from the one standing: refused, with the value that stands. */
  conflicts: { item: T; standing: StandingValue }[];
}

/** Store lookups of at most this many points each: an InfluxQL statement stays a few kB. */
const LOOKUP_CHUNK = 500;

/**
 * The first value stored for a (metering point, instant) stands; a later different value is a
 * conflict, an identical one a harmless repeat. Asking the store for every reading would double
 * the writer's work, so the guard remembers, per partition, the newest stored instant of each
 * point it has seen: a reading after it cannot meet a stored value (the normal, live case) and
 * costs nothing. Only readings at or before it (repeats, late data) and points not yet known
 * are looked up.
 *
 * Readings are keyed by metering point, so every reading of a point passes through one
 * partition, consumed by one writer at a time. What a writer remembers of a partition stays
 * true while it has seen every offset of it since: a batch that does not start where its last
 * one ended (another writer had the partition meanwhile, or the group rewound) clears it.
 */
export function createFirstValueGuard(store: TimeSeriesStore, measurement: string, onUnreadable: OnUnreadable) {
  const partitions = new Map<number, { nextOffset: bigint; newest: Map<string, number> }>();

  const lookupNewest = async (points: string[], into: Map<string, number>): Promise<void> => {
    for (let i = 0; i < points.length; i += LOOKUP_CHUNK) {
      const found = await newestReadingTimes(store, measurement, points.slice(i, i + LOOKUP_CHUNK));
      for (const point of points.slice(i, i + LOOKUP_CHUNK)) into.set(point, found.get(point) ?? -Infinity);
    }
  };

  const lookupStored = async (readings: ReadingMessageV1[]): Promise<Map<string, StandingValue>> => {
    const stored = new Map<string, StandingValue>();
    const points = [...new Set(readings.map((r) => r.pointId))];
    const times = readings.map((r) => r.tsMs);
    const fromMs = Math.min(...times);
    const toMs = Math.max(...times) + 1;
    for (let i = 0; i < points.length; i += LOOKUP_CHUNK) {
      const rows = await readReadings(store, { measurement, pointIds: points.slice(i, i + LOOKUP_CHUNK), fromMs, toMs, fields: [] }, onUnreadable);
      for (const row of rows) stored.set(instantKey(row.pointId, row.tsMs), { value: row.value, from: 'stored', ...(row.deviceId === undefined ? {} : { deviceId: row.deviceId }) });
    }
    return stored;
  };

  return {
    /**
     * Sorts the readings of a batch starting at `firstOffset` (in offset order) into fresh,
     * repeats and conflicts. May throw a StoreError.
     */
    async judge<T extends GuardedReading>(partition: number, firstOffset: string, items: T[]): Promise<Verdicts<T>> {
      const verdicts: Verdicts<T> = { fresh: [], repeats: [], conflicts: [] };
      let known = partitions.get(partition);
      if (known === undefined || known.nextOffset !== BigInt(firstOffset)) {
        known = { nextOffset: BigInt(firstOffset), newest: new Map() };
        partitions.set(partition, known);
      }
      if (items.length === 0) return verdicts;
      const newest = known.newest;
      await lookupNewest([...new Set(items.map((i) => i.reading.pointId).filter((p) => !newest.has(p)))], newest);
      const doubtful = items.filter((i) => i.reading.tsMs <= newest.get(i.reading.pointId)!);
      const standing = doubtful.length > 0 ? await lookupStored(doubtful.map((i) => i.reading)) : new Map<string, StandingValue>();
      for (const item of items) {
        const { pointId, tsMs, value, deviceId } = item.reading;
        const key = instantKey(pointId, tsMs);
        const first = standing.get(key);
        if (first === undefined) {
          standing.set(key, { value, deviceId, from: 'batch' });
          verdicts.fresh.push(item);
        } else if (Object.is(first.value, value)) {
          verdicts.repeats.push(item);
        } else {
          verdicts.conflicts.push({ item, standing: first });
        }
      }
      return verdicts;
    },

    /** Remembers what the store accepted, and that the batch ending at `lastOffset` was handled. */
    settled(partition: number, lastOffset: string, written: readonly ReadingMessageV1[]): void {
      const known = partitions.get(partition);
      if (known === undefined) return;
      for (const { pointId, tsMs } of written) known.newest.set(pointId, Math.max(known.newest.get(pointId) ?? -Infinity, tsMs));
      known.nextOffset = BigInt(lastOffset) + 1n;
    },
  };
}

const instantKey = (pointId: string, tsMs: number): string => `${pointId}\u0000${tsMs}`;
