import { InFlightBudget } from './in-flight-budget.ts';
import { PipelinedSession } from './pipelined-session.ts';
import type { MessageHandler, MessageSource, SourceStatus } from './types.ts';

export interface MqttSharedSourceOptions {
  url: string;
  username: string;
  password: string;
  /** Stable per instance: the broker keeps each connection's session (and its unacknowledged messages) under this id. */
  clientIdPrefix: string;
  connections: number;
  /** Messages handled at once on each connection (the MQTT Receive Maximum the broker is told). */
  inFlightPerConnection: number;
  /** Payload bytes in hand across all connections before they stop reading (see `InFlightBudget`). */
  maxInFlightBytes: number;
  shareGroup: string;
  /** Each becomes `$share/<shareGroup>/<filter>` on every connection; the handler tells them apart by topic. */
  topicFilters: readonly string[];
  /** How long the broker keeps a session (and queues its messages) while this instance is away. */
  sessionExpirySeconds: number;
  /** MQTT keep-alive (s); 60 when absent. */
  keepaliveSeconds?: number;
  log: (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;
}

/**
 * Several persistent MQTT v5 sessions in one `$share` group, each handling up to
 * `inFlightPerConnection` messages at once (and all together up to `maxInFlightBytes` of
 * payloads, past which they stop reading) and acknowledging each QoS 1 message only once the
 * handler resolved for it and for every message before it on its connection: delivery is at
 * least once, and a rejecting handler makes the broker deliver the message again.
 */
export class MqttSharedSource implements MessageSource {
  private readonly sessions: PipelinedSession[] = [];

  constructor(private readonly options: MqttSharedSourceOptions) {}

  async start(handler: MessageHandler): Promise<void> {
    const { options } = this;
    const subscriptions = options.topicFilters.map((filter) => `$share/${options.shareGroup}/${filter}`);
    const budget = new InFlightBudget(options.maxInFlightBytes);
    for (let i = 0; i < options.connections; i++) {
      this.sessions.push(
        new PipelinedSession({
          url: options.url,
          username: options.username,
          password: options.password,
          clientId: `${options.clientIdPrefix}-${i}`,
          subscriptions,
          sessionExpirySeconds: options.sessionExpirySeconds,
          inFlight: options.inFlightPerConnection,
          budget,
          keepaliveSeconds: options.keepaliveSeconds ?? 60,
          handler,
          log: options.log,
        }),
      );
    }
    // Started means subscribed: a message published after start() resolves reaches the handler.
    await Promise.all(this.sessions.map((session) => session.start()));
  }

  async close(): Promise<void> {
    await Promise.all(this.sessions.map((session) => session.close()));
    this.sessions.length = 0;
  }

  status(): SourceStatus {
    return { connected: this.sessions.filter((session) => session.connected).length, connections: this.options.connections };
  }
}
