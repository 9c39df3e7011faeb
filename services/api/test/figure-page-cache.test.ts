import { describe, expect, it } from 'vitest';
import { figurePageCache, type BypassReason, type FigurePage, type FigurePageKey } from '../src/figure-cache/figure-page-cache.ts';

const DAY = 86_400_000;
/** 2026-03-01T00:00:00+08:00 */
const MARCH_1 = Date.UTC(2026, 1, 28, 16);
const NOW = MARCH_1 + 40 * DAY;
/** When the page's last period ended: before NOW, so closed. */
const CLOSED = MARCH_1 + 31 * DAY;

const carbonOfMarch = (enterpriseId = 'ent-a', filters: Record<string, string> = { scope: 'scope1' }): FigurePageKey => ({
  enterpriseId,
  measurement: 'carbon',
  periodKind: 'day',
  filters,
  fromMs: MARCH_1,
  toMs: MARCH_1 + 31 * DAY,
  offset: 0,
  limit: 100,
});

const page = (value: number): FigurePage => ({ itemsJson: JSON.stringify([{ value }]), hasMore: false });
const carbonChange = (enterpriseId: string, startMs: number) => ({ enterpriseId, measurement: 'carbon', periodKind: 'day', startMs });

/** A cache on a clock the test moves, counting what it reports, current as when its follower has caught up. */
function testCache(options: { settleMs?: number; maxEntries?: number; maxBytes?: number } = {}) {
  const clock = { now: NOW };
  const counts = { hit: 0, miss: 0, refused: 0, invalidated: 0, evicted: 0, bypass: [] as BypassReason[] };
  const cache = figurePageCache({
    maxEntries: options.maxEntries ?? 100,
    maxBytes: options.maxBytes ?? 1_048_576,
    settleMs: options.settleMs ?? 0,
    now: () => clock.now,
    events: {
      hit: () => counts.hit++,
      miss: () => counts.miss++,
      refused: () => counts.refused++,
      invalidated: (n) => (counts.invalidated += n),
      evicted: () => counts.evicted++,
      bypass: (reason) => counts.bypass.push(reason),
    },
  });
  cache.setCurrent(true);
  /** Reads through the cache; `loads` counts the store reads. */
  let loads = 0;
  const read = (key: FigurePageKey, value: number, closesAtMs = CLOSED) =>
    cache.read(key, closesAtMs, () => {
      loads++;
      return Promise.resolve(page(value));
    });
  return { cache, clock, counts, read, loads: () => loads };
}

/** A store read the test finishes when it likes. */
function heldRead() {
  let release!: (p: FigurePage) => void;
  const load = () => new Promise<FigurePage>((resolve) => (release = resolve));
  return { load, release: (value: number) => release(page(value)) };
}

describe('figure page cache', () => {
  it('answers a page of closed periods from memory the second time', async () => {
    const { read, counts, loads } = testCache();
    expect(await read(carbonOfMarch(), 1)).toEqual(page(1));
    expect(await read(carbonOfMarch(), 2)).toEqual(page(1));
    expect(loads()).toBe(1);
    expect(counts).toMatchObject({ hit: 1, miss: 1 });
  });

  it('never keeps a page whose last period has not ended', async () => {
    const { read, counts, loads } = testCache();
    const stillOpen = NOW + 3_600_000;
    expect(await read(carbonOfMarch(), 1, stillOpen)).toEqual(page(1));
    expect(await read(carbonOfMarch(), 2, stillOpen)).toEqual(page(2));
    expect(loads()).toBe(2);
    expect(counts.bypass).toEqual(['open-period', 'open-period']);
  });

  it('drops the pages an announced change may touch, and only those', async () => {
    const { cache, read, counts } = testCache();
    await read(carbonOfMarch('ent-a'), 1);
    await read(carbonOfMarch('ent-b'), 1);
    await read({ ...carbonOfMarch('ent-a'), measurement: 'consumption', filters: {} }, 1);
    // A restated day of ent-a's carbon in March.
    cache.apply([carbonChange('ent-a', MARCH_1 + 4 * DAY)]);
    expect(counts.invalidated).toBe(1);
    expect(await read(carbonOfMarch('ent-a'), 2)).toEqual(page(2));
    expect(await read(carbonOfMarch('ent-b'), 2)).toEqual(page(1));
    expect(await read({ ...carbonOfMarch('ent-a'), measurement: 'consumption', filters: {} }, 2)).toEqual(page(1));
  });

  it('keeps pages whose range holds no announced period start', async () => {
    const { cache, read } = testCache();
    await read(carbonOfMarch(), 1);
    cache.apply([carbonChange('ent-a', MARCH_1 + 31 * DAY), carbonChange('ent-a', MARCH_1 - DAY)]);
    expect(await read(carbonOfMarch(), 2)).toEqual(page(1));
  });

  it('does not keep a page read while a change of its enterprise was announced: the read may predate the change', async () => {
    const { cache, read, counts } = testCache();
    const held = heldRead();
    const inFlight = cache.read(carbonOfMarch(), CLOSED, held.load);
    // The restatement arrives while the store is being read; the read then returns the old value.
    cache.apply([carbonChange('ent-a', MARCH_1 + 2 * DAY)]);
    held.release(1);
    expect(await inFlight).toEqual(page(1));
    expect(counts.refused).toBe(1);
    expect(await read(carbonOfMarch(), 2)).toEqual(page(2));
    expect(await read(carbonOfMarch(), 3)).toEqual(page(2));
  });

  it('keeps a page read while another enterprise changed', async () => {
    const { cache, read, counts } = testCache();
    const held = heldRead();
    const inFlight = cache.read(carbonOfMarch('ent-a'), CLOSED, held.load);
    cache.apply([carbonChange('ent-b', MARCH_1 + 2 * DAY)]);
    held.release(1);
    await inFlight;
    expect(counts.refused).toBe(0);
    expect(await read(carbonOfMarch('ent-a'), 2)).toEqual(page(1));
  });

  it('reads the store, keeping nothing, while a change announced moments ago may not be stored yet', async () => {
    const { cache, clock, read, counts, loads } = testCache({ settleMs: 60_000 });
    cache.apply([carbonChange('ent-a', MARCH_1 + 2 * DAY)]);
    // The aggregator announces, then writes: first the old value is still there, then the new one.
    expect(await read(carbonOfMarch(), 1)).toEqual(page(1));
    clock.now += 30_000;
    expect(await read(carbonOfMarch(), 2)).toEqual(page(2));
    expect(counts.bypass).toEqual(['settling', 'settling']);
    // Other pages of the enterprise are cached as ever.
    await read({ ...carbonOfMarch(), measurement: 'consumption', filters: {} }, 7);
    expect(await read({ ...carbonOfMarch(), measurement: 'consumption', filters: {} }, 8)).toEqual(page(7));
    clock.now += 30_000;
    expect(await read(carbonOfMarch(), 2)).toEqual(page(2));
    expect(await read(carbonOfMarch(), 3)).toEqual(page(2));
    expect(loads()).toBe(4);
  });

  it('is neither read nor written while the announcements are not all applied, and keeps no page whose read began before', async () => {
    const { cache, read, counts, loads } = testCache();
    await read(carbonOfMarch(), 1);
    const held = heldRead();
    const inFlight = cache.read(carbonOfMarch('ent-b'), CLOSED, held.load);
    cache.setCurrent(false);
    expect(await read(carbonOfMarch(), 2)).toEqual(page(2));
    held.release(5);
    await inFlight;
    cache.setCurrent(true);
    expect(counts.bypass).toEqual(['changes-not-current']);
    expect(counts.refused).toBe(1);
    expect(await read(carbonOfMarch('ent-b'), 6)).toEqual(page(6));
    expect(await read(carbonOfMarch(), 3)).toEqual(page(1));
    expect(loads()).toBe(3);
  });

  it('after an announcement it could not read, drops everything and keeps nothing for the settling time', async () => {
    const { cache, clock, read, counts } = testCache({ settleMs: 60_000 });
    await read(carbonOfMarch('ent-a'), 1);
    await read(carbonOfMarch('ent-b'), 1);
    cache.invalidateAll();
    expect(counts.invalidated).toBe(2);
    expect(cache.stats().entries).toBe(0);
    expect(await read(carbonOfMarch('ent-a'), 2)).toEqual(page(2));
    expect(counts.bypass).toEqual(['settling']);
    clock.now += 60_000;
    await read(carbonOfMarch('ent-a'), 3);
    expect(await read(carbonOfMarch('ent-a'), 4)).toEqual(page(3));
  });

  it('tells pages apart by every part of their key', async () => {
    const { read, loads } = testCache();
    const base = carbonOfMarch();
    const variants: FigurePageKey[] = [
      base,
      { ...base, enterpriseId: 'ent-b' },
      { ...base, measurement: 'standard_coal' },
      { ...base, periodKind: 'hour' },
      { ...base, filters: { scope: 'scope2-location' } },
      { ...base, filters: {} },
      { ...base, fromMs: base.fromMs + DAY },
      { ...base, toMs: base.toMs - DAY },
      { ...base, offset: 100 },
      { ...base, limit: 10 },
    ];
    for (const [i, key] of variants.entries()) expect(await read(key, i)).toEqual(page(i));
    expect(loads()).toBe(variants.length);
    for (const [i, key] of variants.entries()) expect(await read(key, 100 + i)).toEqual(page(i));
    expect(loads()).toBe(variants.length);
  });

  it('stays within its entry limit, dropping the least recently used page, and forgets it for invalidation too', async () => {
    const { cache, read, counts } = testCache({ maxEntries: 2 });
    await read(carbonOfMarch('ent-a'), 1);
    await read(carbonOfMarch('ent-b'), 1);
    await read(carbonOfMarch('ent-a'), 9);
    await read(carbonOfMarch('ent-c'), 1);
    expect(counts.evicted).toBe(1);
    expect(cache.stats().entries).toBe(2);
    // ent-b's page, read least recently, went; a change of ent-b finds nothing of it to drop.
    cache.apply([carbonChange('ent-b', MARCH_1)]);
    expect(counts.invalidated).toBe(0);
    expect(cache.stats().entries).toBe(2);
    expect(await read(carbonOfMarch('ent-a'), 2)).toEqual(page(1));
    expect(await read(carbonOfMarch('ent-c'), 2)).toEqual(page(1));
  });

  it('counts the bytes it holds and stays within its byte limit', async () => {
    const { cache, read } = testCache({ maxBytes: 2_000 });
    const big = (n: number): FigurePage => ({ itemsJson: JSON.stringify([{ detail: 'x'.repeat(600), n }]), hasMore: false });
    for (const enterpriseId of ['ent-a', 'ent-b', 'ent-c']) await cache.read(carbonOfMarch(enterpriseId), CLOSED, () => Promise.resolve(big(1)));
    expect(cache.stats().entries).toBe(1);
    expect(cache.stats().bytes).toBeGreaterThan(600);
    expect(cache.stats().bytes).toBeLessThanOrEqual(2_000);
    expect(await read(carbonOfMarch('ent-c'), 5)).toEqual(big(1));
  });
});
