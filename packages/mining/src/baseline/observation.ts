/** One period (a day or an hour) of a baseline or reporting period. */
export interface Observation {
  startMs: number;
  /** Energy of the period, in the unit of the baseline. */
  energy: number;
  /** Expanded uncertainty (k = 2) of `energy`, same unit; 0 when unknown. */
  energyU: number;
  /** Named variables of the period: production, workingDay (0/1), hdd, cdd, … */
  vars: Readonly<Record<string, number>>;
}
