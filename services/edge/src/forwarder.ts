import { backoffDelay, type Logger } from '@meterline/service-kit';
import type { PayloadQueue, QueuedPayload } from './queue.ts';
import type { PayloadSink, SendOutcome } from './mqtt-sink.ts';
import { TokenBucket } from './token-bucket.ts';

export interface ForwarderOptions {
  queue: PayloadQueue;
  sink: PayloadSink;
  /** The agent's own limit, below the broker's per-device one, so a replayed backlog is not refused. */
  rate: { messagesPerSecond: number; bytesPerSecond: number };
  now: () => number;
  log: Logger;
  onSent: (payload: QueuedPayload, outcome: SendOutcome) => void;
}

export interface Forwarder {
  /** Something was queued: look at the queue now rather than at the next idle check. */
  wake(): void;
  /** Stops after the send in hand; resolves when the loop has ended. */
  stop(): Promise<void>;
}

/** How long the loop waits, when there is nothing to do, before looking again (a wake comes sooner). */
const IDLE_MS = 1_000;

/**
 * Sends the queue's payloads oldest first, one at a time, each removed only after its PUBACK:
 * one in flight keeps the broker's order the seq order, across reconnects and refusals alike.
 * A refused payload (over the broker's rate, say) or one without PUBACK is sent again, the same
 * bytes, after a back-off; nothing behind it overtakes it.
 */
export function startForwarder(options: ForwarderOptions): Forwarder {
  const { queue, sink, now, log } = options;
  const messages = new TokenBucket(options.rate.messagesPerSecond, now());
  const bytes = new TokenBucket(options.rate.bytesPerSecond, now());
  let stopped = false;
  let attempt = 0;
  let interrupt: (() => void) | undefined;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        interrupt = undefined;
        resolve();
      }
      interrupt = done;
    });

  /** One turn: send the oldest payload if the connection and the rate allow, else wait. */
  const step = async () => {
    const [next] = queue.oldest(1);
    if (next === undefined || !sink.ready) {
      await pause(next === undefined ? IDLE_MS : 100);
      return;
    }
    const wait = Math.max(messages.delayMs(now()), bytes.delayMs(now()));
    if (wait > 0) {
      await pause(wait);
      return;
    }
    messages.spend(1, now());
    bytes.spend(next.bytes.length, now());
    const outcome = await sink.send(next.bytes);
    options.onSent(next, outcome);
    if (outcome.ok) {
      queue.remove(next.seq);
      attempt = 0;
      return;
    }
    // Over the broker's rate (135 on its own topic) or no PUBACK: the same payload again, later.
    const delay = outcome.kind === 'refused' ? backoffDelay(attempt++, 1_000, 30_000) : backoffDelay(attempt++, 250, 5_000);
    log.warn({ seq: next.seq, ...outcome, retryInMs: delay }, 'payload not acknowledged; sending it again');
    await pause(delay);
  };
  const loop = async () => {
    while (!stopped) {
      try {
        await step();
      } catch (error) {
        // The queue could not be read or a payload not removed (a failing disk): try again later
        // rather than stop forwarding for good; at worst a payload is sent twice.
        log.error({ err: error }, 'forwarding failed; trying again');
        await pause(1_000);
      }
    }
  };

  const done = loop();

  return {
    wake: () => interrupt?.(),
    stop: async () => {
      stopped = true;
      interrupt?.();
      await done;
    },
  };
}
