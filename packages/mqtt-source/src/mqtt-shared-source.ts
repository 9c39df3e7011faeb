import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { MessageHandler, MessageSource, SourceStatus } from './types.ts';

export interface MqttSharedSourceOptions {
  url: string;
  username: string;
  password: string;
  /** Stable per instance: the broker keeps each connection's session (and its unacknowledged messages) under this id. */
  clientIdPrefix: string;
  connections: number;
  shareGroup: string;
  topicFilter: string;
  /** How long the broker keeps a session (and queues its messages) while this instance is away. */
  sessionExpirySeconds: number;
  log: (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;
}

/**
 * Several MQTT v5 connections in one `$share` group. mqtt.js handles the packets of one
 * connection one at a time and sends the QoS 1 PUBACK when `handleMessage` calls back, so
 * holding the callback until the handler resolves is what makes delivery at-least-once;
 * parallelism comes from the number of connections.
 *
 * A handler that rejects means the message is not safe: the connection is dropped without
 * acknowledging it, and the broker delivers it again when the session resumes.
 */
export class MqttSharedSource implements MessageSource {
  private readonly clients: MqttClient[] = [];

  constructor(private readonly options: MqttSharedSourceOptions) {}

  async start(handler: MessageHandler): Promise<void> {
    const { options } = this;
    const subscription = `$share/${options.shareGroup}/${options.topicFilter}`;
    await Promise.all(
      Array.from({ length: options.connections }, async (_, i) => {
        const clientId = `${options.clientIdPrefix}-${i}`;
        const connectOptions: IClientOptions = {
          protocolVersion: 5,
          clientId,
          username: options.username,
          password: options.password,
          clean: false,
          properties: { sessionExpiryInterval: options.sessionExpirySeconds },
          reconnectPeriod: 1_000,
          connectTimeout: 10_000,
          resubscribe: false,
        };
        const client = mqtt.connect(options.url, connectOptions);
        this.clients.push(client);
        client.handleMessage = (packet, callback) => {
          const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
          handler(packet.topic, payload).then(
            () => callback(),
            (error: unknown) => {
              options.log('warn', 'message not handled; reconnecting so the broker delivers it again', { clientId, topic: packet.topic, err: error });
              client.stream.destroy();
            },
          );
        };
        client.on('connect', (connack) => {
          options.log('info', 'mqtt connected', { clientId, sessionPresent: connack.sessionPresent });
          // Subscribe on every connect, even when the broker says the session is present:
          // mosquitto 2.0.11 restores a `$share` subscription from its persistence file after
          // a broker restart but delivers nothing to it (seen here). Subscribing again to the
          // same filter is idempotent in MQTT and keeps the session's queued messages.
          client.subscribe(subscription, { qos: 1 }, (error, granted) => {
            const refused = granted?.find((g) => g.qos > 1);
            if (error || refused) options.log('error', 'mqtt subscription refused', { clientId, subscription, err: error, granted });
          });
        });
        client.on('error', (error) => options.log('error', 'mqtt connection error', { clientId, err: error }));
        client.on('offline', () => options.log('warn', 'mqtt offline', { clientId }));
        await new Promise<void>((resolve, reject) => {
          client.once('connect', () => resolve());
          client.once('error', reject);
        });
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.endAsync(true)));
    this.clients.length = 0;
  }

  status(): SourceStatus {
    return { connected: this.clients.filter((c) => c.connected).length, connections: this.options.connections };
  }
}
