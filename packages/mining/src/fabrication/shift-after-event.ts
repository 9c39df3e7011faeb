import { dailyTotals, dayFrame, dayIndexOf, type DailyTotal, type DayFrame } from './day-frame.ts';
import { mean, median, round, variance } from './statistics.ts';
import type { FabricationInputs, FindingOf, MeteringPointSeries, ShiftAfterEventEvidence } from './types.ts';

export interface ShiftAfterEventOptions {
  /** Days compared on each side of the event: two weeks hold both kinds of day twice. */
  windowDays: number;
  /**
   * Whole days needed after the event before it is judged. The event is judged in the month
   * holding its `minDaysAfter`-th day, so each event is judged once, when enough data exists.
   */
  minDaysAfter: number;
  minDaysBefore: number;
  /**
   * The shift must exceed this many standard errors of the day-to-day scatter. Four keeps a
   * fleet of hundreds of points with an event each from crying wolf (a normal tail beyond 4σ is 6 in 100 000).
   */
  minStandardErrors: number;
  /**
   * …and this many of the meter's relative U: an old and a new meter may each err by up to U
   * in opposite directions, so an honest exchange can shift the level by up to 2 U.
   */
  minShiftInU: number;
  /** A day below this share of the usual level is an idle day, left out of both windows. */
  idleShareOfUsual: number;
}

const SHIFT_AFTER_EVENT_DEFAULTS: ShiftAfterEventOptions = { windowDays: 14, minDaysAfter: 5, minDaysBefore: 7, minStandardErrors: 4, minShiftInU: 2, idleShareOfUsual: 0.2 };

interface MeterEvent {
  kind: ShiftAfterEventEvidence['event'];
  at: number;
}

/**
 * A level that changes right after the calibration expires or the meter is replaced: the
 * moment a meter stops being checked, or a new one is set up, is the moment to change its factor.
 * A sub-meter's level is its share of its parent, which cancels what the whole site does
 * (production, weather); a point without a parent is measured against its usual day of the same kind.
 */
export function detectShiftAfterEvent(inputs: FabricationInputs, options: Partial<ShiftAfterEventOptions> = {}): FindingOf<'shift-after-event'>[] {
  const o = { ...SHIFT_AFTER_EVENT_DEFAULTS, ...options };
  const frame = dayFrame(inputs);
  const byId = new Map(inputs.points.map((p) => [p.pointId, p] as const));
  const findings: FindingOf<'shift-after-event'>[] = [];
  for (const point of inputs.points) {
    const events: MeterEvent[] = [
      ...(point.calibrationExpiresAt === undefined ? [] : [{ kind: 'calibration-expired' as const, at: point.calibrationExpiresAt }]),
      ...(point.replacedAt ?? []).map((at) => ({ kind: 'meter-replaced' as const, at })),
    ];
    if (events.length === 0) continue;
    const own = dailyTotals(frame, point.increments);
    const parent = point.parentId === undefined ? undefined : byId.get(point.parentId);
    const parentDays = parent && dailyTotals(frame, parent.increments);
    for (const event of events) {
      const finding = judgeEvent(point, event, frame, own, parentDays, o);
      if (finding) findings.push(finding);
    }
  }
  return findings;
}

function judgeEvent(
  point: MeteringPointSeries,
  event: MeterEvent,
  frame: DayFrame,
  own: readonly DailyTotal[],
  parent: readonly DailyTotal[] | undefined,
  o: ShiftAfterEventOptions,
): FindingOf<'shift-after-event'> | undefined {
  const e = dayIndexOf(frame, event.at);
  // The event's own day is mixed; it is judged in the month holding its minDaysAfter-th day.
  if (e < 0 || !frame.days[e + o.minDaysAfter]?.inMonth) return undefined;
  const hasData = (i: number) => own[i]!.intervals > 0 && (!parent || parent[i]!.value > 0);
  const level = levelMeasure(frame, own, parent, range(Math.max(0, e - o.windowDays), e).filter(hasData));
  // A day the machine stood idle says nothing about the meter's level (and a stuck register is the flat-register detector's).
  const working = (i: number) => hasData(i) && level.of(i) > o.idleShareOfUsual;
  const beforeDays = range(Math.max(0, e - o.windowDays), e).filter(working);
  const afterDays = range(e + 1, Math.min(frame.days.length, e + 1 + o.windowDays)).filter(working);
  if (beforeDays.length < o.minDaysBefore || afterDays.length < o.minDaysAfter) return undefined;
  const before = beforeDays.map(level.of);
  const after = afterDays.map(level.of);
  const levelBefore = mean(before);
  const levelAfter = mean(after);
  const relativeShift = levelAfter / levelBefore - 1;
  const standardError = Math.sqrt(variance(before) / before.length + variance(after) / after.length) / levelBefore;
  const relativeU = beforeDays.reduce((s, i) => s + own[i]!.expandedUncertainty, 0) / beforeDays.reduce((s, i) => s + own[i]!.value, 0);
  if (!(Math.abs(relativeShift) > o.minStandardErrors * standardError && Math.abs(relativeShift) > o.minShiftInU * relativeU)) return undefined;
  // A share of the parent also moves when the parent's meter changes: the point's own reading
  // must have moved the same way, by at least half as much, for the change to be its own.
  const ownLevel = levelMeasure(frame, own, undefined, beforeDays);
  const ownRelativeShift = mean(afterDays.map(ownLevel.of)) / mean(beforeDays.map(ownLevel.of)) - 1;
  if (!(Math.sign(ownRelativeShift) === Math.sign(relativeShift) && Math.abs(ownRelativeShift) >= 0.5 * Math.abs(relativeShift))) return undefined;
  const eventDate = frame.days[e]!.date;
  const what = event.kind === 'calibration-expired' ? 'its calibration expired' : 'the meter was replaced';
  return {
    detector: 'shift-after-event',
    pointId: point.pointId,
    month: frame.month,
    evidence: {
      event: event.kind, eventDate, measure: level.measure,
      levelBefore: round(levelBefore, 4), levelAfter: round(levelAfter, 4), relativeShift: round(relativeShift, 4),
      standardError: round(standardError, 4), relativeU: round(relativeU, 4), ownRelativeShift: round(ownRelativeShift, 4), daysBefore: before.length, daysAfter: after.length,
    },
    summary:
      `${point.pointId} reads ${round(Math.abs(relativeShift) * 100, 1)} % ${relativeShift > 0 ? 'higher' : 'lower'} ` +
      `${level.measure === 'share-of-parent' ? 'as a share of its parent ' : ''}since ${what} on ${eventDate}, ` +
      `${round(Math.abs(relativeShift) / standardError, 1)} times the day-to-day scatter and ${round(Math.abs(relativeShift) / relativeU, 1)} times the meter's U.`,
  };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);
}

/**
 * Each day's level divided by the median of the same kind of day (working day or weekend)
 * before the event, so the weekly rhythm does not count as scatter: a continuous load's share
 * of a day-shift site rises every weekend.
 */
function levelMeasure(frame: DayFrame, own: readonly DailyTotal[], parent: readonly DailyTotal[] | undefined, beforeDays: readonly number[]) {
  const raw = (i: number) => (parent ? own[i]!.value / parent[i]!.value : own[i]!.value);
  const usual = (weekend: boolean) => median(beforeDays.filter((i) => frame.days[i]!.weekend === weekend).map(raw));
  const usualWorking = usual(false);
  const usualWeekend = usual(true);
  return {
    measure: parent ? ('share-of-parent' as const) : ('relative-to-usual-day' as const),
    of: (i: number) => raw(i) / (frame.days[i]!.weekend ? usualWeekend : usualWorking),
  };
}
