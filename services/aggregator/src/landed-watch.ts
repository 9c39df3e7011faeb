import type { AggregationJobV1 } from '@meterline/contracts';
import type { Enterprise, PeriodKind } from '@meterline/domain';
import type { LandedMark } from '@meterline/series';
import { reachOf } from './incremental-plan.ts';

const HOUR_MS = 3_600_000;
const ALL_KINDS: PeriodKind[] = ['quarter-hour', 'hour', 'day', 'month'];

/**
 * Late readings, found from their landing marks within seconds of being stored, become jobs
 * on the jobs topic (keyed by enterprise, so the instance that owns the enterprise runs
 * them): every period kind from the earliest late hour on, computed incrementally — so only
 * the periods the late readings reach, and their roll-ups, are computed and restated.
 *
 * Readings of the last quarter-hour or so are not late: the `recent` schedule computes
 * their periods at the next quarter-hour, and running a job for every batch of on-time
 * readings would recompute the open hour over and over.
 */
export interface LandedWatch {
  /** The jobs for the marks that landed since the last call; remembers what it has seen. */
  jobs(enterprises: readonly Enterprise[], marks: readonly LandedMark[], firedAt: Date): AggregationJobV1[];
}

export function landedWatch(options: { since: number; onTimeMs: number }): LandedWatch {
  const seen = new Map<string, number>();
  return {
    jobs(enterprises, marks, firedAt) {
      const now = firedAt.getTime();
      const byEnterprise = new Map<string, LandedMark[]>();
      for (const m of marks) {
        let list = byEnterprise.get(m.enterpriseId);
        if (!list) byEnterprise.set(m.enterpriseId, (list = []));
        list.push(m);
      }
      const jobs: AggregationJobV1[] = [];
      for (const enterprise of enterprises) {
        const list = byEnterprise.get(enterprise.id) ?? [];
        const last = seen.get(enterprise.id) ?? options.since;
        const fresh = list.filter((m) => m.landed > last);
        if (fresh.length === 0) continue;
        seen.set(enterprise.id, Math.max(last, ...fresh.map((m) => m.landed)));
        const reach = reachOf(enterprise);
        const late = fresh.filter((m) => m.hourMs + HOUR_MS + reach <= now - options.onTimeMs);
        if (late.length === 0) continue;
        const fromMs = Math.min(...late.map((m) => m.hourMs)) - reach;
        const latest = Math.max(...late.map((m) => m.landed));
        jobs.push({
          v: 1,
          // The same landing seen by several instances makes the same job: the owner runs it once.
          jobId: `landed:${enterprise.id}:${fromMs}:${latest}`,
          enterpriseId: enterprise.id,
          kinds: ALL_KINDS,
          fromMs,
          toMs: Math.floor(now / 1000) * 1000,
          origin: 'schedule',
          requestedAt: firedAt.toISOString(),
        });
      }
      return jobs;
    },
  };
}
