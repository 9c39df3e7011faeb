import type { MessageHandler, MessageSource } from '@meterline/mqtt-source';
import { createLogger, createMetricsRegistry } from '@meterline/service-kit';

/**
 * Our own MessageSource, delivering by hand: `deliver` resolves when the app would acknowledge.
 * A payload is sent as given when bytes or text, else as its JSON.
 */
export class HandSource implements MessageSource {
  private handler: MessageHandler | undefined;
  start(handler: MessageHandler) {
    this.handler = handler;
    return Promise.resolve();
  }
  async close() {}
  status() {
    return { connected: 1, connections: 1 };
  }
  deliver(topic: string, payload: unknown, meta = { retained: false }) {
    if (!this.handler) throw new Error('not started');
    const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
    return this.handler(topic, bytes, meta);
  }
}

/** The topics, rules and batching the app tests run ingest with, quiet and with a metrics registry of its own. */
export const testAppSettings = () => ({
  topics: { readings: 'readings', deadLetters: 'dlq', deviceStatus: 'device-status', deviceSequence: 'device-sequence' },
  rules: { maxPayloadBytes: 65_536, maxFutureSkewMs: 300_000, horizonMs: Date.UTC(2000, 0, 1) },
  batching: { lingerMs: 1, maxBatchRecords: 100, closeGraceMs: 50 },
  log: createLogger('ingest-test', 'silent'),
  metrics: createMetricsRegistry('ingest-test'),
});
