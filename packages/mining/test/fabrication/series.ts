import type { MeteredIncrement, MeteringPointSeries } from '../../src/index.ts';

/** Hand-built series for the worked examples: hourly increments from a given UTC day on. */
export const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const utcDay = (date: string) => Date.parse(`${date}T00:00:00Z`);

/** Hourly increments over consecutive days, `hourly(day, hour)` each, U = `relativeU` × value. */
export function hourlyIncrements(firstDay: string, days: number, hourly: (day: number, hour: number) => number, relativeU: number): MeteredIncrement[] {
  const out: MeteredIncrement[] = [];
  for (let d = 0; d < days; d++) {
    for (let h = 0; h < 24; h++) {
      const start = utcDay(firstDay) + d * DAY + h * HOUR;
      const value = hourly(d, h);
      out.push({ start, end: start + HOUR, value, expandedUncertainty: relativeU * value });
    }
  }
  return out;
}

export function point(pointId: string, increments: MeteredIncrement[], extra: Partial<MeteringPointSeries> = {}): MeteringPointSeries {
  return { pointId, increments, readingTimes: increments.map((x) => x.end), cadenceMs: HOUR, ...extra };
}
