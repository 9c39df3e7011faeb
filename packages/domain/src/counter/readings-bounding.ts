import type { RegisterReading } from './register-intervals.ts';
import type { TimeRange } from './allocate-to-period.ts';

/** The first index from `lo` whose reading is not `before` (readings sorted by `at`). */
function firstNot(sorted: readonly RegisterReading[], before: (at: number) => boolean, lo = 0): number {
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(sorted[mid]!.at)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The readings a figure for `range` depends on, from readings sorted by `at`: those with
 * start <= at < end, plus every reading at the last instant before start and at the first
 * instant at or after end. All readings at those two instants are kept, so duplicates
 * resolve as they would among all readings. pointConsumption gives the same result from
 * these as from all readings, in O(log n) instead of O(n).
 */
export function readingsBounding<R extends RegisterReading>(sorted: readonly R[], range: TimeRange): R[] {
  let from = firstNot(sorted, (at) => at < range.start);
  if (from > 0) {
    const previous = sorted[from - 1]!.at;
    from = firstNot(sorted, (at) => at < previous);
  }
  let to = firstNot(sorted, (at) => at < range.end, from);
  if (to < sorted.length) {
    const next = sorted[to]!.at;
    to = firstNot(sorted, (at) => at <= next, to);
  }
  return sorted.slice(from, to);
}
