import mqtt, { ErrorWithReasonCode, type MqttClient } from 'mqtt';
import { readingsTopic, statusTopic } from '@meterline/contracts';
import { reconnectWithBackoff, type ReconnectBackoff } from '@meterline/simulator';
import { withTimeout } from './poll-result.ts';

export type SendOutcome =
  | { ok: true }
  /** The broker answered with a reason code: 135 on the device's own topic means over its rate (docs/device-integration.md). */
  | { ok: false; kind: 'refused'; reasonCode: number; detail: string }
  /** No PUBACK: the connection dropped, or the ack did not come in time. */
  | { ok: false; kind: 'failed'; detail: string };

/** Where the forwarder sends payloads: owned here, so tests can pass a sink of their own. */
export interface PayloadSink {
  readonly connected: boolean;
  /** Connected, and past the hold after the connection's CONNACK: what is queued may go. */
  readonly ready: boolean;
  send(bytes: Buffer): Promise<SendOutcome>;
  close(): Promise<void>;
}

export interface MqttSinkOptions {
  url: string;
  deviceId: string;
  password: string;
  /** Certificate authorities for an `mqtts://` broker; Node's own list when undefined. */
  ca: Buffer | undefined;
  keepaliveSeconds: number;
  ackTimeoutMs: number;
  reconnect: ReconnectBackoff;
  /** How long after each CONNACK to wait before sending (see `ready`). */
  holdAfterConnectMs: number;
  onConnectionChange: (connected: boolean) => void;
  onError: (error: Error) => void;
}

/**
 * The device's MQTT 5 connection (mqtt.js): client id and username the device id, as the broker
 * requires; last will `offline` on the status topic, `online` published after each CONNACK; QoS 1
 * publishes on the readings topic resolved on their PUBACK. It starts connecting at once and
 * keeps trying with full-jitter back-off, so the agent polls and queues while the broker is away.
 */
export function mqttSink(options: MqttSinkOptions): PayloadSink {
  const topic = readingsTopic(options.deviceId);
  const status = statusTopic(options.deviceId);
  const client: MqttClient = mqtt.connect(options.url, {
    protocolVersion: 5,
    clientId: options.deviceId,
    username: options.deviceId,
    password: options.password,
    clean: true,
    keepalive: options.keepaliveSeconds,
    connectTimeout: 10_000,
    reconnectPeriod: 0,
    will: { topic: status, payload: Buffer.from('offline'), qos: 1, retain: true },
    ...(options.ca ? { ca: options.ca } : {}),
  });
  client.on('error', options.onError);
  // Mosquitto 2.0.11, restarted, delivers nothing to a restored `$share` subscription until its
  // subscriber subscribes again: what a device publishes before ingest is back is acknowledged
  // and lost. Holding the queue a few seconds after each CONNACK lets ingest come back first.
  let readyAtMs = Number.POSITIVE_INFINITY;
  client.on('connect', () => {
    readyAtMs = Date.now() + options.holdAfterConnectMs;
    options.onConnectionChange(true);
    client.publishAsync(status, 'online', { qos: 1, retain: true }).catch((error: unknown) => options.onError(error as Error));
  });
  client.on('close', () => options.onConnectionChange(false));
  reconnectWithBackoff(client, options.reconnect, () => undefined);

  return {
    get connected() {
      return client.connected;
    },
    get ready() {
      return client.connected && Date.now() >= readyAtMs;
    },
    async send(bytes) {
      try {
        await withTimeout(client.publishAsync(topic, bytes, { qos: 1 }), options.ackTimeoutMs, () => new Error(`no PUBACK within ${options.ackTimeoutMs} ms`));
        return { ok: true };
      } catch (error) {
        if (error instanceof ErrorWithReasonCode) return { ok: false, kind: 'refused', reasonCode: error.code, detail: error.message };
        return { ok: false, kind: 'failed', detail: (error as Error).message };
      }
    },
    async close() {
      // A clean DISCONNECT discards the will: say `offline` first, when there is a connection to say it on.
      if (client.connected) {
        await withTimeout(client.publishAsync(status, 'offline', { qos: 1, retain: true }), 2_000, () => new Error('no PUBACK for the offline status')).catch((error: unknown) => options.onError(error as Error));
      }
      await client.endAsync(!client.connected);
    },
  };
}
