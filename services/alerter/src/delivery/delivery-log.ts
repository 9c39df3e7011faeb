import type { AlertRule, AlertStatus } from '@meterline/contracts';

/** delivered: the receiver took it; retrying: it failed and another attempt follows; dead: given up (dead-lettered). */
export type DeliveryOutcome = 'delivered' | 'retrying' | 'dead';

/** One attempt to deliver a notification (attempt 0: given up before any request, e.g. unknown subscription). */
export interface DeliveryAttempt {
  enterpriseId: string;
  subscriptionId: string;
  notificationId: string;
  rule: AlertRule;
  /** The notification's status (firing or resolved). */
  status: AlertStatus;
  attempt: number;
  outcome: DeliveryOutcome;
  /** When the attempt was made (epoch ms). */
  atMs: number;
  httpStatus?: number;
  /** Why it failed: the receiver's status and excerpt, the transport error, or why it was given up. */
  error?: string;
  durationMs: number;
  /** Alerts in the notification. */
  alerts: number;
}

/**
 * Where every attempt is recorded, for the API's delivery history. `record` must not block
 * or fail a delivery: implementations buffer and write on their own, reporting their failures
 * themselves. `flush` writes what is buffered (at shutdown, in tests); it does not reject.
 */
export interface DeliveryLog {
  record(attempt: DeliveryAttempt): void;
  flush(): Promise<void>;
}
