import type { AlertingChangeV1, AlertingKind } from '@meterline/contracts';
import type { AlertingTopicReader } from '@meterline/feeds';
import { ApiError } from '../errors.ts';
import { AlertingWriteError, type AlertingWriter } from './alerting-writer.ts';

type SubscriptionChange = Extract<AlertingChangeV1, { kind: 'subscription' }>;
type SilenceChange = Extract<AlertingChangeV1, { kind: 'silence' }>;

/**
 * The API's view of webhook subscriptions and silences: read from the alerting topic by this
 * process's own reader, changed by writing to the topic. A change is answered once the reader
 * has read it back, so the client's next request sees it on this instance (other instances
 * see it as soon as their readers do).
 */
export interface AlertingDirectory {
  subscriptions(enterpriseId: string): Promise<SubscriptionChange[]>;
  /** The enterprise's subscription of this id; another enterprise's is not found. */
  subscription(enterpriseId: string, id: string): Promise<SubscriptionChange | undefined>;
  silences(enterpriseId: string): Promise<SilenceChange[]>;
  silence(enterpriseId: string, id: string): Promise<SilenceChange | undefined>;
  /** Writes the change and waits until this process's reader has it (at most `visibleWithinMs`); false if it did not come back in time. */
  put(change: AlertingChangeV1): Promise<boolean>;
  remove(kind: AlertingKind, id: string): Promise<boolean>;
  /** Runs a read-modify-write of one entity after any other in this process, so two at once do not lose one. */
  exclusive<T>(key: string, change: () => Promise<T>): Promise<T>;
  /**
   * True once the reader has read the whole topic. Until then every call waits for it (at most
   * `visibleWithinMs`) and then refuses with a 503 rather than show a partial list.
   */
  ready(): boolean;
}

type TopicReader = Pick<AlertingTopicReader, 'subscriptions' | 'silences' | 'caughtUp' | 'isCaughtUp' | 'sawWrite'>;

const unavailable = (detail: string, cause?: unknown) => new ApiError('MTL_API_ALERTING_UNAVAILABLE', detail, cause === undefined ? {} : { cause });

const byCreation = <T extends { createdAt: string; id: string }>(a: T, b: T) =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/**
 * `visibleWithinMs` (default 10 s): how long a call waits for the reader to catch up after a
 * start, and a change to come back to the reader.
 */
export function alertingDirectory(deps: { reader: TopicReader; writer: AlertingWriter; visibleWithinMs?: number }): AlertingDirectory {
  const visibleWithinMs = deps.visibleWithinMs ?? 10_000;
  const locks = new Map<string, Promise<void>>();
  /** Resolves true when `promise` settles first, false when `visibleWithinMs` passes first. */
  const inTime = async (promise: Promise<unknown>): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), visibleWithinMs)));
    try {
      return await Promise.race([promise.then(() => true as const), late]);
    } finally {
      clearTimeout(timer);
    }
  };
  const ensureReady = async () => {
    if (deps.reader.isCaughtUp()) return;
    await inTime(deps.reader.caughtUp());
    if (!deps.reader.isCaughtUp()) throw unavailable('the alerting topic is still being read after a start; try again shortly');
  };

  /** The write, then its read-back: a write the topic refused is a 503; one that does not come back in time is kept (it is durable), only later visible. */
  const written = async (write: () => Promise<string>): Promise<boolean> => {
    await ensureReady();
    let writeId: string;
    try {
      writeId = await write();
    } catch (error) {
      if (error instanceof AlertingWriteError) throw unavailable('the alerting topic did not take the change; nothing was changed, try again', error);
      throw error;
    }
    return inTime(deps.reader.sawWrite(writeId));
  };

  return {
    async subscriptions(enterpriseId) {
      await ensureReady();
      return [...deps.reader.subscriptions().values()].filter((c) => c.subscription.enterpriseId === enterpriseId).sort((a, b) => byCreation(a.subscription, b.subscription));
    },
    async subscription(enterpriseId, id) {
      await ensureReady();
      const change = deps.reader.subscriptions().get(id);
      return change?.subscription.enterpriseId === enterpriseId ? change : undefined;
    },
    async silences(enterpriseId) {
      await ensureReady();
      return [...deps.reader.silences().values()].filter((c) => c.silence.enterpriseId === enterpriseId).sort((a, b) => byCreation(a.silence, b.silence));
    },
    async silence(enterpriseId, id) {
      await ensureReady();
      const change = deps.reader.silences().get(id);
      return change?.silence.enterpriseId === enterpriseId ? change : undefined;
    },
    put: (change) => written(() => deps.writer.put(change)),
    remove: (kind, id) => written(() => deps.writer.remove(kind, id)),
    async exclusive(key, change) {
      const before = locks.get(key) ?? Promise.resolve();
      const run = before.then(change);
      // The chain only orders; each caller gets its own outcome from `run`.
      const settled = run.then(
        () => undefined,
        () => undefined,
      );
      locks.set(key, settled);
      void settled.then(() => {
        if (locks.get(key) === settled) locks.delete(key);
      });
      return run;
    },
    ready: () => deps.reader.isCaughtUp(),
  };
}
