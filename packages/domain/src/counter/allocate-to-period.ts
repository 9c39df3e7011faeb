import { isBooked, type RegisterInterval } from './register-intervals.ts';
import type { QualityFlag } from '../quality/quality-flag.ts';
import { DEFAULT_EXPECTED_INTERVAL, interpolationLimitMs, parseCadence } from '../quality/cadence.ts';

export interface TimeRange {
  /** Inclusive start, epoch ms. */
  start: number;
  /** Exclusive end, epoch ms. */
  end: number;
}

export interface AllocationOptions {
  /**
   * An interval longer than this that crosses the period boundary is split by linear
   * interpolation too, but its share is an estimate: the load over a long gap is unknown.
   * pointConsumption sets it from the point's cadence (1.5 × its expected interval, see
   * quality/cadence.ts); the default is that of the default cadence, 1.5 × 15 min.
   */
  maxInterpolationGapMs?: number;
  /** Fill time with no booked interval at the period's mean measured rate, flagged estimated. Default false. */
  estimateGaps?: boolean;
}

export interface PeriodAllocation {
  /** Consumption measured in the period (includes linear interpolation across short boundary intervals). */
  measured: number;
  /** Consumption estimated: interpolated over intervals longer than the limit, and gap filling when enabled. */
  estimated: number;
  /** Time of the period covered by measured consumption. */
  coveredMs: number;
  /** Time of the period inside a booked interval, measured or estimated; the rest is bounded by no reading (or a suspect one). */
  bookedMs: number;
  periodMs: number;
  /** coveredMs / periodMs. */
  coverage: number;
  suspects: RegisterInterval[];
  flags: Set<QualityFlag>;
}

const DEFAULT_MAX_INTERPOLATION_GAP_MS = interpolationLimitMs(parseCadence(DEFAULT_EXPECTED_INTERVAL)!);

/**
 * Allocates register intervals to one period. A gap is never booked as zero: it lowers
 * coverage, and is estimated only when asked, with the estimate kept apart from the
 * measured amount. The `gap` flag here means time of the period no booked interval bounds;
 * pointConsumption adds it too when readings are missing (completeness below 100 %).
 */
export function allocateToPeriod(intervals: readonly RegisterInterval[], period: TimeRange, options: AllocationOptions = {}): PeriodAllocation {
  const maxGap = options.maxInterpolationGapMs ?? DEFAULT_MAX_INTERPOLATION_GAP_MS;
  const periodMs = period.end - period.start;
  const flags = new Set<QualityFlag>();
  const suspects: RegisterInterval[] = [];
  let measured = 0;
  let estimated = 0;
  let coveredMs = 0;
  let bookedMs = 0;
  for (const iv of intervals) {
    const overlap = Math.min(iv.end, period.end) - Math.max(iv.start, period.start);
    if (overlap <= 0) continue;
    if (!isBooked(iv)) {
      suspects.push(iv);
      flags.add(iv.status === 'suspect-drop' ? 'suspect-drop' : 'suspect-over-capacity');
      continue;
    }
    if (iv.status === 'rollover') flags.add('rollover');
    if (iv.status === 'replacement') flags.add('replacement');
    const length = iv.end - iv.start;
    bookedMs += overlap;
    if (overlap === length) {
      // Wholly inside: exact, however long the interval.
      measured += iv.delta;
      coveredMs += overlap;
    } else {
      // Linear interpolation in time across the boundary.
      const share = (iv.delta * overlap) / length;
      if (length <= maxGap) {
        measured += share;
        coveredMs += overlap;
      } else {
        estimated += share;
        flags.add('estimated');
      }
    }
  }
  const unbookedMs = periodMs - bookedMs;
  if (unbookedMs > 0) flags.add('gap');
  if (options.estimateGaps && unbookedMs > 0 && coveredMs > 0) {
    estimated += (measured / coveredMs) * unbookedMs;
    flags.add('estimated');
  }
  return { measured, estimated, coveredMs, bookedMs, periodMs, coverage: periodMs > 0 ? coveredMs / periodMs : 0, suspects, flags };
}
