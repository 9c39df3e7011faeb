import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mqttSink, type PayloadSink } from '../src/mqtt-sink.ts';
import { account, broker, clearRetainedStatus } from './broker.ts';

// The device's connection on the real broker: it sends nothing queued until the hold after its
// CONNACK has passed (a restarted Mosquitto 2.0.11 may not deliver to ingest yet; docs/edge-agent.md).

const sinks: PayloadSink[] = [];
const errors: Error[] = [];
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
  expect(errors.splice(0)).toEqual([]);
});
afterAll(() => clearRetainedStatus('dev-meter-015'));

function connect(holdAfterConnectMs: number): PayloadSink {
  const deviceId = 'dev-meter-015';
  const sink = mqttSink({
    url: broker().url,
    deviceId,
    password: account(deviceId).password,
    ca: undefined,
    keepaliveSeconds: 30,
    ackTimeoutMs: 5_000,
    reconnect: { firstMaxMs: 200, maxMs: 500 },
    holdAfterConnectMs,
    onConnectionChange: () => undefined,
    onError: (error) => errors.push(error),
  });
  sinks.push(sink);
  return sink;
}

describe('mqttSink', () => {
  it('is connected at once but ready only after the hold', async () => {
    const sink = connect(2_000);
    await expect.poll(() => sink.connected, { timeout: 10_000, interval: 10 }).toBe(true);
    expect(sink.ready).toBe(false);
    await expect.poll(() => sink.ready, { timeout: 10_000, interval: 50 }).toBe(true);
    expect(await sink.send(Buffer.from(JSON.stringify({ v: 1, deviceId: 'dev-meter-015', seq: 1, readings: [] })))).toEqual({ ok: true });
  });

  it('is ready as it connects with no hold', async () => {
    const sink = connect(0);
    await expect.poll(() => sink.connected, { timeout: 10_000, interval: 10 }).toBe(true);
    expect(sink.ready).toBe(true);
  });
});
