import net from 'node:net';
import tls from 'node:tls';
import * as mqttPacket from 'mqtt-packet';
import type { IConnackPacket, IDisconnectPacket, IPublishPacket, ISubackPacket, Packet } from 'mqtt-packet';
import type { InFlightBudget } from './in-flight-budget.ts';
import { InOrderAcks } from './in-order-acks.ts';
import type { MessageHandler } from './types.ts';

export interface PipelinedSessionOptions {
  url: string;
  username: string;
  password: string;
  clientId: string;
  /** Full filters, `$share/<group>/<filter>` included; subscribed at QoS 1 on every connect. */
  subscriptions: readonly string[];
  sessionExpirySeconds: number;
  /** Messages handled at once on this connection: the Receive Maximum sent to the broker. */
  inFlight: number;
  /** Payload bytes in hand, shared with the source's other sessions: none is read while it is spent. */
  budget: InFlightBudget;
  keepaliveSeconds: number;
  handler: MessageHandler;
  log: (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;
}

const PROTOCOL = { protocolVersion: 5 } as const;
const RECONNECT_MS = 1_000;
const CONNECT_TIMEOUT_MS = 10_000;
const CLOSE_WAIT_MS = 1_000;
/** SUBACK reason codes below this grant a QoS; from it on they refuse (MQTT 5.0 §3.9.3). */
const FIRST_REFUSAL_CODE = 0x80;

/** One TCP (or TLS) connection of the session; a new one is made after every drop. */
interface Link {
  socket: net.Socket;
  acks: InOrderAcks;
  /** Handlers not yet settled, QoS 0 ones included: at `inFlight` the socket stops being read. */
  handling: number;
  /** A PUBACK write is scheduled for this tick's settled handlers. */
  ackScheduled: boolean;
  lastHeardMs: number;
  lastSentMs: number;
  timers: NodeJS.Timeout[];
  /**
   * Messages parsed while the link was full: a socket chunk can hold several, and pausing the
   * socket stops only the next chunk. They are handled, in order, as room comes.
   */
  parsed: IPublishPacket[];
  /** Given to the byte budget while this link waits for it: one function, so a wait is kept once. */
  resumeWhenRoom: () => void;
}

/**
 * One persistent MQTT v5 session of a shared subscription, spoken with mqtt-packet (the codec
 * under mqtt.js) instead of mqtt.js: mqtt.js reads a connection's next packet only once the last
 * one is acknowledged, so a connection carried one message per Kafka round trip. Here up to
 * `inFlight` messages are handled at once, and each QoS 1 PUBACK goes out once that message and
 * every one before it on the connection were handled (in order, as MQTT requires); one socket
 * write carries every PUBACK released together.
 *
 * A handler that rejects drops the connection without acknowledging; the broker delivers again
 * what was not acknowledged when the session resumes. A message handled after its connection
 * dropped is not acknowledged on the next one, whose packet ids are the broker's new ones.
 */
export class PipelinedSession {
  private link: Link | undefined;
  private closing = false;
  private subscribed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private firstSubscribe: { resolve: () => void; reject: (error: unknown) => void } | undefined;

  constructor(private readonly options: PipelinedSessionOptions) {}

  /** Resolves once the broker answered the first SUBSCRIBE; rejects if the first connection fails before it. */
  start(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.firstSubscribe = { resolve, reject };
      this.connect();
    });
  }

  get connected(): boolean {
    return this.subscribed;
  }

  /** DISCONNECT with the session kept: what is unacknowledged stays with the broker. */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    const link = this.link;
    if (!link || link.socket.destroyed) return;
    const closed = new Promise<void>((resolve) => link.socket.once('close', () => resolve()));
    if (link.socket.writable) link.socket.end(mqttPacket.generate({ cmd: 'disconnect', reasonCode: 0 }, PROTOCOL));
    const timer = setTimeout(() => link.socket.destroy(), CLOSE_WAIT_MS);
    await closed;
    clearTimeout(timer);
  }

  private connect(): void {
    const url = new URL(this.options.url);
    const host = url.hostname;
    const socket =
      url.protocol === 'mqtts:'
        ? tls.connect({ host, port: Number(url.port || 8883), servername: net.isIP(host) ? undefined : host })
        : net.connect({ host, port: Number(url.port || 1883) });
    socket.setNoDelay(true);
    const link: Link = {
      socket,
      acks: new InOrderAcks(),
      handling: 0,
      ackScheduled: false,
      lastHeardMs: Date.now(),
      lastSentMs: Date.now(),
      timers: [],
      parsed: [],
      resumeWhenRoom: () => this.resumeIfRoom(link),
    };
    this.link = link;
    const parser = mqttPacket.parser(PROTOCOL);
    parser.on('packet', (packet: Packet) => this.receive(link, packet));
    parser.on('error', (error: Error) => this.drop(link, 'the broker sent a malformed packet', error));
    socket.on('data', (chunk: Buffer) => {
      link.lastHeardMs = Date.now();
      parser.parse(chunk);
    });
    socket.once(url.protocol === 'mqtts:' ? 'secureConnect' : 'connect', () => {
      this.send(link, {
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 5,
        clientId: this.options.clientId,
        clean: false,
        keepalive: this.options.keepaliveSeconds,
        username: this.options.username,
        password: Buffer.from(this.options.password),
        properties: { sessionExpiryInterval: this.options.sessionExpirySeconds, receiveMaximum: this.options.inFlight },
      });
    });
    link.timers.push(
      setTimeout(() => {
        if (!this.subscribed) this.drop(link, `no CONNACK and SUBACK within ${CONNECT_TIMEOUT_MS} ms`);
      }, CONNECT_TIMEOUT_MS),
    );
    socket.on('error', (error) => this.failed(link, error));
    socket.on('close', () => this.closed(link));
  }

  private receive(link: Link, packet: Packet): void {
    if (link !== this.link) return;
    switch (packet.cmd) {
      case 'publish':
        this.arrived(link, packet);
        return;
      case 'connack':
        this.connacked(link, packet);
        return;
      case 'suback':
        this.subacked(packet);
        return;
      case 'disconnect':
        this.drop(link, 'the broker disconnected', undefined, disconnectDetail(packet));
        return;
      case 'pingresp':
        return;
      default:
        this.drop(link, `unexpected ${packet.cmd} packet from the broker`);
    }
  }

  private connacked(link: Link, connack: IConnackPacket): void {
    const reasonCode = connack.reasonCode ?? connack.returnCode ?? 0;
    if (reasonCode !== 0) {
      this.failed(link, new Error(`the broker refused the connection: reason code ${reasonCode}`));
      link.socket.destroy();
      return;
    }
    this.options.log('info', 'mqtt connected', { clientId: this.options.clientId, sessionPresent: connack.sessionPresent });
    // Subscribe on every connect, even when the session is present: mosquitto 2.0.11 restores a
    // `$share` subscription after a broker restart but delivers nothing to it (seen here).
    // Subscribing again is idempotent and keeps the session's queued messages. Retain Handling 1:
    // retained messages come when the session first subscribes, not again on each resubscribe.
    this.send(link, {
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: this.options.subscriptions.map((topic) => ({ topic, qos: 1, rh: 1, nl: false, rap: false })),
    });
    this.keepAlive(link);
  }

  private subacked(suback: ISubackPacket): void {
    const refused = (suback.granted as number[]).some((code) => code >= FIRST_REFUSAL_CODE);
    if (refused) {
      this.options.log('error', 'mqtt subscription refused', { clientId: this.options.clientId, subscriptions: this.options.subscriptions, granted: suback.granted });
    }
    this.subscribed = true;
    this.firstSubscribe?.resolve();
    this.firstSubscribe = undefined;
  }

  private deliver(link: Link, publish: IPublishPacket): void {
    // Neither was offered: no Topic Alias Maximum was sent, and the subscription is at QoS 1.
    if (publish.properties?.topicAlias !== undefined || publish.qos === 2) {
      this.drop(link, 'the broker broke the subscription it granted', undefined, { qos: publish.qos, topicAlias: publish.properties?.topicAlias });
      return;
    }
    const handled = publish.qos === 1 ? link.acks.arrived(publish.messageId!) : undefined;
    // A copy: mqtt-packet's payload is a view of the socket's chunk (up to 64 KiB), which a
    // message in hand would otherwise keep alive whole.
    const payload = Buffer.from(publish.payload);
    const { budget } = this.options;
    budget.take(payload.length);
    link.handling++;
    const done = () => {
      link.handling--;
      budget.give(payload.length);
    };
    const notHandled = (error: unknown) => {
      done();
      this.drop(link, 'message not handled; reconnecting so the broker delivers it again', error, { topic: publish.topic });
    };
    let handling: Promise<void>;
    try {
      handling = this.options.handler(publish.topic, payload, { retained: publish.retain });
    } catch (error) {
      // Thrown rather than rejected: still this message's failure, not the socket's.
      notHandled(error);
      return;
    }
    handling.then(() => {
      done();
      handled?.();
      this.settled(link);
    }, notHandled);
  }

  /** At the connection's in-flight limit, or with the source's byte budget spent. */
  private full(link: Link): boolean {
    return link.handling >= this.options.inFlight || this.options.budget.spent();
  }

  private arrived(link: Link, publish: IPublishPacket): void {
    if (link.parsed.length > 0 || this.full(link)) link.parsed.push(publish);
    else this.deliver(link, publish);
    this.pauseIfFull(link);
  }

  /** Stops reading while the link is full; a spent budget calls it back when bytes are given back. */
  private pauseIfFull(link: Link): void {
    if (!this.full(link)) return;
    link.socket.pause();
    if (this.options.budget.spent()) this.options.budget.whenAvailable(link.resumeWhenRoom);
  }

  private resumeIfRoom(link: Link): void {
    if (link !== this.link) return;
    while (link.parsed.length > 0 && !this.full(link)) this.deliver(link, link.parsed.shift()!);
    if (link.parsed.length > 0 || this.full(link)) {
      this.pauseIfFull(link);
      return;
    }
    if (!link.socket.isPaused()) return;
    // Silence while paused was ours: the keep-alive counts from here.
    link.lastHeardMs = Date.now();
    link.socket.resume();
  }

  private settled(link: Link): void {
    this.resumeIfRoom(link);
    if (link.ackScheduled) return;
    // Handlers resolved by one Kafka acknowledgement settle in one run of microtasks: their
    // PUBACKs leave together, after it, in one write (one write each cost 3.6 % of ingest's time).
    link.ackScheduled = true;
    process.nextTick(() => this.acknowledge(link));
  }

  private acknowledge(link: Link): void {
    link.ackScheduled = false;
    const released = link.acks.release();
    if (released.length === 0 || link !== this.link || !link.socket.writable) return;
    const pubacks = released.map((messageId) => mqttPacket.generate({ cmd: 'puback', messageId, reasonCode: 0 }, PROTOCOL));
    link.socket.write(pubacks.length === 1 ? pubacks[0]! : Buffer.concat(pubacks));
    link.lastSentMs = Date.now();
  }

  /** PINGREQ when nothing was sent for half the keep-alive; a connection silent for 1.5 times it is dropped. */
  private keepAlive(link: Link): void {
    const keepaliveMs = this.options.keepaliveSeconds * 1_000;
    const timer = setInterval(() => {
      const now = Date.now();
      // While the socket is paused for messages in hand, silence is ours, not the broker's.
      if (!link.socket.isPaused() && now - link.lastHeardMs > keepaliveMs * 1.5) {
        this.drop(link, `nothing heard from the broker for ${now - link.lastHeardMs} ms (keep-alive ${this.options.keepaliveSeconds} s)`);
      } else if (now - link.lastSentMs >= keepaliveMs / 2) {
        this.send(link, { cmd: 'pingreq' });
      }
    }, keepaliveMs / 4);
    timer.unref();
    link.timers.push(timer);
  }

  private send(link: Link, packet: Packet): void {
    if (!link.socket.writable) return;
    link.socket.write(mqttPacket.generate(packet, PROTOCOL));
    link.lastSentMs = Date.now();
  }

  private drop(link: Link, reason: string, error?: unknown, extra: Record<string, unknown> = {}): void {
    if (link !== this.link || link.socket.destroyed) return;
    this.options.log('warn', `mqtt connection dropped: ${reason}`, { clientId: this.options.clientId, err: error, unacknowledged: link.acks.pending, ...extra });
    link.socket.destroy();
  }

  /** Before the first SUBACK a failure fails start(); after it the session reconnects. */
  private failed(link: Link, error: unknown): void {
    if (this.firstSubscribe) {
      this.firstSubscribe.reject(error);
      this.firstSubscribe = undefined;
      this.closing = true;
      link.socket.destroy();
      return;
    }
    this.options.log('error', 'mqtt connection error; reconnecting', { clientId: this.options.clientId, err: error });
  }

  private closed(link: Link): void {
    for (const timer of link.timers) clearTimeout(timer);
    if (link !== this.link) return;
    this.subscribed = false;
    if (this.closing) return;
    this.options.log('warn', 'mqtt offline', { clientId: this.options.clientId, unacknowledged: link.acks.pending });
    this.reconnectTimer = setTimeout(() => this.connect(), RECONNECT_MS);
  }
}

function disconnectDetail(packet: IDisconnectPacket): Record<string, unknown> {
  return { reasonCode: packet.reasonCode, reasonString: packet.properties?.reasonString };
}
