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
  /** Each becomes `$share/<shareGroup>/<filter>` on every connection; the handler tells them apart by topic. */
  topicFilters: readonly string[];
  /** How long the broker keeps a session (and queues its messages) while this instance is away. */
  sessionExpirySeconds: number;
  /** MQTT keep-alive (s); mqtt.js's default 60 when absent. */
  keepaliveSeconds?: number;
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
    const subscriptions = options.topicFilters.map((filter) => `$share/${options.shareGroup}/${filter}`);
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
          ...(options.keepaliveSeconds === undefined ? {} : { keepalive: options.keepaliveSeconds }),
          connectTimeout: 10_000,
          resubscribe: false,
        };
        const client = mqtt.connect(options.url, connectOptions);
        this.clients.push(client);
        client.handleMessage = (packet, callback) => {
          const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
          // The connection the message came on: its PUBACK must go on it, or not at all. If it
          // dropped meanwhile (e.g. a keep-alive timeout), the broker still holds the message
          // for the session and delivers it again; acknowledging it on the new connection would
          // acknowledge whichever message has that packet id there.
          const stream = client.stream;
          handler(packet.topic, payload, { retained: packet.retain }).then(
            () => {
              if (client.stream === stream && !stream.destroyed) {
                callback();
                return;
              }
              options.log('warn', 'message handled after its connection dropped; the broker delivers it again', { clientId, topic: packet.topic });
            },
            (error: unknown) => {
              options.log('warn', 'message not handled; reconnecting so the broker delivers it again', { clientId, topic: packet.topic, err: error });
              if (client.stream === stream) stream.destroy();
            },
          );
        };
        // Settled by the broker's answer to the first SUBSCRIBE, or by a connection error before it.
        let answer!: { resolve: () => void; reject: (error: unknown) => void };
        const answered = new Promise<void>((resolve, reject) => (answer = { resolve, reject }));
        client.on('connect', (connack) => {
          options.log('info', 'mqtt connected', { clientId, sessionPresent: connack.sessionPresent });
          // Subscribe on every connect, even when the broker says the session is present:
          // mosquitto 2.0.11 restores a `$share` subscription from its persistence file after
          // a broker restart but delivers nothing to it (seen here). Subscribing again to the
          // same filter is idempotent in MQTT and keeps the session's queued messages.
          // Retain Handling 1: the broker sends its retained messages (e.g. devices' last
          // statuses) when a session first subscribes, not again on each of these resubscribes;
          // with the default 0 mosquitto 2.0.11 sends them again every time, also to `$share`.
          client.subscribe(subscriptions, { qos: 1, rh: 1 }, (error, granted) => {
            const refused = granted?.find((g) => g.qos > 1);
            if (error || refused) options.log('error', 'mqtt subscription refused', { clientId, subscriptions, err: error, granted });
            answer.resolve();
          });
        });
        // mqtt.js reports a dropped connection (keep-alive timeout, connack timeout, a refused
        // reconnect) as an 'error' and reconnects by itself; without a listener Node would
        // throw it and end the process. Health reads `connected`, so it stays truthful.
        client.on('error', (error) => options.log('error', 'mqtt connection error; mqtt.js reconnects', { clientId, err: error }));
        client.on('offline', () => options.log('warn', 'mqtt offline', { clientId }));
        // Started means subscribed: a message published after start() resolves reaches the handler.
        client.once('error', (error) => answer.reject(error));
        await answered;
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
