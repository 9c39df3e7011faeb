import type { MeteringPoint } from '../registry/manifest-schema.ts';
import { registerIntervals, type RegisterInterval, type RegisterReading } from '../counter/register-intervals.ts';
import { allocateToPeriod, type AllocationOptions, type TimeRange } from '../counter/allocate-to-period.ts';
import { calendarPeriod } from '../calendar/period.ts';
import { cadenceOf, interpolationLimitMs } from '../quality/cadence.ts';
import { completenessPercent, readingCounts } from '../quality/completeness.ts';
import { estimateStandardUncertainty, relativeUncertaintyFromAccuracyClass, combineSum } from '../uncertainty/gum.ts';
import type { Term } from './figure.ts';

export interface PointConsumption {
  term: Term;
  suspects: RegisterInterval[];
  /** Readings that bound the intervals used for the period. */
  readingsUsed: number;
}

/** What a point's consumption takes from the caller; the interpolation limit follows the point's cadence. */
export type ConsumptionOptions = Omit<AllocationOptions, 'maxInterpolationGapMs'>;

/**
 * Consumption of one register point in one period, in the point's unit.
 * u = (accuracy class / √3) × measured, in quadrature with E/√3 for the estimated part
 * (see gum.ts). The meter's error is systematic, so it scales the whole measured amount
 * rather than adding per interval in quadrature.
 *
 * Two measures of its data, kept apart: coverage (the share of the period whose energy real
 * readings bound, interpolation over an interval longer than 1.5 cadences being an estimate)
 * and completeness (readings received ÷ expected at the point's cadence). `gap` means data is
 * missing: completeness below 100 % or time no reading bounds.
 *
 * The result depends only on `readingsBounding(readings, period)`, so a caller may pass
 * just those.
 */
export function pointConsumption(
  point: MeteringPoint,
  readings: readonly RegisterReading[],
  period: TimeRange,
  timeZone: string,
  options: ConsumptionOptions = {},
): PointConsumption {
  const series = registerIntervals(point, readings);
  const cadence = cadenceOf(point);
  const alloc = allocateToPeriod(series.intervals, period, { ...options, maxInterpolationGapMs: interpolationLimitMs(cadence) });
  const flags = new Set(alloc.flags);
  const counts = readingCounts(series.instants, period, cadence, timeZone);
  if (completenessPercent(counts) < 100) flags.add('gap');
  let rollovers = 0;
  // Calibration validity is judged on the local date of each reading that bounds a used interval.
  const used = new Set<number>();
  for (const iv of series.intervals) {
    if (iv.end > period.start && iv.start < period.end) {
      used.add(iv.start);
      used.add(iv.end);
      if (iv.status === 'rollover') rollovers++;
    }
  }
  // Only a conflict the figure rests on: intervals join consecutive distinct instants, so a
  // conflicting instant can bound a used interval but never lie inside one.
  if (series.conflictingInstants.some((at) => used.has(at))) flags.add('conflicting-duplicate');
  const valid = calibrationWindow(point.calibration.validFrom, point.calibration.validUntil, timeZone);
  let outside = 0;
  for (const at of used) if (at < valid.start || at >= valid.end) outside++;
  if (outside > 0) flags.add('calibration-invalid');
  const rel = relativeUncertaintyFromAccuracyClass(point.accuracyClass);
  const u = combineSum([rel * alloc.measured, estimateStandardUncertainty(alloc.estimated)]);
  return {
    term: {
      value: alloc.measured + alloc.estimated,
      u,
      coverage: alloc.coverage,
      flags,
      estimated: alloc.estimated,
      suspectIntervals: alloc.suspects.length,
      readingsOutsideCalibration: outside,
      readingsReceived: counts.received,
      readingsExpected: counts.expected,
      rollovers,
    },
    suspects: alloc.suspects,
    readingsUsed: used.size,
  };
}

const calibrationWindows = new Map<string, { start: number; end: number }>();

/**
 * A calibration's validity as instants: from local midnight of its first day to local
 * midnight after its last. Remembered per zone and dates, because the same few dates are
 * checked for every point and period (converting each reading's instant to a local date
 * instead was most of the aggregator's compute time).
 */
function calibrationWindow(validFrom: string, validUntil: string, timeZone: string): { start: number; end: number } {
  const key = `${timeZone}|${validFrom}|${validUntil}`;
  let window = calibrationWindows.get(key);
  if (!window) {
    window = { start: calendarPeriod(validFrom, timeZone).start, end: calendarPeriod(validUntil, timeZone).end };
    calibrationWindows.set(key, window);
  }
  return window;
}
