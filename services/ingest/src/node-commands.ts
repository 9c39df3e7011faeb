import mqtt, { type MqttClient } from 'mqtt';

/** Where a Sparkplug host sends commands to edge nodes (rebirth requests). */
export interface NodeCommands {
  /** Resolves once the broker has the command (QoS 1 PUBACK). */
  send(topic: string, payload: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export interface MqttNodeCommandsOptions {
  url: string;
  username: string;
  password: string;
  clientId: string;
  log: (level: 'warn', message: string, extra: Record<string, unknown>) => void;
}

/** Commands over their own MQTT connection: the sources' connections only receive. */
export class MqttNodeCommands implements NodeCommands {
  private readonly client: MqttClient;

  constructor(options: MqttNodeCommandsOptions) {
    this.client = mqtt.connect(options.url, {
      protocolVersion: 5,
      clientId: options.clientId,
      username: options.username,
      password: options.password,
      clean: true,
      reconnectPeriod: 1_000,
    });
    // The client reconnects by itself; a send while it is down rejects and its caller reports it.
    this.client.on('error', (error) => options.log('warn', 'Sparkplug command connection failed; reconnecting', { err: error }));
  }

  async send(topic: string, payload: Uint8Array): Promise<void> {
    await this.client.publishAsync(topic, Buffer.from(payload), { qos: 1 });
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}

/** The in-memory twin: keeps what was sent, for tests of the app. */
export class RecordingNodeCommands implements NodeCommands {
  readonly sent: { topic: string; payload: Uint8Array }[] = [];

  send(topic: string, payload: Uint8Array): Promise<void> {
    this.sent.push({ topic, payload });
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * At most one rebirth request per node per interval: a node whose every message names an alias
 * the host lost would otherwise be asked on every message, and a node that cannot rebirth is not
 * flooded.
 */
export class RebirthThrottle {
  private readonly lastAsked = new Map<string, number>();

  constructor(private readonly intervalMs: number) {}

  /** True when the node may be asked now (and records that it is). */
  mayAsk(commandTopic: string, nowMs: number): boolean {
    const last = this.lastAsked.get(commandTopic);
    if (last !== undefined && nowMs - last < this.intervalMs) return false;
    this.lastAsked.set(commandTopic, nowMs);
    return true;
  }
}
