import type { MessageHandler, MessageSource } from '@meterline/mqtt-source';

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
