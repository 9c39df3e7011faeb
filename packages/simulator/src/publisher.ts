import mqtt, { ErrorWithReasonCode, type MqttClient } from 'mqtt';
import type { PlannedPayload } from './fleet.ts';

export interface PublishOutcome {
  payload: PlannedPayload;
  /** The broker accepted it (PUBACK with a success code). */
  accepted: boolean;
  /** The broker's refusal, e.g. "Not authorized" for a topic outside the device's ACL. */
  refusal?: string;
  /** The MQTT 5 reason code the broker refused it with (e.g. 0x87), when it gave one. */
  reasonCode?: number;
  publishedAtMs: number;
  ackedAtMs: number;
}

export interface FleetConnection {
  publish(payload: PlannedPayload, topic?: string): Promise<PublishOutcome>;
  close(): Promise<void>;
}

/**
 * How a device reconnects after losing the broker: attempt n waits a random time between 0 and
 * min(maxMs, firstMaxMs · 2^n) ("full jitter"), so a fleet that lost the broker together does not
 * come back together. What the device guide asks of device makers.
 */
export interface ReconnectBackoff {
  firstMaxMs: number;
  maxMs: number;
}

/** A fleet of 1 000 comes back over about two seconds, at most a minute apart once the broker has been away long. */
export const DEVICE_RECONNECT_BACKOFF: ReconnectBackoff = { firstMaxMs: 2_000, maxMs: 60_000 };

/** Reconnects the client after each loss of its connection, with full-jitter back-off; reset once connected. */
export function reconnectWithBackoff(client: MqttClient, backoff: ReconnectBackoff, onReconnected: () => void, random: () => number = Math.random): void {
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;
  client.on('connect', () => {
    if (attempt > 0) onReconnected();
    attempt = 0;
  });
  client.on('close', () => {
    if (client.disconnecting || timer !== undefined) return;
    const delayMs = random() * Math.min(backoff.maxMs, backoff.firstMaxMs * 2 ** attempt++);
    timer = setTimeout(() => {
      timer = undefined;
      // Its own stores, kept: mqtt.js's reconnect() otherwise starts with empty ones, and the
      // publishes in flight when the connection dropped would wait for a PUBACK for ever.
      if (!client.disconnecting) client.reconnect({ incomingStore: client.incomingStore, outgoingStore: client.outgoingStore });
    }, delayMs);
  });
  client.on('end', () => clearTimeout(timer));
}

/**
 * One MQTT v5 connection per device, authenticated as the device (username = device id).
 * Publishes at QoS 1 and resolves on the broker's PUBACK.
 */
export async function connectFleet(options: {
  url: string;
  deviceIds: string[];
  password: (deviceId: string) => string;
  /** A publish not acknowledged within this time counts as refused (default 60 s), so a stuck broker cannot hang the fleet. */
  ackTimeoutMs?: number;
  /** Jittered back-off after a lost connection; without it, mqtt.js's fixed 1 s (every device at once). */
  reconnect?: ReconnectBackoff;
  /** Told when a device is connected again after a loss, with when (epoch ms): to measure a fleet's return. */
  onReconnected?: (deviceId: string, atMs: number) => void;
}): Promise<FleetConnection> {
  const ackTimeoutMs = options.ackTimeoutMs ?? 60_000;
  const clients = new Map<string, MqttClient>();
  // mqtt.connectAsync removes its own 'error' listener once connected: without one, a later
  // connection error (e.g. "Keepalive timeout") is thrown and ends the process. mqtt.js
  // reconnects by itself; the error is kept and reported with the next refused publish.
  const lastError = new Map<string, Error>();
  await Promise.all(
    options.deviceIds.map(async (id) => {
      const client = await mqtt.connectAsync(options.url, {
        protocolVersion: 5,
        // A device connects with its own id as client id; the broker refuses (or replaces) any other.
        clientId: id,
        username: id,
        password: options.password(id),
        clean: true,
        reconnectPeriod: options.reconnect ? 0 : 1_000,
      });
      client.on('error', (error) => lastError.set(id, error));
      client.on('connect', () => lastError.delete(id));
      const reconnected = () => options.onReconnected?.(id, Date.now());
      if (options.reconnect) reconnectWithBackoff(client, options.reconnect, reconnected);
      else client.on('connect', reconnected);
      clients.set(id, client);
    }),
  );
  return {
    publish: async (payload, topic = payload.topic) => {
      const client = clients.get(payload.deviceId);
      if (!client) throw new Error(`device ${payload.deviceId} is not connected`);
      const publishedAtMs = Date.now();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no PUBACK within ${ackTimeoutMs} ms`)), ackTimeoutMs);
      });
      try {
        await Promise.race([client.publishAsync(topic, payload.bytes, { qos: 1 }), timedOut]);
        return { payload, accepted: true, publishedAtMs, ackedAtMs: Date.now() };
      } catch (error) {
        const connectionError = lastError.get(payload.deviceId);
        const refusal = connectionError ? `${(error as Error).message} (last connection error: ${connectionError.message})` : (error as Error).message;
        const reasonCode = error instanceof ErrorWithReasonCode ? { reasonCode: error.code } : {};
        return { payload, accepted: false, refusal, ...reasonCode, publishedAtMs, ackedAtMs: Date.now() };
      } finally {
        clearTimeout(timer);
      }
    },
    close: async () => {
      await Promise.all([...clients.values()].map((c) => c.endAsync()));
    },
  };
}
