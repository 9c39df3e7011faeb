import { describe, expect, it } from 'vitest';
import { InMemoryBus, type BusConsumer } from '@meterline/bus';
import { FIGURE_KINDS, figureBatchCodec, restatementCodec, type FigureV1, type RestatementV1 } from '@meterline/contracts';
import { followFigureChanges, type FollowerStatus } from '../src/figure-cache/figure-change-follower.ts';
import { figurePageCache, type FigurePage, type FigurePageKey } from '../src/figure-cache/figure-page-cache.ts';

const TOPICS = { restatements: 'meterline.restatements.v1', figures: 'meterline.figures.v1' };
const DAY = 86_400_000;
/** 2026-03-01T00:00:00+08:00 */
const MARCH_1 = Date.UTC(2026, 1, 28, 16);
const NOW = MARCH_1 + 40 * DAY;

const published = { value: 10, expandedUncertainty: 1, coveragePercent: 100, flags: [], factorSet: 'cn-2023@1.0.0', registryVersion: 'r1' };

function restatement(enterpriseId: string, startMs: number): RestatementV1 {
  return {
    v: 1,
    restatementId: `rs-${enterpriseId}-${startMs}`,
    enterpriseId,
    measurement: FIGURE_KINDS.carbon,
    subject: { region: 'CN-CQ', scope: 'scope1' },
    periodKind: 'day',
    periodKey: new Date(startMs + 8 * 3_600_000).toISOString().slice(0, 10),
    startMs,
    unit: 'tCO2',
    old: { ...published, revision: 0 },
    new: { ...published, value: 11, revision: 1 },
    reason: 'READINGS_CHANGED',
    detail: 'late readings',
    restatedAt: new Date(NOW).toISOString(),
  };
}

function figure(enterpriseId: string, startMs: number): FigureV1 {
  return {
    measurement: FIGURE_KINDS.carbon,
    enterpriseId,
    subject: { region: 'CN-CQ', scope: 'scope1' },
    periodKind: 'day',
    periodKey: new Date(startMs + 8 * 3_600_000).toISOString().slice(0, 10),
    startMs,
    endMs: startMs + DAY,
    ...published,
    unit: 'tCO2',
    estimated: 0,
    revision: 0,
    detail: {},
  };
}

const marchCarbon = (enterpriseId: string): FigurePageKey => ({ enterpriseId, measurement: FIGURE_KINDS.carbon, periodKind: 'day', filters: {}, fromMs: MARCH_1, toMs: MARCH_1 + 31 * DAY, offset: 0, limit: 100 });
const page = (value: number): FigurePage => ({ itemsJson: `[${value}]`, hasMore: false });

/** Caches ent-a's and ent-b's March carbon with value 1. */
async function cacheMarch(cache: ReturnType<typeof figurePageCache>) {
  for (const e of ['ent-a', 'ent-b']) await cache.read(marchCarbon(e), NOW, () => Promise.resolve(page(1)));
}

describe('figure change follower', () => {
  it('applies restatements and figure batches from its start on, and is current once it has applied all there are', async () => {
    const bus = new InMemoryBus();
    const producer = bus.producer();
    // Announced before the follower's start time: not its business.
    await producer.send(TOPICS.restatements, [restatementCodec.encode(restatement('ent-a', MARCH_1), 'ent-a')]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const cache = figurePageCache({ maxEntries: 100, maxBytes: 1_048_576, settleMs: 0, now: () => NOW });
    const follower = await followFigureChanges({
      consumer: bus.consumer({ groupId: 'api-1', topics: [TOPICS.restatements, TOPICS.figures], fromTimestampMs: Date.now() }),
      topics: TOPICS,
      cache,
      onUnreadable: () => expect.unreachable('every announcement decodes'),
      lagPollMs: 5,
    });
    await expect.poll(() => follower.status()).toEqual({ state: 'current', lag: 0 });
    await cacheMarch(cache);
    expect(cache.stats().entries).toBe(2);

    await producer.send(TOPICS.restatements, [restatementCodec.encode(restatement('ent-a', MARCH_1 + 3 * DAY), 'ent-a')]);
    await expect.poll(() => cache.stats().entries).toBe(1);
    // The first computation of a closed day: a figure batch, no restatement.
    await producer.send(TOPICS.figures, [figureBatchCodec.encode({ v: 1, enterpriseId: 'ent-b', computedAt: new Date(NOW).toISOString(), figures: [figure('ent-b', MARCH_1 + 30 * DAY)] }, 'ent-b')]);
    await expect.poll(() => cache.stats().entries).toBe(0);
    await follower.close();
  });

  it('empties the cache for an announcement it cannot read, and says which', async () => {
    const bus = new InMemoryBus();
    const cache = figurePageCache({ maxEntries: 100, maxBytes: 1_048_576, settleMs: 0, now: () => NOW });
    const unreadable: { topic: string; offset: string }[] = [];
    const follower = await followFigureChanges({
      consumer: bus.consumer({ groupId: 'api-1', topics: [TOPICS.restatements, TOPICS.figures], fromTimestampMs: Date.now() }),
      topics: TOPICS,
      cache,
      onUnreadable: ({ topic, offset }) => unreadable.push({ topic, offset }),
      lagPollMs: 5,
    });
    await expect.poll(() => follower.status().state).toBe('current');
    await cacheMarch(cache);
    await bus.producer().send(TOPICS.figures, [{ key: 'ent-a', value: Buffer.from('{"v":1,"enterpriseId":"ent-a"}') }]);
    await expect.poll(() => cache.stats().entries).toBe(0);
    expect(unreadable).toEqual([{ topic: TOPICS.figures, offset: '0' }]);
    await follower.close();
  });

  it('lets the cache be used only while no announcement waits, and says why not', async () => {
    // Our bus interface, with a lag the test sets: announcements waiting, then Kafka not answering.
    let lag: number | Error = 3;
    const consumer: BusConsumer = {
      start: () => Promise.resolve(),
      close: () => Promise.resolve(),
      lag: () => (lag instanceof Error ? Promise.reject(lag) : Promise.resolve(lag)),
      lastHeardAt: () => undefined,
    };
    const cache = figurePageCache({ maxEntries: 100, maxBytes: 1_048_576, settleMs: 0, now: () => NOW });
    const seen: FollowerStatus['state'][] = [];
    const follower = await followFigureChanges({ consumer, topics: TOPICS, cache, onUnreadable: () => undefined, onState: (s) => seen.push(s.state), lagPollMs: 2 });
    expect(follower.status()).toEqual({ state: 'catching-up', lag: 3 });
    expect(cache.stats().current).toBe(false);
    lag = 0;
    await expect.poll(() => follower.status().state).toBe('current');
    expect(cache.stats().current).toBe(true);
    lag = 2;
    await expect.poll(() => follower.status()).toEqual({ state: 'behind', lag: 2 });
    expect(cache.stats().current).toBe(false);
    lag = new Error('connect ECONNREFUSED');
    await expect.poll(() => follower.status()).toEqual({ state: 'unreachable', lag: undefined });
    expect(cache.stats().current).toBe(false);
    lag = 0;
    await expect.poll(() => follower.status().state).toBe('current');
    await follower.close();
    expect(cache.stats().current).toBe(false);
    expect(seen).toEqual(['current', 'behind', 'unreachable', 'current']);
  });
});
