import { randomUUID } from 'node:crypto';
import mqtt, { ErrorWithReasonCode, type IClientOptions } from 'mqtt';
import type { BrokerProbe, DeliveredMessage, ProbeConnectOutcome } from '../src/index.ts';

export interface MqttBrokerProbeOptions {
  /** `mqtt://host:port` of the broker the accounts live on. */
  url: string;
  /** An account that may subscribe to and receive `meterline/v1/#` (the monitor service account). */
  observer: { username: string; password: string };
}

/** MQTT 5 reason codes (MQTT 5.0 §2.4): CONNACK 0x86 bad user name or password, 0x87 (CONNACK, PUBACK, SUBACK) not authorised. */
const BAD_CREDENTIALS = 0x86;
const NOT_AUTHORIZED = 0x87;

const reasonCode = (error: unknown): number | undefined => (error instanceof ErrorWithReasonCode ? error.code : undefined);

/** A real broker seen through MQTT 5 connections (QoS 1, no reconnects), with an observer subscribed to every device topic. */
export async function mqttBrokerProbe(options: MqttBrokerProbeOptions): Promise<BrokerProbe> {
  const base: IClientOptions = { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 10_000 };
  const observer = await mqtt.connectAsync(options.url, { ...base, clientId: `probe-observer-${randomUUID().slice(0, 8)}`, ...options.observer }, false);
  const delivered: DeliveredMessage[] = [];
  const waiters: { payload: string; resolve: () => void }[] = [];
  observer.on('message', (topic, payload) => {
    const text = payload.toString('utf8');
    delivered.push({ topic, payload: text });
    for (const waiter of waiters.filter((w) => w.payload === text)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  try {
    // mqtt.js rejects a subscription the broker refuses (SUBACK reason code 0x80 or more).
    await observer.subscribeAsync('meterline/v1/#', { qos: 1 });
  } catch (error) {
    await observer.endAsync(true);
    throw new Error(`the observer ${options.observer.username} may not subscribe to meterline/v1/#`, { cause: error });
  }

  return {
    delivered,
    waitForDelivery: (payload) =>
      delivered.some((m) => m.payload === payload) ? Promise.resolve() : new Promise((resolve) => waiters.push({ payload, resolve })),
    async connect(username, password): Promise<ProbeConnectOutcome> {
      let client: mqtt.MqttClient;
      try {
        // As a device does: its id is its client id (a broker binding the two refuses any other).
        client = await mqtt.connectAsync(options.url, { ...base, clientId: username, username, password }, false);
      } catch (error) {
        const code = reasonCode(error);
        if (code === BAD_CREDENTIALS || code === NOT_AUTHORIZED) return { kind: 'refused' };
        throw error;
      }
      let closedByTest = false;
      const errors: Error[] = [];
      // mqtt.js throws an 'error' event nobody listens to; keep them for the message of a failing publish.
      client.on('error', (error) => errors.push(error));
      const dropped = new Promise<void>((resolve) => {
        client.once('close', () => {
          if (!closedByTest) resolve();
        });
      });
      return {
        kind: 'connected',
        connection: {
          dropped,
          async publish(topic, payload) {
            try {
              await client.publishAsync(topic, payload, { qos: 1 });
              return 'accepted';
            } catch (error) {
              if (reasonCode(error) === NOT_AUTHORIZED) return 'refused';
              throw new Error(`publish on ${topic} failed${errors.length > 0 ? ` (connection errors: ${errors.map((e) => e.message).join('; ')})` : ''}`, { cause: error });
            }
          },
          async close() {
            closedByTest = true;
            await client.endAsync(true);
          },
        },
      };
    },
    close: () => observer.endAsync(),
  };
}
