import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createLogger, createMetricsRegistry } from '@meterline/service-kit';
import { buildAgent } from '../src/agent.ts';
import { MQTT_PASSWORD_ENV, parseEdgeConfig } from '../src/config.ts';
import type { PayloadQueue } from '../src/queue.ts';
import { account, broker, clearRetainedStatus, watchReadings, type Received } from './broker.ts';
import { startPeer } from './peers.ts';
import { tcpProxy } from './tcp-proxy.ts';

const dir = mkdtempSync(join(tmpdir(), 'edge-outage-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const deviceId of ['dev-meter-013']) await clearRetainedStatus(deviceId);
});
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function waitForDepth(queue: PayloadQueue, depth: number) {
  while (queue.stats().depth < depth) await sleep(50);
}

/** The seqs in the order they first came: a resend of a payload already delivered is allowed, and skipped here. */
const firstArrivals = (received: Received[]) => received.filter((p, i) => received.findIndex((q) => q.seq === p.seq) === i);

describe('edge agent through a broker outage (integration)', () => {
  it('queues while the broker cannot be reached, then replays in order with the original seqs and bytes, twice', async () => {
    const deviceId = 'dev-meter-013';
    const modbus = await startPeer('modbus_meter.py');
    cleanups.push(modbus.stop);
    // The agent reaches the broker through a relay that is down at first: nothing listens there.
    const proxy = await tcpProxy({ host: broker().host, port: broker().port });
    cleanups.push(proxy.down);
    const watch = await watchReadings(deviceId);
    cleanups.push(watch.close);
    const replayPerSecond = 20;
    const config = parseEdgeConfig(
      JSON.stringify({
        deviceId,
        mqtt: { url: `mqtt://127.0.0.1:${proxy.port}`, reconnectFirstMaxMs: 200, reconnectMaxMs: 500, ackTimeoutMs: 2_000 },
        queue: { file: join(dir, 'queue.db'), messagesPerSecond: replayPerSecond },
        meters: [{ kind: 'modbus-tcp', id: 'incomer', host: '127.0.0.1', port: modbus.port, pollIntervalMs: 100, registers: [{ function: 'input', address: 12, type: 'uint16', point: 'ticks', quantity: 'count', unit: '1' }] }],
      }),
      { [MQTT_PASSWORD_ENV]: account(deviceId).password },
    );
    const { app, queue } = buildAgent(config, createLogger('edge', 'error'), createMetricsRegistry('edge'));
    cleanups.push(() => app.close());
    await app.start();

    // First outage: the broker was never reached.
    await waitForDepth(queue, 40);
    const health = await app.health();
    expect(health).toMatchObject({ healthy: true, checks: { mqtt: 'disconnected' } });
    const heldBeforeFirst = queue.oldest(1_000);
    expect(heldBeforeFirst.map((p) => p.seq)).toEqual(heldBeforeFirst.map((_, i) => i));
    expect(watch.received).toEqual([]);
    await proxy.up();
    await watch.until((received) => heldBeforeFirst.every((held) => received.some((p) => p.seq === held.seq)));

    // Second outage, cutting the connection under the agent while it sends.
    await proxy.down();
    const cutAt = Math.max(...watch.received.map((p) => p.seq));
    await waitForDepth(queue, 30);
    const heldBeforeSecond = queue.oldest(1_000);
    await proxy.up();
    await watch.until((received) => heldBeforeSecond.every((held) => received.some((p) => p.seq === held.seq)));
    await app.close();

    const arrivals = firstArrivals(watch.received);
    const last = Math.max(...arrivals.map((p) => p.seq));
    // Every seq from 0 on, each first seen in seq order: nothing lost, nothing overtaken.
    expect(arrivals.map((p) => p.seq)).toEqual(Array.from({ length: last + 1 }, (_, i) => i));
    expect(last).toBeGreaterThan(cutAt);
    // A payload is sent as it was stored: its original seq and its bytes, however late.
    for (const held of [...heldBeforeFirst, ...heldBeforeSecond]) {
      for (const copy of watch.received.filter((p) => p.seq === held.seq)) expect(copy.bytes).toBe(held.bytes.toString());
    }
    // The meter moved on at every poll: the values rise with the seq.
    const ticks = arrivals.map((p) => p.readings[0]!.value);
    expect(ticks).toEqual([...ticks].sort((a, b) => a - b));
    expect(new Set(ticks).size).toBe(ticks.length);

    // Measured, not asserted (no wall-clock limits in tests): the replay of the first backlog.
    const replayed = heldBeforeFirst.map((held) => watch.received.find((p) => p.seq === held.seq)!.atMs);
    const seconds = (Math.max(...replayed) - Math.min(...replayed)) / 1000;
    console.log(`edge replay: ${heldBeforeFirst.length} queued payloads in ${seconds.toFixed(2)} s, ${((heldBeforeFirst.length - 1) / seconds).toFixed(1)}/s (limit ${replayPerSecond}/s after a first second's worth at once)`);
  });
});
