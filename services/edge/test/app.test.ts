import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, createMetricsRegistry } from '@meterline/service-kit';
import { createEdgeApp } from '../src/app.ts';
import { EdgeError } from '../src/errors.ts';
import type { PayloadSink } from '../src/mqtt-sink.ts';
import type { MeterPoller } from '../src/poll-result.ts';
import { PayloadQueue } from '../src/queue.ts';

const dir = mkdtempSync(join(tmpdir(), 'edge-app-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A poller of the app's own interface: answers from a script, one step per poll. */
function scriptedPoller(meterId: string, steps: ((tsMs: number) => number | Error)[]): MeterPoller & { polls: number } {
  const poller = {
    meterId,
    polls: 0,
    poll: (tsMs: number) => {
      const step = steps[Math.min(poller.polls++, steps.length - 1)]!(tsMs);
      if (step instanceof Error) return Promise.reject(step);
      return Promise.resolve({ readings: [{ point: `${meterId}-e`, quantity: 'active-energy-import', unit: 'kWh', value: step, tsMs }], skipped: [] });
    },
    close: () => Promise.resolve(),
  };
  return poller;
}

function recordingSink(): PayloadSink & { sent: { seq: number; values: number[] }[] } {
  const sent: { seq: number; values: number[] }[] = [];
  return {
    sent,
    connected: true,
    ready: true,
    send: (bytes) => {
      const payload = JSON.parse(bytes.toString()) as { seq: number; readings: { value: number }[] };
      sent.push({ seq: payload.seq, values: payload.readings.map((r) => r.value) });
      return Promise.resolve({ ok: true });
    },
    close: () => Promise.resolve(),
  };
}

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe('the edge app', () => {
  it('queues each poll as a payload and sends it; a failed poll, even an unexpected fault, does not stop the polling', async () => {
    const poller = scriptedPoller('m', [() => 1, () => new EdgeError('MTL_EDGE_METER_UNREACHABLE', 'no answer'), () => new TypeError('a bug'), () => 4]);
    const sink = recordingSink();
    const queue = new PayloadQueue(join(dir, 'queue.db'));
    const metrics = createMetricsRegistry('edge');
    const app = createEdgeApp({
      meters: [{ poller, pollIntervalMs: 100 }],
      queue,
      sink,
      payload: { deviceId: 'cq-gw-01', utcOffsetMinutes: 480, signingKey: undefined, maxReadingsPerPayload: 10 },
      rate: { messagesPerSecond: 100, bytesPerSecond: 1e6 },
      log: createLogger('edge', 'silent'),
      metrics,
    });
    await app.start();
    await until(() => sink.sent.length >= 3);
    const health = await app.health();
    await app.close();
    expect(sink.sent.slice(0, 3)).toEqual([
      { seq: 0, values: [1] },
      { seq: 1, values: [4] },
      { seq: 2, values: [4] },
    ]);
    expect(health).toMatchObject({ healthy: true, checks: { mqtt: 'connected', 'meter:m': 'ok' } });
    const polls = (await metrics.getMetricsAsJSON()).find((m) => m.name === 'meterline_edge_polls_total')!.values;
    expect(polls.find((v) => v.labels['outcome'] === 'failed')?.value).toBe(2);
  });
});
