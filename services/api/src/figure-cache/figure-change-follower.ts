import { randomUUID } from 'node:crypto';
import type { BusConsumer } from '@meterline/bus';
import { announcedChanges, type FigureAnnouncementTopics } from './announced-figure-changes.ts';
import type { FigurePageCache } from './figure-page-cache.ts';

/**
 * - `catching-up`: reading what was announced since shortly before the start;
 * - `current`: every announcement on the topics has been applied (lag 0 at the last look);
 * - `behind`: announcements wait to be applied;
 * - `unreachable`: Kafka did not say how far behind (the lag could not be read).
 * Only while `current` is the cache read and written.
 */
type FollowerState = 'catching-up' | 'current' | 'behind' | 'unreachable';

export interface FollowerStatus {
  state: FollowerState;
  /** Announcements not yet applied at the last look; undefined before the first or when it failed. */
  lag: number | undefined;
}

export interface FigureChangeFollower {
  status(): FollowerStatus;
  close(): Promise<void>;
}

interface UnreadableAnnouncement {
  topic: string;
  partition: number;
  offset: string;
  detail: string;
}

export interface FollowerOptions {
  /**
   * A consumer of both topics in a group of this instance's own (figureChangesGroupId), so each
   * instance applies every announcement to its own cache; started near the present
   * (fromTimestampMs), not at the topics' beginning.
   */
  consumer: BusConsumer;
  topics: FigureAnnouncementTopics;
  cache: Pick<FigurePageCache, 'apply' | 'invalidateAll' | 'setCurrent'>;
  /** An announcement that does not decode; the cache has been emptied for it. */
  onUnreadable: (record: UnreadableAnnouncement) => void;
  /** Each change of state, for the log. */
  onState?: (status: FollowerStatus, error?: unknown) => void;
  /** How often the lag is asked for (default 1 s): how long a backlog may go unnoticed. */
  lagPollMs?: number;
}

/** A consumer group of one API instance, unique to each start (the group lives as long as the consumer). */
export const figureChangesGroupId = (instanceId: string): string => `meterline-api-${instanceId}-figure-changes-${randomUUID()}`;

/**
 * Applies the aggregator's announcements of figures to the cache, and tells the cache whether
 * it may be used: only when the lag of this instance's group is 0, i.e. every announcement
 * published has been applied (the bus commits a batch after the handler applied it).
 */
export async function followFigureChanges(options: FollowerOptions): Promise<FigureChangeFollower> {
  let status: FollowerStatus = { state: 'catching-up', lag: undefined };
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  options.cache.setCurrent(false);

  const become = (next: FollowerStatus, error?: unknown) => {
    const changed = next.state !== status.state;
    status = next;
    options.cache.setCurrent(next.state === 'current');
    if (changed) options.onState?.(next, error);
  };

  await options.consumer.start((batch) => {
    for (const message of batch.messages) {
      const announced = announcedChanges(options.topics, batch.topic, message.value);
      if (announced.ok) {
        options.cache.apply(announced.changes);
        continue;
      }
      // What it announced cannot be known: nothing cached may be trusted.
      options.cache.invalidateAll();
      options.onUnreadable({ topic: batch.topic, partition: batch.partition, offset: message.offset, detail: announced.detail });
    }
    return Promise.resolve();
  });

  const look = async () => {
    try {
      const lag = await options.consumer.lag();
      if (closed) return;
      if (lag === 0) become({ state: 'current', lag });
      else become({ state: status.state === 'catching-up' ? 'catching-up' : 'behind', lag });
    } catch (error) {
      if (!closed) become({ state: 'unreachable', lag: undefined }, error);
    }
    if (!closed) timer = setTimeout(() => void look(), options.lagPollMs ?? 1_000);
  };
  await look();

  return {
    status: () => status,
    async close() {
      closed = true;
      clearTimeout(timer);
      options.cache.setCurrent(false);
      await options.consumer.close();
    },
  };
}
