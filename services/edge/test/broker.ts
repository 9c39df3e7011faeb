import mqtt from 'mqtt';
import { inject } from 'vitest';
import { readingsTopic, statusTopic, type MqttReading } from '@meterline/contracts';

/** The test stack's broker and one of its accounts (a dev device, or the monitor that may read every topic). */
export const broker = () => inject('stack').mqtt;
export const account = (username: string) => {
  const user = broker().users.find((u) => u.username === username);
  if (!user) throw new Error(`no MQTT account ${username} in the test stack`);
  return user;
};

export interface Received {
  seq: number;
  readings: MqttReading[];
  bytes: string;
  /** When it came (epoch ms). */
  atMs: number;
}

/** Subscribes as the monitor to one device's readings and keeps every payload that comes, duplicates included. */
export async function watchReadings(deviceId: string) {
  const client = await mqtt.connectAsync(broker().url, { protocolVersion: 5, clientId: `monitor-${deviceId}-${process.pid}`, reconnectPeriod: 0, ...account('meterline-monitor') });
  const received: Received[] = [];
  const waiters: { check: () => boolean; resolve: () => void }[] = [];
  client.on('message', (_topic, payload) => {
    const parsed = JSON.parse(payload.toString()) as { seq: number; readings: MqttReading[] };
    received.push({ seq: parsed.seq, readings: parsed.readings, bytes: payload.toString(), atMs: Date.now() });
    for (const w of waiters.filter((w) => w.check())) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  await client.subscribeAsync(readingsTopic(deviceId), { qos: 1 });
  return {
    received,
    /** Resolves once `check` holds of what has come. */
    until: (check: (received: Received[]) => boolean) => new Promise<void>((resolve) => (check(received) ? resolve() : waiters.push({ check: () => check(received), resolve }))),
    close: () => client.endAsync(),
  };
}

/**
 * Clears the status an agent leaves retained (`online`, or `offline` by its will), as the device
 * guide asks devices to: a later test's share group would be sent it, and its ingest dead-letter
 * it as a device of no registry of its. Call once the agent has stopped (this takes its client id).
 */
export async function clearRetainedStatus(deviceId: string): Promise<void> {
  const client = await mqtt.connectAsync(broker().url, { protocolVersion: 5, clientId: deviceId, reconnectPeriod: 0, ...account(deviceId) });
  await client.publishAsync(statusTopic(deviceId), '', { qos: 1, retain: true });
  await client.endAsync();
}
