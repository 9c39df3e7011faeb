import type { ConsumedBatch } from '@meterline/bus';
import { DeliveryAbandonedError } from './delivery-errors.ts';

/**
 * Real time: a timer that an abort ends early. The listener goes when the timer does, so
 * the many short waits of a long backoff leave none behind on a long-lived signal.
 */
export const systemClock: Clock = {
  now: Date.now,
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    }),
};

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or as soon as `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** Throws when the batch is no longer ours or work on it is to stop. */
export function ensureHeld(batch: ConsumedBatch, stop: AbortSignal): void {
  if (stop.aborted) throw new DeliveryAbandonedError('stopped while delivering (closing, or another notification of the batch failed)');
  if (!batch.isActive()) throw new DeliveryAbandonedError('the batch is no longer active (partition revoked or consumer stopping)');
}

/**
 * Waits `ms` while keeping the batch: heartbeats every `heartbeatEveryMs` so the group does
 * not give the partition away, and gives up (throws) promptly once the batch is no longer
 * active or `stop` aborts.
 */
export async function holdBatchFor(ms: number, batch: ConsumedBatch, stop: AbortSignal, clock: Clock, heartbeatEveryMs: number): Promise<void> {
  const until = clock.now() + ms;
  for (;;) {
    ensureHeld(batch, stop);
    const remaining = until - clock.now();
    if (remaining <= 0) return;
    await clock.sleep(Math.min(remaining, heartbeatEveryMs), stop);
    ensureHeld(batch, stop);
    await batch.heartbeat();
  }
}
