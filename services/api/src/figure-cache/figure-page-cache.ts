import { BoundedLru, type LruLimits } from './bounded-lru.ts';

/** Everything a page of figures depends on: the same key, the same answer (while nothing changed). */
export interface FigurePageKey {
  enterpriseId: string;
  measurement: string;
  periodKind: string;
  /** The series tags the page is narrowed by, besides enterprise and period kind (site, point, …). */
  filters: Readonly<Record<string, string>>;
  fromMs: number;
  toMs: number;
  offset: number;
  limit: number;
}

/** A page as answered: its items as JSON text (a hit costs no mapping or serialising), and whether a next page exists. */
export interface FigurePage {
  itemsJson: string;
  hasMore: boolean;
}

/** A figure announced new or changed (a restatement record, a figure of a batch): the pages it may change. */
export interface FigureChange {
  enterpriseId: string;
  measurement: string;
  periodKind: string;
  startMs: number;
}

/** Why a request was answered from the store without looking at the cache. */
export type BypassReason = 'open-period' | 'changes-not-current' | 'settling';

/** What the cache reports as it works (the metrics count them). */
export interface FigureCacheEvents {
  hit(): void;
  miss(): void;
  bypass(reason: BypassReason): void;
  /** A page read from the store was not kept: a change of its enterprise (or a lapse of the changes) came while it was read. */
  refused(): void;
  /** Entries dropped because an announced change may have changed them. */
  invalidated(entries: number): void;
  /** Entries dropped to stay within the limits. */
  evicted(): void;
}

export interface FigurePageCacheOptions extends LruLimits {
  /**
   * How long after a change is announced the store may still lack it: the aggregator
   * announces a unit's figures before it writes them. Pages that the change may touch are
   * neither served from nor stored in the cache for this long.
   */
  settleMs: number;
  now: () => number;
  events?: Partial<FigureCacheEvents>;
}

export interface FigurePageCache {
  /**
   * The page from the cache, or from `load` (and kept when it may be). `closesAtMs` is when the
   * range's last period ends: before then the period is open, its figures still to come, and
   * the page is neither served from nor kept in the cache.
   */
  read(key: FigurePageKey, closesAtMs: number, load: () => Promise<FigurePage>): Promise<FigurePage>;
  /** Announced changes: the pages they may touch are dropped, and pages being read for their enterprises are not kept. */
  apply(changes: readonly FigureChange[]): void;
  /** An announcement that could not be read may have changed anything: every page is dropped, and for settleMs none is kept. */
  invalidateAll(): void;
  /**
   * Whether every announced change has been applied (the follower of the topics knows). While
   * not, the cache is neither read nor written, and pages being read when it stops are not kept.
   */
  setCurrent(current: boolean): void;
  stats(): { entries: number; bytes: number; current: boolean };
}

/** Roughly what an entry costs besides its JSON: the key text, the key object, the map slots. */
const ENTRY_OVERHEAD_BYTES = 512;

interface Span {
  fromMs: number;
  /** The latest period start announced (inclusive). */
  toMs: number;
  /** Settling until then. */
  untilMs: number;
}

const scopeOf = (measurement: string, periodKind: string) => `${measurement}|${periodKind}`;

function pageId(key: FigurePageKey): string {
  const filters = Object.keys(key.filters)
    .sort()
    .map((k) => `${k}=${key.filters[k]}`)
    .join('&');
  return [key.enterpriseId, key.measurement, key.periodKind, filters, key.fromMs, key.toMs, key.offset, key.limit].join('\u0000');
}

/** Whether a page's range [fromMs, toMs) holds a period starting in the span. */
const overlaps = (key: FigurePageKey, span: { fromMs: number; toMs: number }) => span.fromMs < key.toMs && span.toMs >= key.fromMs;

/** Whether a page's range [fromMs, toMs) holds one of the period starts (sorted ascending). */
function holdsAny(key: FigurePageKey, starts: readonly number[]): boolean {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid]! < key.fromMs) lo = mid + 1;
    else hi = mid;
  }
  return lo < starts.length && starts[lo]! < key.toMs;
}

/**
 * Pages of figures of closed periods, least recently used dropped first, invalidated by the
 * announced changes of figures. Stale pages are kept out three ways: a change drops the pages
 * it may touch; each enterprise has a generation, raised by every change of it, and a page
 * read while its enterprise's generation moved is not kept (the read may predate the change);
 * and for settleMs after a change the pages it may touch are read from the store, neither
 * served nor kept, because the store may not have the change yet when it is announced.
 */
export function figurePageCache(options: FigurePageCacheOptions): FigurePageCache {
  const events = options.events ?? {};
  const byEnterprise = new Map<string, Map<string, FigurePageKey>>();
  const unindex = (id: string, key: FigurePageKey) => {
    const pages = byEnterprise.get(key.enterpriseId);
    pages?.delete(id);
    if (pages?.size === 0) byEnterprise.delete(key.enterpriseId);
  };
  const pages = new BoundedLru<{ page: FigurePage; key: FigurePageKey }>(options, (id, stored) => {
    unindex(id, stored.key);
    events.evicted?.();
  });
  const generations = new Map<string, number>();
  const settling = new Map<string, Map<string, Span>>();
  let settlingAllUntil = 0;
  let current = false;
  // Raised whenever the cache stops being current or is emptied: reads begun before are not kept.
  let epoch = 0;

  const generationOf = (enterpriseId: string) => generations.get(enterpriseId) ?? 0;

  const isSettling = (key: FigurePageKey, now: number): boolean => {
    if (now < settlingAllUntil) return true;
    const scopes = settling.get(key.enterpriseId);
    const span = scopes?.get(scopeOf(key.measurement, key.periodKind));
    if (!scopes || !span) return false;
    if (span.untilMs <= now) {
      scopes.delete(scopeOf(key.measurement, key.periodKind));
      if (scopes.size === 0) settling.delete(key.enterpriseId);
      return false;
    }
    return overlaps(key, span);
  };

  const keep = (id: string, key: FigurePageKey, page: FigurePage) => {
    const bytes = Buffer.byteLength(page.itemsJson) + id.length + ENTRY_OVERHEAD_BYTES;
    if (!pages.set(id, { page, key }, bytes)) return;
    let indexed = byEnterprise.get(key.enterpriseId);
    if (!indexed) byEnterprise.set(key.enterpriseId, (indexed = new Map<string, FigurePageKey>()));
    indexed.set(id, key);
  };

  return {
    async read(key, closesAtMs, load) {
      const now = options.now();
      if (closesAtMs > now) {
        events.bypass?.('open-period');
        return load();
      }
      if (!current) {
        events.bypass?.('changes-not-current');
        return load();
      }
      if (isSettling(key, now)) {
        events.bypass?.('settling');
        return load();
      }
      const id = pageId(key);
      const stored = pages.get(id);
      if (stored) {
        events.hit?.();
        return stored.page;
      }
      events.miss?.();
      const ticket = { epoch, generation: generationOf(key.enterpriseId) };
      const page = await load();
      if (current && ticket.epoch === epoch && ticket.generation === generationOf(key.enterpriseId)) keep(id, key, page);
      else events.refused?.();
      return page;
    },

    apply(changes) {
      if (changes.length === 0) return;
      const until = options.now() + options.settleMs;
      // This batch's period starts, by enterprise and scope: what to drop.
      const touched = new Map<string, Map<string, number[]>>();
      for (const change of changes) {
        let scopes = touched.get(change.enterpriseId);
        if (!scopes) touched.set(change.enterpriseId, (scopes = new Map<string, number[]>()));
        const scope = scopeOf(change.measurement, change.periodKind);
        const starts = scopes.get(scope);
        if (starts) starts.push(change.startMs);
        else scopes.set(scope, [change.startMs]);
      }
      for (const [enterpriseId, scopes] of touched) {
        generations.set(enterpriseId, generationOf(enterpriseId) + 1);
        let spans = settling.get(enterpriseId);
        if (!spans) settling.set(enterpriseId, (spans = new Map<string, Span>()));
        for (const [scope, starts] of scopes) {
          starts.sort((a, b) => a - b);
          const first = starts[0]!;
          const last = starts.at(-1)!;
          const before = spans.get(scope);
          spans.set(scope, before ? { fromMs: Math.min(before.fromMs, first), toMs: Math.max(before.toMs, last), untilMs: until } : { fromMs: first, toMs: last, untilMs: until });
        }
        const indexed = byEnterprise.get(enterpriseId);
        if (!indexed) continue;
        let dropped = 0;
        for (const [id, key] of indexed) {
          const starts = scopes.get(scopeOf(key.measurement, key.periodKind));
          if (!starts || !holdsAny(key, starts)) continue;
          pages.delete(id);
          indexed.delete(id);
          dropped++;
        }
        if (indexed.size === 0) byEnterprise.delete(enterpriseId);
        if (dropped > 0) events.invalidated?.(dropped);
      }
    },

    invalidateAll() {
      const dropped = pages.size;
      pages.clear();
      byEnterprise.clear();
      epoch++;
      settlingAllUntil = options.now() + options.settleMs;
      if (dropped > 0) events.invalidated?.(dropped);
    },

    setCurrent(now) {
      if (current && !now) epoch++;
      current = now;
    },

    stats: () => ({ entries: pages.size, bytes: pages.bytes, current }),
  };
}
