/**
 * The inputs the fabrication detectors read, as plain data: the API loads them from the
 * stored series (increments, reading timestamps) and the registry (parents, calibration,
 * replacements). Every instant is epoch ms; every day is a local calendar day.
 */

/** One metered increment: the energy between two readings of the point. */
export interface MeteredIncrement {
  /** Interval start and end (epoch ms); a quarter-hour or an hour. */
  start: number;
  end: number;
  /** Energy in the interval, in the point's unit (kWh for electricity). */
  value: number;
  /** Its expanded uncertainty U (k = 2), in the same unit. */
  expandedUncertainty: number;
}

/** One metering point's data over the month and the history days before it. */
export interface MeteringPointSeries {
  pointId: string;
  /** The point this one is a sub-meter of in the energy balance (registry `topology.parent`). */
  parentId?: string;
  /** Increments in time order, from the first history day to the month's end. */
  increments: readonly MeteredIncrement[];
  /** The instants the device stamped on its readings, in order, over the same span. */
  readingTimes: readonly number[];
  /** The reading cadence in ms (900 000 for PT15M). */
  cadenceMs: number;
  /** The instant the calibration certificate stopped being valid (the end of `validUntil`'s day). */
  calibrationExpiresAt?: number;
  /** Instants the meter was replaced (registry `replacements[].at`). */
  replacedAt?: readonly number[];
}

export interface FabricationInputs {
  /** The month judged, YYYY-MM in `timeZone`. */
  month: string;
  /** The enterprise's IANA time zone: days and months are local. */
  timeZone: string;
  /** How many local days before the month the series reach back: each point's own history. */
  historyDays: number;
  points: readonly MeteringPointSeries[];
}

export const FABRICATION_DETECTORS = [
  'flat-register',
  'children-exceed-parent',
  'too-regular',
  'copied-day',
  'jitter-vanished',
  'shift-after-event',
] as const;
export type FabricationDetector = (typeof FABRICATION_DETECTORS)[number];

interface FlatRegisterEvidence {
  parentId: string;
  /** The local days the register did not move. */
  flatDays: string[];
  /** What the point drew on a usual day of the same kind (working day or weekend), median of its history. */
  usualDaily: number;
  /** What the parent recorded on the flat days. */
  parentMoved: number;
  /** How much the parent's unmetered remainder (parent − Σ sub-meters) rose over the flat days against its history. */
  unmeteredRise: number;
}

export interface ChildrenExceedParentEvidence {
  childIds: string[];
  /** Each day Σ children exceeded the parent beyond the combined U. */
  days: Array<{ date: string; parent: number; childrenSum: number; excess: number; combinedU: number }>;
  totalExcess: number;
}

interface TooRegularEvidence {
  /** The local days whose increments barely changed. */
  days: string[];
  /** Median |Δ| of successive increments ÷ median increment, on the flagged days (median of the days). */
  daySpread: number;
  /** The same measure on the point's history days (median of the days). */
  historySpread: number;
  /** The longest run of identical successive increments on the flagged days. */
  longestIdenticalRun: number;
}

export interface CopiedDayEvidence {
  copies: Array<{
    date: string;
    sourceDate: string;
    /** RMS of the interval-by-interval difference between the day and its source. */
    rmsDifference: number;
    /** The RMS difference two honest days of this point show (its own noise, scaled to the day). */
    expectedRmsDifference: number;
  }>;
}

interface JitterVanishedEvidence {
  /** The local days with no jitter. */
  days: string[];
  /** Mean |reading interval − cadence| in ms: the device's usual jitter (median of history days). */
  jitterBeforeMs: number;
  /** The same on the flagged days (median of the days). */
  jitterAfterMs: number;
}

export interface ShiftAfterEventEvidence {
  event: 'calibration-expired' | 'meter-replaced';
  eventDate: string;
  /** What the level is measured as: the point's share of its parent, or its consumption; each day against the usual day of its kind before the event (1 = usual). */
  measure: 'share-of-parent' | 'relative-to-usual-day';
  levelBefore: number;
  levelAfter: number;
  /** levelAfter ÷ levelBefore − 1. */
  relativeShift: number;
  /** The shift's standard error from the days' scatter, relative. */
  standardError: number;
  /** The meter's relative U: a shift within 2 U is what an honest meter change may show. */
  relativeU: number;
  /** The shift of the point's own consumption against its usual day: with a parent, it must agree with the share's, or the parent moved. */
  ownRelativeShift: number;
  daysBefore: number;
  daysAfter: number;
}

interface EvidenceByDetector {
  'flat-register': FlatRegisterEvidence;
  'children-exceed-parent': ChildrenExceedParentEvidence;
  'too-regular': TooRegularEvidence;
  'copied-day': CopiedDayEvidence;
  'jitter-vanished': JitterVanishedEvidence;
  'shift-after-event': ShiftAfterEventEvidence;
}

/** A finding: which detector, on which point and month, the numbers that show it, and one plain sentence. */
export type FabricationFinding = {
  [D in FabricationDetector]: { detector: D; pointId: string; month: string; evidence: EvidenceByDetector[D]; summary: string };
}[FabricationDetector];

export type FindingOf<D extends FabricationDetector> = Extract<FabricationFinding, { detector: D }>;
