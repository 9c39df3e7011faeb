import type { PolledReading } from './payload.ts';

/** A value polled but not sent, and why: a float register holding NaN, a uint64 beyond 2^53, a meter that does not have an identifier. */
export interface SkippedValue {
  point: string;
  reason: 'not-finite' | 'not-exact' | 'meter-error';
  detail: string;
}

export interface PollResult {
  readings: PolledReading[];
  skipped: SkippedValue[];
}

/** One meter, read once per poll. A poll that gets nothing throws an EdgeError (MTL_EDGE_METER_…). */
export interface MeterPoller {
  readonly meterId: string;
  poll(tsMs: number): Promise<PollResult>;
  close(): Promise<void>;
}

/** Rejects with `onTimeout()` when `promise` takes longer than `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(onTimeout()), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
