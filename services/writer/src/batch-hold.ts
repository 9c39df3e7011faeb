import type { ConsumedBatch } from '@meterline/bus';
import { errorCatalogue } from '@meterline/errors';
import { backoffDelay, sleep } from '@meterline/service-kit';
import { StoreError } from '@meterline/store';

export const WRITER_ERRORS = errorCatalogue('@meterline/writer', {
  MTL_WRITER_BATCH_ABANDONED: { meaning: 'The writer gave up a batch it no longer owns (closing, or its partition moved) before InfluxDB took it: uncommitted, it is written by the next owner', retryable: true },
});

class BatchAbandonedError extends Error {
  override readonly name = 'BatchAbandonedError';
  readonly code = 'MTL_WRITER_BATCH_ABANDONED' satisfies (typeof WRITER_ERRORS.codes)[number];
  readonly canRetry = WRITER_ERRORS.canRetry(this.code);
}

export interface BatchHold {
  batch: ConsumedBatch;
  /** Aborted when the writer closes. */
  stopping: AbortSignal;
  retry: { baseMs: number; maxMs: number };
  /** Which failures are waited out; any other is thrown to the caller. */
  waitOut: (error: StoreError) => boolean;
  /** Told of each failure waited out, before the pause. */
  onWaiting: (error: StoreError, attempt: number) => void;
}

/**
 * Runs a store operation until it succeeds, holding the batch meanwhile: the consumer fetches
 * nothing more (memory stays bounded) and heartbeats keep the partition. Gives up, uncommitted,
 * only when the batch is no longer this writer's.
 */
export async function untilStored<T>(operation: () => Promise<T>, hold: BatchHold): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const storeError = error instanceof StoreError ? error : new StoreError('MTL_STORE_UNAVAILABLE', String(error), { cause: error });
      if (!hold.waitOut(storeError)) throw storeError;
      hold.onWaiting(storeError, attempt);
      if (hold.stopping.aborted || !hold.batch.isActive()) throw new BatchAbandonedError('stopping while the store is unavailable', { cause: storeError });
      await sleep(backoffDelay(attempt, hold.retry.baseMs, hold.retry.maxMs), hold.stopping);
      await hold.batch.heartbeat();
    }
  }
}
