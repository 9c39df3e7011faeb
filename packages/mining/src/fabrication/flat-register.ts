import { consecutiveRuns, dailyTotals, dayFrame, type DailyTotal, type DayFrame } from './day-frame.ts';
import { median, round } from './statistics.ts';
import type { FabricationInputs, FindingOf, MeteringPointSeries } from './types.ts';

export interface FlatRegisterOptions {
  /**
   * A day counts as flat when the point drew at most this share of its usual day. A stopped
   * register reads 0; 1 % leaves room for the register's last digit without mistaking a
   * light day (a weekend draws about half) for a flat one.
   */
  flatShareOfUsual: number;
  /** Consecutive flat days needed: one day could be a single idle day, two is a stuck register. */
  minFlatDays: number;
  /**
   * The energy must have kept flowing: the parent's unmetered remainder (parent − Σ sub-meters)
   * rose over the flat days by at least this share of what the point usually draws. A machine
   * really switched off takes its load off the parent too, so the remainder stays put.
   */
  minRiseShareOfUsual: number;
}

const FLAT_REGISTER_DEFAULTS: FlatRegisterOptions = { flatShareOfUsual: 0.01, minFlatDays: 2, minRiseShareOfUsual: 0.5 };

/** A sub-meter whose register stays flat while its parent keeps moving and the energy it used to meter shows up unmetered. */
export function detectFlatRegister(inputs: FabricationInputs, options: Partial<FlatRegisterOptions> = {}): FindingOf<'flat-register'>[] {
  const o = { ...FLAT_REGISTER_DEFAULTS, ...options };
  const frame = dayFrame(inputs);
  const totals = new Map(inputs.points.map((p) => [p.pointId, dailyTotals(frame, p.increments)] as const));
  const findings: FindingOf<'flat-register'>[] = [];
  for (const point of inputs.points) {
    const parentTotals = point.parentId === undefined ? undefined : totals.get(point.parentId);
    if (point.parentId === undefined || parentTotals === undefined) continue;
    const siblings = inputs.points.filter((p) => p.parentId === point.parentId);
    const remainder = unmeteredRemainder(parentTotals, siblings.map((s) => totals.get(s.pointId)!));
    const finding = flatRunOf(point, point.parentId, frame, totals.get(point.pointId)!, parentTotals, remainder, o);
    if (finding) findings.push(finding);
  }
  return findings;
}

function unmeteredRemainder(parent: readonly DailyTotal[], children: ReadonlyArray<readonly DailyTotal[]>): number[] {
  return parent.map((p, d) => p.value - children.reduce((s, c) => s + c[d]!.value, 0));
}

function flatRunOf(
  point: MeteringPointSeries,
  parentId: string,
  frame: DayFrame,
  own: readonly DailyTotal[],
  parent: readonly DailyTotal[],
  remainder: readonly number[],
  o: FlatRegisterOptions,
): FindingOf<'flat-register'> | undefined {
  const history = frame.days.slice(0, frame.firstMonthDay).map((day, i) => ({ day, i })).filter(({ i }) => own[i]!.intervals > 0);
  const usual = (weekend: boolean) => median(history.filter(({ day }) => day.weekend === weekend).map(({ i }) => own[i]!.value));
  const usualRemainder = (weekend: boolean) => median(history.filter(({ day }) => day.weekend === weekend).map(({ i }) => remainder[i]!));
  const flat: number[] = [];
  for (let i = frame.firstMonthDay; i < frame.days.length; i++) {
    const day = frame.days[i]!;
    const u = usual(day.weekend);
    // A parent that moved less than its own U did not measurably move.
    if (own[i]!.intervals > 0 && u > 0 && own[i]!.value <= o.flatShareOfUsual * u && parent[i]!.value > parent[i]!.expandedUncertainty) flat.push(i);
  }
  for (const run of consecutiveRuns(flat, o.minFlatDays)) {
    const usualOverRun = run.reduce((s, i) => s + usual(frame.days[i]!.weekend), 0);
    const rise = run.reduce((s, i) => s + remainder[i]! - usualRemainder(frame.days[i]!.weekend), 0);
    if (!(rise >= o.minRiseShareOfUsual * usualOverRun)) continue;
    const parentMoved = run.reduce((s, i) => s + parent[i]!.value, 0);
    const flatDays = run.map((i) => frame.days[i]!.date);
    return {
      detector: 'flat-register',
      pointId: point.pointId,
      month: frame.month,
      evidence: { parentId, flatDays, usualDaily: round(usualOverRun / run.length), parentMoved: round(parentMoved), unmeteredRise: round(rise) },
      summary:
        `${point.pointId} did not move for ${run.length} days (${flatDays[0]} to ${flatDays[flatDays.length - 1]}) while its parent ${parentId} ` +
        `recorded ${round(parentMoved, 1)} and the unmetered remainder rose by ${round(rise, 1)}, against the ${round(usualOverRun, 1)} this point usually draws in those days: the load kept running unmetered.`,
    };
  }
  return undefined;
}
