import { byDay, consecutiveRuns, dayFrame } from './day-frame.ts';
import { mean, median, round } from './statistics.ts';
import type { FabricationInputs, FindingOf } from './types.ts';

export interface JitterVanishedOptions {
  /** A day has lost its jitter when its jitter is below this share of the device's usual. */
  maxShareOfUsualJitter: number;
  /**
   * A device whose usual jitter is below this (ms) already stamps as regularly as whole-second
   * timestamps allow: there is no jitter to lose, so it is not judged.
   */
  minUsualJitterMs: number;
  /** Consecutive jitter-free days needed. */
  minDays: number;
}

const JITTER_VANISHED_DEFAULTS: JitterVanishedOptions = { maxShareOfUsualJitter: 0.1, minUsualJitterMs: 100, minDays: 2 };

/**
 * A day's jitter: mean |interval between successive readings − cadence|. Intervals longer
 * than 1.5 cadences are a missed reading, not jitter, and are left out (the domain's late-reading tolerance).
 */
function dailyJitterMs(times: readonly number[], cadenceMs: number): number {
  const deviations: number[] = [];
  for (let i = 1; i < times.length; i++) {
    const interval = times[i]! - times[i - 1]!;
    if (interval > 0 && interval <= 1.5 * cadenceMs) deviations.push(Math.abs(interval - cadenceMs));
  }
  return deviations.length < 2 ? NaN : mean(deviations);
}

/** Reading timestamps with none of the jitter the device otherwise shows: readings stamped by a program, not a meter's clock. */
export function detectJitterVanished(inputs: FabricationInputs, options: Partial<JitterVanishedOptions> = {}): FindingOf<'jitter-vanished'>[] {
  const o = { ...JITTER_VANISHED_DEFAULTS, ...options };
  const frame = dayFrame(inputs);
  const findings: FindingOf<'jitter-vanished'>[] = [];
  for (const point of inputs.points) {
    const jitter = byDay(frame, point.readingTimes, (t) => t).map((times) => dailyJitterMs(times, point.cadenceMs));
    const usual = median(jitter.slice(0, frame.firstMonthDay).filter((j) => Number.isFinite(j)));
    if (!(usual >= o.minUsualJitterMs)) continue;
    const still: number[] = [];
    for (let i = frame.firstMonthDay; i < frame.days.length; i++) if (jitter[i]! < o.maxShareOfUsualJitter * usual) still.push(i);
    const run = consecutiveRuns(still, o.minDays).flat();
    if (run.length === 0) continue;
    const after = median(run.map((i) => jitter[i]!));
    const dates = run.map((i) => frame.days[i]!.date);
    findings.push({
      detector: 'jitter-vanished',
      pointId: point.pointId,
      month: frame.month,
      evidence: { days: dates, jitterBeforeMs: round(usual, 1), jitterAfterMs: round(after, 1) },
      summary:
        `From ${dates[0]}, ${dates.length} days of ${point.pointId}'s readings arrive exactly on the interval (timing scatter ${round(after, 1)} ms), ` +
        `where its device usually scatters by ${round(usual, 1)} ms: the timestamps look written by a program, not a meter's clock.`,
    });
  }
  return findings;
}
