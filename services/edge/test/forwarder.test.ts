import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '@meterline/service-kit';
import { startForwarder } from '../src/forwarder.ts';
import type { PayloadSink, SendOutcome } from '../src/mqtt-sink.ts';
import { PayloadQueue } from '../src/queue.ts';

const dir = mkdtempSync(join(tmpdir(), 'edge-forwarder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** A sink of our own interface: records what it is sent and answers as told. */
function recordingSink(answer: (bytes: string, attempt: number) => SendOutcome) {
  const sent: string[] = [];
  const sink: PayloadSink & { sent: string[]; connected: boolean } = {
    sent,
    connected: true,
    get ready() {
      return this.connected;
    },
    send: (bytes) => {
      sent.push(bytes.toString());
      return Promise.resolve(answer(bytes.toString(), sent.filter((s) => s === bytes.toString()).length));
    },
    close: () => Promise.resolve(),
  };
  return sink;
}

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
};

function queueOf(...texts: string[]) {
  const queue = new PayloadQueue(join(dir, `q-${files++}.db`));
  queue.enqueue(texts, (_seq, text) => ({ bytes: Buffer.from(text), readings: 1 }), 0);
  return queue;
}

const log = createLogger('edge', 'silent');

describe('the forwarder', () => {
  it('sends the queue oldest first and removes each payload only once it is acknowledged', async () => {
    const queue = queueOf('a', 'b', 'c');
    const sink = recordingSink(() => ({ ok: true }));
    const forwarder = startForwarder({ queue, sink, rate: { messagesPerSecond: 1_000, bytesPerSecond: 1e6 }, now: Date.now, log, onSent: () => undefined });
    await until(() => queue.stats().depth === 0);
    await forwarder.stop();
    expect(sink.sent).toEqual(['a', 'b', 'c']);
    queue.close();
  });

  it('sends a refused payload again, the same bytes, and lets nothing overtake it', async () => {
    const queue = queueOf('a', 'b', 'c');
    // The broker refuses "b" twice (over its rate: reason code 135), then takes it.
    const sink = recordingSink((bytes, attempt) => (bytes === 'b' && attempt <= 2 ? { ok: false, kind: 'refused', reasonCode: 135, detail: 'Not authorized' } : { ok: true }));
    const outcomes: boolean[] = [];
    const forwarder = startForwarder({ queue, sink, rate: { messagesPerSecond: 1_000, bytesPerSecond: 1e6 }, now: Date.now, log, onSent: (_p, o) => outcomes.push(o.ok) });
    await until(() => queue.stats().depth === 0);
    await forwarder.stop();
    expect(sink.sent).toEqual(['a', 'b', 'b', 'b', 'c']);
    expect(outcomes).toEqual([true, false, false, true, true]);
    queue.close();
  });

  it('sends nothing while the sink is not connected, and keeps the queue', async () => {
    const queue = queueOf('a');
    const sink = recordingSink(() => ({ ok: true }));
    sink.connected = false;
    const forwarder = startForwarder({ queue, sink, rate: { messagesPerSecond: 1_000, bytesPerSecond: 1e6 }, now: Date.now, log, onSent: () => undefined });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sink.sent).toEqual([]);
    sink.connected = true;
    await until(() => queue.stats().depth === 0);
    await forwarder.stop();
    expect(sink.sent).toEqual(['a']);
    queue.close();
  });

  it('keeps to its message rate, on a clock of its own', async () => {
    const queue = queueOf(...Array.from({ length: 12 }, (_, i) => `p${i}`));
    let clock = 0;
    const sink = recordingSink(() => ({ ok: true }));
    const forwarder = startForwarder({ queue, sink, rate: { messagesPerSecond: 5, bytesPerSecond: 1e6 }, now: () => clock, log, onSent: () => undefined });
    // A second's worth at once, then nothing until the clock moves.
    await until(() => sink.sent.length === 5);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sink.sent.length).toBe(5);
    clock += 1_000;
    await until(() => sink.sent.length === 10);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sink.sent.length).toBe(10);
    await forwarder.stop();
    queue.close();
  });
});
