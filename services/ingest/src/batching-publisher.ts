import { isRecordTooLarge, type BusMessage, type BusProducer } from '@meterline/bus';
import { errorCatalogue } from '@meterline/errors';
import { backoffDelay, sleep } from '@meterline/service-kit';

export interface OutgoingRecord {
  topic: string;
  message: BusMessage;
}

export interface BatchingPublisherOptions {
  /** How long the first record of a batch waits for others (ms). */
  lingerMs: number;
  /** Send at once when this many records are waiting. */
  maxBatchRecords: number;
  /** On close, how long to keep trying to send what is waiting before giving it back unacknowledged. */
  closeGraceMs: number;
  /** Called once per failed attempt; sending is retried until it succeeds or the publisher closes. */
  onSendFailure: (error: unknown, attempt: number) => void;
  onBatchSent?: (records: number, seconds: number) => void;
}

/**
 * What to send instead of a record the bus refused as too large (a small dead letter of the
 * payload it came from); undefined when there is nothing to send instead.
 */
export type TooLargeReplacement = (record: OutgoingRecord, error: Error) => OutgoingRecord | undefined;

interface Waiter {
  records: OutgoingRecord[];
  replaceTooLarge: TooLargeReplacement | undefined;
  resolve: () => void;
  reject: (error: Error) => void;
}

export const INGEST_ERRORS = errorCatalogue('@meterline/ingest', {
  MTL_INGEST_PUBLISHER_CLOSED: { meaning: 'Ingest is closing: the message was not sent to Kafka and is not acknowledged, so the broker gives it to another ingest', retryable: true },
  MTL_INGEST_RECORD_TOO_LARGE: { meaning: 'Kafka refused a record as too large and nothing could be sent in its place: the message is not acknowledged', retryable: false },
});

type IngestErrorCode = (typeof INGEST_ERRORS.codes)[number];

class PublisherClosedError extends Error {
  override readonly name = 'PublisherClosedError';
  readonly code = 'MTL_INGEST_PUBLISHER_CLOSED' satisfies IngestErrorCode;
  readonly canRetry = INGEST_ERRORS.canRetry(this.code);
}

/** A record was refused as too large and nothing could be sent in its place. */
class RecordTooLargeError extends Error {
  override readonly name = 'RecordTooLargeError';
  readonly code = 'MTL_INGEST_RECORD_TOO_LARGE' satisfies IngestErrorCode;
  readonly canRetry = INGEST_ERRORS.canRetry(this.code);
}

/**
 * Gathers records from the concurrent MQTT connections into one Kafka request, and
 * resolves each caller only when its records are acknowledged. A Kafka outage holds
 * callers (and so their MQTT acknowledgements) instead of failing them: back-pressure,
 * not loss.
 */
export class BatchingPublisher {
  private waiting: Waiter[] = [];
  /** The callers of the send the bus holds now. */
  private sending: Waiter[] = [];
  private waitingRecords = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private readonly closing = new AbortController();
  private sendingSince: number | undefined;

  constructor(
    private readonly producer: BusProducer,
    private readonly options: BatchingPublisherOptions,
  ) {}

  /**
   * Resolves when the bus acknowledged every record, or, for a record it refused as too large,
   * the replacement `replaceTooLarge` gave: such a record is never sent again.
   */
  publish(records: OutgoingRecord[], replaceTooLarge?: TooLargeReplacement): Promise<void> {
    if (this.closing.signal.aborted) return Promise.reject(new PublisherClosedError('publisher is closing'));
    if (records.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ records, replaceTooLarge, resolve, reject });
      this.waitingRecords += records.length;
      if (this.waitingRecords >= this.options.maxBatchRecords) this.flushSoon(0);
      else this.flushSoon(this.options.lingerMs);
    });
  }

  /**
   * Since when (epoch ms) the send in hand has waited for the bus's acknowledgement, through
   * every retry; undefined when none is waiting. Health reads it: retries say nothing for long.
   */
  unacknowledgedSince(): number | undefined {
    return this.sendingSince;
  }

  /**
   * Sends what is waiting for up to `closeGraceMs`, then gives up: callers still waiting,
   * or waiting on a send the bus still holds, are rejected, so their MQTT messages stay
   * unacknowledged and come again. A held send is not waited for (on a link slow enough, it
   * outlasted any shutdown); should it land after all, its records are in Kafka twice, which
   * the writer's first-value guard takes as repeats.
   */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const drained = (this.inFlight = this.inFlight.then(() => this.sendWaiting()));
    let graceTimer: NodeJS.Timeout | undefined;
    await Promise.race([drained, new Promise((resolve) => (graceTimer = setTimeout(resolve, this.options.closeGraceMs)))]);
    clearTimeout(graceTimer);
    this.closing.abort();
    for (const waiter of [...this.sending.splice(0), ...this.waiting.splice(0)]) waiter.reject(new PublisherClosedError('publisher closed before Kafka acknowledged'));
  }

  private flushSoon(delayMs: number): void {
    if (this.timer && delayMs > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.inFlight = this.inFlight.then(() => this.sendWaiting());
    }, delayMs);
  }

  private async sendWaiting(): Promise<void> {
    const batch = this.waiting.splice(0);
    this.waitingRecords = 0;
    if (batch.length === 0) return;
    this.sendingSince = Date.now();
    this.sending = batch;
    try {
      const sent = await this.sendUntilAcknowledged(batch, () => this.send(batch.flatMap((w) => w.records)), 'return');
      if (sent === 'too-large') {
        // One record spoils the request for all: send each caller's records on their own, so
        // only the record at fault is replaced and every other caller goes on.
        for (const waiter of batch) await this.sendUntilAcknowledged([waiter], () => this.sendIsolating(waiter), 'reject');
      }
    } finally {
      this.sendingSince = undefined;
      this.sending = [];
    }
  }

  /**
   * Runs `attemptSend` until it succeeds (callers resolved), the bus refuses a record as too
   * large (with 'return': returned, callers still waiting; with 'reject': callers rejected, as
   * no retry can help), or the publisher closes (callers rejected, so their MQTT messages stay
   * unacknowledged and come again). Any other failure is retried with back-off.
   */
  private async sendUntilAcknowledged(
    waiters: Waiter[],
    attemptSend: () => Promise<number>,
    onTooLarge: 'return' | 'reject',
  ): Promise<'sent' | 'too-large' | 'failed'> {
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      try {
        const count = await attemptSend();
        this.options.onBatchSent?.(count, (performance.now() - started) / 1000);
        for (const waiter of waiters) waiter.resolve();
        return 'sent';
      } catch (error) {
        if (isRecordTooLarge(error) && onTooLarge === 'return') return 'too-large';
        if (error instanceof RecordTooLargeError || isRecordTooLarge(error)) {
          const failure = error instanceof RecordTooLargeError ? error : new RecordTooLargeError('the bus refused a record as too large', { cause: error });
          for (const waiter of waiters) waiter.reject(failure);
          return 'failed';
        }
        this.options.onSendFailure(error, attempt);
        if (this.closing.signal.aborted) {
          // Never acknowledged: the broker keeps these MQTT messages and delivers them again.
          for (const waiter of waiters) waiter.reject(new PublisherClosedError('publisher closed before Kafka acknowledged', { cause: error }));
          return 'failed';
        }
        await sleep(backoffDelay(attempt, 100, 5_000), this.closing.signal);
      }
    }
  }

  /** One caller's records: all at once, then one by one if the bus refuses one as too large, replacing that one. */
  private async sendIsolating(waiter: Waiter): Promise<number> {
    try {
      return await this.send(waiter.records);
    } catch (error) {
      if (!isRecordTooLarge(error)) throw error;
    }
    let count = 0;
    for (const record of waiter.records) {
      try {
        count += await this.send([record]);
      } catch (error) {
        if (!isRecordTooLarge(error)) throw error;
        const replacement = waiter.replaceTooLarge?.(record, error);
        if (!replacement) throw new RecordTooLargeError(`the bus refused a record of ${record.message.value.length} bytes for ${record.topic} as too large`, { cause: error });
        try {
          count += await this.send([replacement]);
        } catch (replacementError) {
          if (!isRecordTooLarge(replacementError)) throw replacementError;
          throw new RecordTooLargeError(`the bus refused even the replacement (${replacement.message.value.length} bytes) as too large`, { cause: replacementError });
        }
      }
    }
    return count;
  }

  /** Sends records grouped by topic; resolves with how many were acknowledged. */
  private async send(records: OutgoingRecord[]): Promise<number> {
    const byTopic = new Map<string, BusMessage[]>();
    for (const { topic, message } of records) {
      const list = byTopic.get(topic) ?? [];
      list.push(message);
      byTopic.set(topic, list);
    }
    await Promise.all([...byTopic].map(([topic, messages]) => this.producer.send(topic, messages)));
    return records.length;
  }
}
