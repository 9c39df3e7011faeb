import type { DeliveryAttempt } from '@meterline/series';

/**
 * Where every attempt is recorded, for the API's delivery history. `record` must not block
 * or fail a delivery: implementations buffer and write on their own, reporting their failures
 * themselves. `flush` writes what is buffered (at shutdown, in tests); it does not reject.
 */
export interface DeliveryLog {
  record(attempt: DeliveryAttempt): void;
  flush(): Promise<void>;
}
