import type { BusMessage, BusProducer } from '@meterline/bus';
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

interface Waiter {
  records: OutgoingRecord[];
  resolve: () => void;
  reject: (error: Error) => void;
}

class PublisherClosedError extends Error {
  override readonly name = 'PublisherClosedError';
  readonly code = 'MTL_INGEST_PUBLISHER_CLOSED';
}

/**
 * Gathers records from the concurrent MQTT connections into one Kafka request, and
 * resolves each caller only when its records are acknowledged. A Kafka outage holds
 * callers (and so their MQTT acknowledgements) instead of failing them: back-pressure,
 * not loss.
 */
export class BatchingPublisher {
  private waiting: Waiter[] = [];
  private waitingRecords = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private readonly closing = new AbortController();

  constructor(
    private readonly producer: BusProducer,
    private readonly options: BatchingPublisherOptions,
  ) {}

  publish(records: OutgoingRecord[]): Promise<void> {
    if (this.closing.signal.aborted) return Promise.reject(new PublisherClosedError('publisher is closing'));
    if (records.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ records, resolve, reject });
      this.waitingRecords += records.length;
      if (this.waitingRecords >= this.options.maxBatchRecords) this.flushSoon(0);
      else this.flushSoon(this.options.lingerMs);
    });
  }

  /**
   * Sends what is waiting for up to `closeGraceMs`, then gives up: callers still waiting
   * are rejected, so their MQTT messages stay unacknowledged and come again.
   */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const drained = (this.inFlight = this.inFlight.then(() => this.sendWaiting()));
    let graceTimer: NodeJS.Timeout | undefined;
    await Promise.race([drained, new Promise((resolve) => (graceTimer = setTimeout(resolve, this.options.closeGraceMs)))]);
    clearTimeout(graceTimer);
    this.closing.abort();
    await this.inFlight;
    for (const waiter of this.waiting.splice(0)) waiter.reject(new PublisherClosedError('publisher closed'));
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
    const byTopic = new Map<string, BusMessage[]>();
    for (const { records } of batch) {
      for (const { topic, message } of records) {
        const list = byTopic.get(topic) ?? [];
        list.push(message);
        byTopic.set(topic, list);
      }
    }
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      try {
        await Promise.all([...byTopic].map(([topic, messages]) => this.producer.send(topic, messages)));
        const count = [...byTopic.values()].reduce((n, m) => n + m.length, 0);
        this.options.onBatchSent?.(count, (performance.now() - started) / 1000);
        for (const waiter of batch) waiter.resolve();
        return;
      } catch (error) {
        this.options.onSendFailure(error, attempt);
        if (this.closing.signal.aborted) {
          // Never acknowledged: the broker keeps these MQTT messages and delivers them again.
          for (const waiter of batch) waiter.reject(new PublisherClosedError('publisher closed before Kafka acknowledged', { cause: error }));
          return;
        }
        await sleep(backoffDelay(attempt, 100, 5_000), this.closing.signal);
      }
    }
  }
}
