import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { MqttSharedSource, type MessageHandler, type MessageMeta } from '../src/index.ts';

// The real broker of the test stack, with its dev accounts: the ingest service account and devices.
const broker = () => inject('stack').mqtt;
const account = (username: string) => {
  const user = broker().users.find((u) => u.username === username);
  if (!user) throw new Error(`no MQTT account ${username} in the test stack`);
  return user;
};

interface Delivery extends MessageMeta {
  topic: string;
  text: string;
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function connectDevice(deviceId: string): Promise<MqttClient> {
  // A device connects with its own id as client id: the broker refuses any other.
  const client = await mqtt.connectAsync(broker().url, { protocolVersion: 5, clientId: deviceId, reconnectPeriod: 0, ...account(deviceId) });
  cleanups.push(() => client.endAsync());
  return client;
}

/** Leaves no retained message behind for the tests that come after. */
function clearRetainedAfterwards(device: MqttClient, topic: string) {
  cleanups.push(() => device.publishAsync(topic, '', { qos: 1, retain: true }));
}

const FILTERS = ['meterline/v1/+/readings', 'meterline/v1/+/status'];

/**
 * A source on both filters in its own share group, recording what one device sent (others'
 * retained messages may come too); `handled(text)` resolves once a payload of that text was handled.
 */
function recordingSource(deviceId: string, options: { clientIdPrefix?: string; shareGroup?: string; inFlight?: number; maxInFlightBytes?: number; handle?: MessageHandler } = {}) {
  const deliveries: Delivery[] = [];
  const waiters: { text: string; resolve: () => void }[] = [];
  const id = randomUUID().slice(0, 8);
  const source = new MqttSharedSource({
    url: broker().url,
    ...account('meterline-ingest'),
    clientIdPrefix: options.clientIdPrefix ?? `contract-${id}`,
    connections: 1,
    inFlightPerConnection: options.inFlight ?? 16,
    maxInFlightBytes: options.maxInFlightBytes ?? 1_048_576,
    shareGroup: options.shareGroup ?? `contract-${id}`,
    topicFilters: FILTERS,
    sessionExpirySeconds: 60,
    log: () => undefined,
  });
  const handler: MessageHandler = async (topic, payload, meta) => {
    if (topic.split('/')[2] !== deviceId) return;
    await options.handle?.(topic, payload, meta);
    deliveries.push({ topic, text: payload.toString(), ...meta });
    // After this handler has resolved and the source has acknowledged the message: a test that
    // closes the source next must not leave it unacknowledged (the broker would send it again).
    setImmediate(() => {
      for (const waiter of waiters.filter((w) => deliveries.some((d) => d.text === w.text))) waiter.resolve();
    });
  };
  cleanups.push(() => source.close());
  return {
    deliveries,
    start: () => source.start(handler),
    close: () => source.close(),
    handled: (text: string) =>
      new Promise<void>((resolve) => (deliveries.some((d) => d.text === text) ? setImmediate(resolve) : waiters.push({ text, resolve }))),
  };
}

describe('MqttSharedSource (real broker)', () => {
  it("hands over every topic filter's messages with their topic and payload, and a message published live as not retained", async () => {
    const source = recordingSource('dev-meter-017');
    await source.start();
    const device = await connectDevice('dev-meter-017');
    clearRetainedAfterwards(device, 'meterline/v1/dev-meter-017/status');
    await device.publishAsync('meterline/v1/dev-meter-017/readings', '{"seq":1}', { qos: 1 });
    // Retained by the broker, but delivered live to a subscription that existed: not retained.
    await device.publishAsync('meterline/v1/dev-meter-017/status', 'online', { qos: 1, retain: true });
    await source.handled('online');
    expect(source.deliveries).toEqual([
      { topic: 'meterline/v1/dev-meter-017/readings', text: '{"seq":1}', retained: false },
      { topic: 'meterline/v1/dev-meter-017/status', text: 'online', retained: false },
    ]);
  });

  it('does not acknowledge a message whose handler rejects: the broker delivers it again', async () => {
    let refusals = 0;
    const source = recordingSource('dev-meter-018', {
      handle: () => (refusals++ === 0 ? Promise.reject(new Error('not safe yet')) : Promise.resolve()),
    });
    await source.start();
    const device = await connectDevice('dev-meter-018');
    await device.publishAsync('meterline/v1/dev-meter-018/readings', '{"seq":7}', { qos: 1 });
    await source.handled('{"seq":7}');
    expect(refusals).toBe(2);
    expect(source.deliveries).toEqual([{ topic: 'meterline/v1/dev-meter-018/readings', text: '{"seq":7}', retained: false }]);
  });

  it('marks the retained message the broker sends on subscribing as retained, and does not get it again when its session resumes', async () => {
    const device = await connectDevice('dev-meter-019');
    clearRetainedAfterwards(device, 'meterline/v1/dev-meter-019/status');
    await device.publishAsync('meterline/v1/dev-meter-019/status', 'offline', { qos: 1, retain: true });

    const names = { clientIdPrefix: `contract-${randomUUID().slice(0, 8)}`, shareGroup: `contract-${randomUUID().slice(0, 8)}` };
    const first = recordingSource('dev-meter-019', names);
    await first.start();
    await first.handled('offline');
    // Handled after the retained message, so that one was acknowledged before the source closes
    // (a message acknowledged just before close() may come again: at least once).
    await device.publishAsync('meterline/v1/dev-meter-019/readings', 'marker-1', { qos: 1 });
    await first.handled('marker-1');
    await first.close();
    expect(first.deliveries).toEqual([
      { topic: 'meterline/v1/dev-meter-019/status', text: 'offline', retained: true },
      { topic: 'meterline/v1/dev-meter-019/readings', text: 'marker-1', retained: false },
    ]);

    // Same client ids: the broker resumes the session, and the source subscribes again. A retained
    // message sent for that subscription would be queued before anything published after start().
    const resumed = recordingSource('dev-meter-019', names);
    await resumed.start();
    await device.publishAsync('meterline/v1/dev-meter-019/readings', 'marker-2', { qos: 1 });
    await resumed.handled('marker-2');
    expect(resumed.deliveries.filter((d) => d.text !== 'marker-1')).toEqual([{ topic: 'meterline/v1/dev-meter-019/readings', text: 'marker-2', retained: false }]);
  });

  it('handles at most its in-flight limit of one connection\'s messages at once; the rest wait until one is handled', async () => {
    const held = new HeldMessages();
    const source = recordingSource('dev-meter-020', { inFlight: 3, handle: held.handle });
    await source.start();
    const device = await connectDevice('dev-meter-020');
    for (let seq = 1; seq <= 5; seq++) await device.publishAsync('meterline/v1/dev-meter-020/readings', `{"seq":${seq}}`, { qos: 1 });
    await held.reached(3);
    // No fourth message is handled while three are in hand (the broker is told the limit as Receive Maximum, and the socket is not read past it).
    await device.publishAsync('meterline/v1/dev-meter-020/readings', 'marker', { qos: 1 });
    expect(held.texts()).toEqual(['{"seq":1}', '{"seq":2}', '{"seq":3}']);
    held.releaseAll();
    await source.handled('marker');
    expect(source.deliveries.map((d) => d.text)).toEqual(['{"seq":1}', '{"seq":2}', '{"seq":3}', '{"seq":4}', '{"seq":5}', 'marker']);
  });

  it('stops reading once the payload bytes in hand reach its budget, and reads on when one is handled', async () => {
    const held = new HeldMessages();
    const source = recordingSource('dev-meter-015', { inFlight: 16, maxInFlightBytes: 100, handle: held.handle });
    await source.start();
    const device = await connectDevice('dev-meter-015');
    const payload = (n: number) => `{"seq":${n},"pad":"${'x'.repeat(40)}"}`; // 60 bytes
    for (let seq = 1; seq <= 3; seq++) await device.publishAsync('meterline/v1/dev-meter-015/readings', payload(seq), { qos: 1 });
    await held.reached(2);
    // 120 bytes in hand: the budget of 100 is spent, so the third message is not read.
    await device.publishAsync('meterline/v1/dev-meter-015/readings', 'marker', { qos: 1 });
    expect(held.texts()).toEqual([payload(1), payload(2)]);
    held.release(payload(1));
    await held.reached(3);
    expect(held.texts()).toEqual([payload(1), payload(2), payload(3)]);
    held.releaseAll();
    await source.handled('marker');
  });

  it('acknowledges in arrival order: a message handled before an earlier one stays unacknowledged until that one is handled', async () => {
    const names = { clientIdPrefix: `contract-${randomUUID().slice(0, 8)}`, shareGroup: `contract-${randomUUID().slice(0, 8)}` };
    const held = new HeldMessages();
    const first = recordingSource('dev-meter-016', { ...names, handle: held.handle });
    await first.start();
    const device = await connectDevice('dev-meter-016');
    await device.publishAsync('meterline/v1/dev-meter-016/readings', 'early', { qos: 1 });
    await device.publishAsync('meterline/v1/dev-meter-016/readings', 'late', { qos: 1 });
    await held.reached(2);
    held.release('late');
    await first.handled('late');
    // 'early' is never handled on this connection, so 'late', behind it, was never acknowledged either.
    await first.close();
    expect(first.deliveries.map((d) => d.text)).toEqual(['late']);

    const resumed = recordingSource('dev-meter-016', names);
    await resumed.start();
    await device.publishAsync('meterline/v1/dev-meter-016/readings', 'marker', { qos: 1 });
    await resumed.handled('marker');
    expect(resumed.deliveries.map((d) => d.text)).toEqual(['early', 'late', 'marker']);
  });
});

/** A handler that holds every message until the test releases it (or all from then on), and says how many it held. */
class HeldMessages {
  private readonly messages: { text: string; release: () => void }[] = [];
  private readonly waiters: { count: number; resolve: () => void }[] = [];
  private passing = false;

  readonly handle: MessageHandler = (_topic, payload) =>
    new Promise<void>((release) => {
      if (this.passing) return release();
      this.messages.push({ text: payload.toString(), release });
      for (const waiter of this.waiters.filter((w) => this.messages.length >= w.count)) waiter.resolve();
    });

  reached(count: number): Promise<void> {
    return new Promise((resolve) => (this.messages.length >= count ? resolve() : this.waiters.push({ count, resolve })));
  }

  texts(): string[] {
    return this.messages.map((m) => m.text);
  }

  release(text: string): void {
    this.messages.find((m) => m.text === text)?.release();
  }

  /** Releases the messages held and lets every later one through. */
  releaseAll(): void {
    this.passing = true;
    for (const message of this.messages) message.release();
  }
}
