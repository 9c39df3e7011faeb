import type { AlertRule, AlertSeverity } from '@meterline/contracts';

/**
 * What a rule found about one subject at one instant of the data. A condition that holds
 * opens an alert (or keeps it open); one that does not closes it. Conditions are judged in
 * the order of `asOfMs`: an older finding never overrides a newer one.
 */
export interface Condition {
  rule: AlertRule;
  subject: Record<string, string>;
  holds: boolean;
  /** When the condition began: the alert's start when it opens. */
  sinceMs: number;
  /** The instant of the data the finding is about (a period's end, a tick). */
  asOfMs: number;
  summary: string;
  value?: number;
  threshold?: number;
  unit?: string;
  /**
   * The finding's own severity, for a rule whose severity follows what it found (a target at
   * risk or exceeded); absent, the rule's configured severity.
   */
  severity?: AlertSeverity;
}

/** The rules judged at ticks over the whole enterprise: an open alert of these not found again is closed. */
export const TICK_RULES: readonly AlertRule[] = ['meter-offline', 'calibration-expiring', 'calibration-expired', 'budget-overrun', 'device-sequence'];

export const iso = (ms: number) => new Date(ms).toISOString();
