import type { AggregationJobV1 } from '@meterline/contracts';
import type { Enterprise, PeriodKind } from '@meterline/domain';

/**
 * The aggregator's schedules. Every instance runs them and publishes the same jobs (same
 * ids); the jobs topic hands each enterprise to one instance, which skips an id it has done.
 *
 * - `recent`: a minute after each quarter-hour (readings of the quarter have arrived),
 *   quarter-hours and hours over a short look-back. Zone offsets are whole quarter-hours,
 *   so one UTC schedule fits every enterprise.
 * - `daily:<zone>`: after local midnight in each enterprise time zone, every period kind
 *   over a longer look-back: late data of the last days restates quarter-hours to months.
 */
export interface ScheduleSpec {
  name: string;
  expression: string;
  timeZone: string;
  kinds: PeriodKind[];
  lookbackMs: number;
  /** The enterprises this schedule makes jobs for. */
  appliesTo(enterprise: Enterprise): boolean;
}

export interface Lookbacks {
  recentMs: number;
  dailyMs: number;
}

export function scheduleSpecs(enterprises: readonly Enterprise[], lookback: Lookbacks): ScheduleSpec[] {
  const zones = [...new Set(enterprises.map((e) => e.timeZone))].sort();
  return [
    { name: 'recent', expression: '1,16,31,46 * * * *', timeZone: 'UTC', kinds: ['quarter-hour', 'hour'], lookbackMs: lookback.recentMs, appliesTo: () => true },
    ...zones.map((timeZone) => ({
      name: `daily:${timeZone}`,
      expression: '20 0 * * *',
      timeZone,
      kinds: ['quarter-hour', 'hour', 'day', 'month'] as PeriodKind[],
      lookbackMs: lookback.dailyMs,
      appliesTo: (e: Enterprise) => e.timeZone === timeZone,
    })),
  ];
}

/** The jobs one firing of a schedule asks for; ids depend only on the schedule, enterprise and minute. */
export function scheduledJobs(spec: ScheduleSpec, enterprises: readonly Enterprise[], firedAt: Date): AggregationJobV1[] {
  const minute = Math.floor(firedAt.getTime() / 60_000) * 60_000;
  const slot = new Date(minute).toISOString();
  return enterprises.filter((e) => spec.appliesTo(e)).map((e) => ({
    v: 1,
    jobId: `${spec.name}:${e.id}:${slot}`,
    enterpriseId: e.id,
    kinds: spec.kinds,
    fromMs: minute - spec.lookbackMs,
    toMs: minute,
    origin: 'schedule',
    requestedAt: firedAt.toISOString(),
  }));
}
