import type { KeyPartitioner } from './types.ts';

interface RefreshingKeyPartitionerOptions {
  /** The topic's partition count as the cluster tells it now (0 when it does not know the topic). */
  countPartitions: () => Promise<number>;
  /** The producer's own choice of partition for a key, given the count. */
  partitionFor: (key: string, partitions: number) => number;
  /** Told when a count could not be had; the one in hand is kept. */
  onCountFailure: (error: unknown, kept: number) => void;
  /** How old the count may be before it is asked for again, in the background (default 60 s). */
  maxAgeMs?: number;
  /** Keys whose partition is remembered until the count changes (default 100 000): hashing per reading costs. */
  rememberKeys?: number;
  /** The clock the count's age is read from (default `Date.now`). */
  now?: () => number;
}

/**
 * A key partitioner for adapters over a real cluster: the count looked up once, then again in
 * the background when older than `maxAgeMs`. Until a lookup after partitions were added, keys
 * packed together may land apart from their later records: Kafka's per-key order breaks on
 * adding partitions anyway.
 */
export async function refreshingKeyPartitioner(topic: string, options: RefreshingKeyPartitionerOptions): Promise<KeyPartitioner> {
  const maxAgeMs = options.maxAgeMs ?? 60_000;
  const rememberKeys = options.rememberKeys ?? 100_000;
  const now = options.now ?? Date.now;
  let count = await options.countPartitions();
  if (count === 0) throw new Error(`topic ${topic} has no partitions`);
  let countedAt = now();
  let refreshing = false;
  const known = new Map<string, number>();
  return {
    partitionOf: (key) => {
      if (!refreshing && now() - countedAt > maxAgeMs) {
        refreshing = true;
        options
          .countPartitions()
          .then((found) => {
            if (found > 0 && found !== count) {
              count = found;
              known.clear();
            }
            countedAt = now();
          })
          .catch((error: unknown) => options.onCountFailure(error, count))
          .finally(() => (refreshing = false));
      }
      let partition = known.get(key);
      if (partition === undefined) {
        partition = options.partitionFor(key, count);
        // Bounded: ingest asks only for registered points, but a cache must not grow on trust.
        if (known.size >= rememberKeys) known.clear();
        known.set(key, partition);
      }
      return partition;
    },
  };
}
