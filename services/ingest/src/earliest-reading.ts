import { calendarPeriod, type MeteringPoint } from '@meterline/domain';

export interface PointStart {
  /** Local midnight starting that day, in the enterprise's time zone. */
  ms: number;
  date: string;
  since: 'commissioned' | 'calibrated';
}

// Keyed by the registry's own point objects: a reloaded registry brings new ones.
const cache = new WeakMap<MeteringPoint, PointStart>();

/**
 * The first instant a reading of the point can have been measured: the start of its
 * commissioning day, or of its calibration certificate's first day when the registry does
 * not say when it was commissioned.
 */
export function earliestReadingOf(point: MeteringPoint, timeZone: string): PointStart {
  let start = cache.get(point);
  if (!start) {
    const date = point.commissioned ?? point.calibration.validFrom;
    start = { ms: calendarPeriod(date, timeZone).start, date, since: point.commissioned === undefined ? 'calibrated' : 'commissioned' };
    cache.set(point, start);
  }
  return start;
}
