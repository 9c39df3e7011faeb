import { Counter, Gauge, type Registry } from '@meterline/service-kit';
import type { FollowerStatus } from './figure-change-follower.ts';
import type { FigureCacheEvents, FigurePageCache } from './figure-page-cache.ts';

/**
 * The figure cache on /metrics: what it answered (hits, misses, bypasses by reason), what it
 * dropped (invalidated by announcements, evicted for room, pages refused because their
 * enterprise changed while they were read), its size, and how far its follower of the
 * announcements is behind.
 */
export function figureCacheMetrics(metrics: Registry): { events: FigureCacheEvents; watch(cache: Pick<FigurePageCache, 'stats'>, follower: () => FollowerStatus): void } {
  const hits = new Counter({ name: 'meterline_api_figure_cache_hits_total', help: 'Figure pages answered from the cache', registers: [metrics] });
  const misses = new Counter({ name: 'meterline_api_figure_cache_misses_total', help: 'Figure pages of closed periods the cache did not hold, read from the store', registers: [metrics] });
  const bypasses = new Counter({
    name: 'meterline_api_figure_cache_bypasses_total',
    help: 'Figure pages read from the store without the cache: open-period (a period still open), changes-not-current (announcements not all applied), settling (a change announced moments ago may not be stored yet)',
    labelNames: ['reason'] as const,
    registers: [metrics],
  });
  const refused = new Counter({ name: 'meterline_api_figure_cache_refused_total', help: 'Pages read from the store but not kept: their enterprise changed (or the announcements lapsed) while they were read', registers: [metrics] });
  const invalidated = new Counter({ name: 'meterline_api_figure_cache_invalidations_total', help: 'Cached pages dropped because an announced figure change may touch them', registers: [metrics] });
  const evicted = new Counter({ name: 'meterline_api_figure_cache_evictions_total', help: 'Cached pages dropped, least recently used first, to stay within the entry and byte limits', registers: [metrics] });
  return {
    events: {
      hit: () => hits.inc(),
      miss: () => misses.inc(),
      bypass: (reason) => bypasses.inc({ reason }),
      refused: () => refused.inc(),
      invalidated: (entries) => invalidated.inc(entries),
      evicted: () => evicted.inc(),
    },
    watch(cache, follower) {
      new Gauge({ name: 'meterline_api_figure_cache_entries', help: 'Pages in the figure cache', registers: [metrics], collect() { this.set(cache.stats().entries); } });
      new Gauge({ name: 'meterline_api_figure_cache_bytes', help: 'Bytes the figure cache holds (the pages\u2019 JSON and a fixed overhead per page)', registers: [metrics], collect() { this.set(cache.stats().bytes); } });
      new Gauge({ name: 'meterline_api_figure_cache_current', help: '1 when every announced figure change has been applied and the cache is used, else 0', registers: [metrics], collect() { this.set(cache.stats().current ? 1 : 0); } });
      new Gauge({ name: 'meterline_api_figure_changes_lag', help: 'Figure announcements (restatements, figure batches) not yet applied to the cache at the last look; -1 when unknown', registers: [metrics], collect() { this.set(follower().lag ?? -1); } });
    },
  };
}
