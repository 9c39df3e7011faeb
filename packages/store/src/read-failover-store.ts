import { StoreError } from './store-error.ts';
import type { NewestQuery, SeriesPoint, SeriesQuery, TimeSeriesStore } from './types.ts';

/** One store of a replica set, named for logs and health. */
export interface StoreMember<S extends TimeSeriesStore> {
  name: string;
  store: S;
}

/** A member's answer to its health check. */
export interface MemberPing {
  name: string;
  up: boolean;
}

export interface ReadFailoverOptions {
  /**
   * Whether the replicas hold a measurement (fed from Kafka: the readings, their landing marks,
   * the figures and restatements). Reads of any other measurement only ever go to the primary:
   * a replica would answer them with nothing, which is not the truth.
   */
  replicated: (measurement: string) => boolean;
  /** How long a member that failed stays passed over before it is asked again (default 10 s). */
  holdDownMs?: number;
  /** Told each time a read moved off a member that did not answer. */
  onFailover?: (event: { from: string; to: string | undefined; error: StoreError }) => void;
  now?: () => number;
}

/**
 * A primary store and its replicas (ADR 0010). Writes go to the primary alone: the replicas are
 * fed from Kafka by writers of their own. Reads of replicated measurements go to the first member,
 * in order, that is not held down; one that fails with a retryable error (it is down, not the
 * query wrong) is held down for a while and the next is asked. A replica may lag the primary by
 * its writers' lag: what it answers is what it holds.
 */
export class ReadFailoverStore<S extends TimeSeriesStore> implements TimeSeriesStore {
  private readonly heldDownUntil = new Map<string, number>();
  private readonly holdDownMs: number;
  private readonly now: () => number;

  constructor(
    private readonly members: readonly [StoreMember<S>, ...StoreMember<S>[]],
    private readonly options: ReadFailoverOptions,
  ) {
    this.holdDownMs = options.holdDownMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  get primary(): S {
    return this.members[0].store;
  }

  write(points: SeriesPoint[]): Promise<void> {
    return this.primary.write(points);
  }

  readSeries(query: SeriesQuery): Promise<SeriesPoint[]> {
    return this.read(query.measurement, (store) => store.readSeries(query));
  }

  newestTimestamps(query: NewestQuery): Promise<Map<string, number>> {
    return this.read(query.measurement, (store) => store.newestTimestamps(query));
  }

  /** Answers a read of `measurement` from the first member able to, as the class describes. */
  async read<R>(measurement: string, query: (store: S) => Promise<R>): Promise<R> {
    if (!this.options.replicated(measurement)) return query(this.primary);
    const at = this.now();
    const ready = this.members.filter((m) => (this.heldDownUntil.get(m.name) ?? 0) <= at);
    // All held down: ask them all again rather than answer nothing.
    const order = ready.length > 0 ? ready : this.members;
    let lastError: StoreError | undefined;
    for (const [i, member] of order.entries()) {
      try {
        const answer = await query(member.store);
        this.heldDownUntil.delete(member.name);
        return answer;
      } catch (error) {
        if (!(error instanceof StoreError) || !error.canRetry) throw error;
        this.heldDownUntil.set(member.name, this.now() + this.holdDownMs);
        this.options.onFailover?.({ from: member.name, to: order[i + 1]?.name, error });
        lastError = error;
      }
    }
    throw lastError!;
  }

  /** Up while the primary or any replica answers: the API still serves what the replicas hold. */
  async ping(): Promise<boolean> {
    return (await this.pingEach()).some((m) => m.up);
  }

  /** Each member's answer to its health check, in order, the primary first. */
  pingEach(): Promise<MemberPing[]> {
    return Promise.all(this.members.map(async (m) => ({ name: m.name, up: await m.store.ping() })));
  }

  async close(): Promise<void> {
    await Promise.all(this.members.map((m) => m.store.close()));
  }
}
