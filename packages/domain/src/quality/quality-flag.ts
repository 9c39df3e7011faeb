/**
 * Quality flags a figure can carry. A flag says something a reader of the figure must
 * know; none of them silently changes a number.
 */
export const QUALITY_FLAGS = [
  /** A register wrapped past registerMax inside an interval; the delta includes the wrap. */
  'rollover',
  /** A meter was replaced inside an interval; the delta joins old and new registers. */
  'replacement',
  /** A register fell with neither rollover nor replacement: the interval is not booked. */
  'suspect-drop',
  /** A delta beyond what the point's physical capacity allows over its time: not booked. */
  'suspect-over-capacity',
  /** Part of the period has no measured consumption (missing or suspect data). */
  'gap',
  /** Part of the figure is an estimate (interpolation over a long gap, or gap filling). */
  'estimated',
  /** Some readings were taken outside the meter's calibration validity. */
  'calibration-invalid',
  /** Two readings of one point at one instant disagree. */
  'conflicting-duplicate',
  /** A factor without a known uncertainty entered the figure: its uncertainty is understated. */
  'factor-uncertainty-unknown',
  /** A figure could not be computed (e.g. no factor); see the issue list. */
  'incomplete',
  /**
   * Part of the figure rests on manual entries (deliveries, stock, production, output value
   * entered by hand with a document reference), not on metered readings.
   */
  'manual',
  /** A manual entry without a declared error entered the figure: its uncertainty is understated. */
  'manual-uncertainty-unknown',
] as const;

export type QualityFlag = (typeof QUALITY_FLAGS)[number];

/** Flags in their canonical order, so output does not depend on the order they were raised. */
export function sortFlags(flags: Iterable<QualityFlag>): QualityFlag[] {
  const set = new Set(flags);
  return QUALITY_FLAGS.filter((f) => set.has(f));
}
