import type { Logger, HealthReport } from '@meterline/service-kit';
import type { Registry } from '@meterline/service-kit';
import { EdgeError } from './errors.ts';
import { startForwarder, type Forwarder } from './forwarder.ts';
import { edgeMetrics } from './metrics.ts';
import type { PayloadSink } from './mqtt-sink.ts';
import { encodePayload, payloadChunks, type PayloadOptions } from './payload.ts';
import type { MeterPoller } from './poll-result.ts';
import type { PayloadQueue } from './queue.ts';

export interface EdgeAppDeps {
  meters: readonly { poller: MeterPoller; pollIntervalMs: number }[];
  queue: PayloadQueue;
  sink: PayloadSink;
  payload: PayloadOptions & { maxReadingsPerPayload: number };
  rate: { messagesPerSecond: number; bytesPerSecond: number };
  log: Logger;
  metrics: Registry;
  now?: () => number;
}

export interface EdgeApp {
  start(): Promise<void>;
  close(): Promise<void>;
  health(): Promise<HealthReport>;
  /** Follows the sink's connection: for the metric. */
  connectionChanged(connected: boolean): void;
}

/**
 * The agent: each meter polled on its own interval; each poll's readings stored in the queue as
 * payloads (seq given there) before anything is sent; the forwarder sending the queue to the
 * broker. Takes its parts as arguments, so tests build it on a sink and pollers of their own.
 */
export function createEdgeApp(deps: EdgeAppDeps): EdgeApp {
  const now = deps.now ?? Date.now;
  const { queue, log } = deps;
  const metrics = edgeMetrics(deps.metrics, queue, now);
  const lastPoll = new Map<string, string>();
  let queueFailure: string | undefined;
  let forwarder: Forwarder | undefined;
  const stop = new AbortController();
  const loops: Promise<void>[] = [];

  const pollOnce = async (poller: MeterPoller) => {
    const tsMs = now();
    let result;
    try {
      result = await poller.poll(tsMs);
    } catch (error) {
      if (!(error instanceof EdgeError)) throw error;
      metrics.polls.inc({ meter: poller.meterId, outcome: 'failed' });
      lastPoll.set(poller.meterId, `failed: ${error.code}`);
      log.warn({ meter: poller.meterId, code: error.code, err: error }, 'poll failed');
      return;
    }
    metrics.polls.inc({ meter: poller.meterId, outcome: 'ok' });
    lastPoll.set(poller.meterId, 'ok');
    for (const skipped of result.skipped) {
      metrics.skipped.inc({ meter: poller.meterId, reason: skipped.reason });
      log.warn({ meter: poller.meterId, ...skipped }, 'value not sent');
    }
    if (result.readings.length === 0) return;
    const chunks = payloadChunks(result.readings, deps.payload.maxReadingsPerPayload, deps.payload);
    try {
      const seqs = queue.enqueue(chunks, (seq, part) => ({ bytes: encodePayload(seq, part, deps.payload), readings: part.length }), now());
      queueFailure = undefined;
      metrics.payloadsQueued.inc(seqs.length);
      metrics.readingsQueued.inc(result.readings.length);
      log.debug({ meter: poller.meterId, seqs, tsMs, values: result.readings.map((r) => r.value) }, 'queued');
    } catch (error) {
      if (!(error instanceof EdgeError)) throw error;
      queueFailure = error.message;
      log.error({ meter: poller.meterId, code: error.code, err: error }, 'readings not queued');
      return;
    }
    forwarder?.wake();
  };

  const pollLoop = async (poller: MeterPoller, intervalMs: number) => {
    let due = now();
    while (!stop.signal.aborted) {
      // A fault of the agent itself (not an EdgeError) is logged and the loop goes on: one
      // meter's bad reply must not end the polling of every later interval.
      await pollOnce(poller).catch((error: unknown) => {
        metrics.polls.inc({ meter: poller.meterId, outcome: 'failed' });
        lastPoll.set(poller.meterId, 'failed: unexpected error');
        log.error({ meter: poller.meterId, err: error }, 'poll failed unexpectedly');
      });
      // The next slot on the interval's grid; slots missed by a slow poll are skipped, not caught up.
      due += intervalMs;
      const late = now() - due;
      if (late > 0) due += Math.ceil(late / intervalMs) * intervalMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, due - now());
        stop.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  };

  return {
    start() {
      forwarder = startForwarder({
        queue,
        sink: deps.sink,
        rate: deps.rate,
        now,
        log,
        onSent: (_payload, outcome) => {
          if (outcome.ok) metrics.published.inc();
          else metrics.sendFailures.inc({ kind: outcome.kind });
        },
      });
      for (const { poller, pollIntervalMs } of deps.meters) loops.push(pollLoop(poller, pollIntervalMs));
      return Promise.resolve();
    },
    async close() {
      stop.abort();
      await Promise.all(loops);
      await Promise.all(deps.meters.map(({ poller }) => poller.close()));
      // The sink first: a send waiting for its PUBACK ends with the connection, and the forwarder with it.
      const stopping = forwarder?.stop();
      await deps.sink.close();
      await stopping;
      queue.close();
    },
    health() {
      const { depth, oldestEnqueuedAtMs } = queue.stats();
      const checks: Record<string, string> = {
        // Not a fault of the agent: it keeps polling into the queue until the broker is back.
        mqtt: deps.sink.connected ? 'connected' : 'disconnected',
        queue: queueFailure === undefined ? `ok: ${depth} queued${oldestEnqueuedAtMs === undefined ? '' : `, oldest ${Math.round((now() - oldestEnqueuedAtMs) / 1000)} s`}` : `failing: ${queueFailure}`,
      };
      for (const { poller } of deps.meters) checks[`meter:${poller.meterId}`] = lastPoll.get(poller.meterId) ?? 'not polled yet';
      return Promise.resolve({ healthy: queueFailure === undefined, checks });
    },
    connectionChanged(connected) {
      metrics.mqttConnected.set(connected ? 1 : 0);
    },
  };
}
