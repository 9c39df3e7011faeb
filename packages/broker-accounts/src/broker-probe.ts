/**
 * What a test sees of a broker from the outside, to check what provisioning did: who may
 * connect, what they may publish, and what an observer reading every device topic received.
 * The contract suite drives it; the in-memory twin has one, and a real broker is probed over MQTT.
 */
export interface BrokerProbe {
  /** Connects as `username`; the broker refusing the credentials is `refused`, not an error. */
  connect(username: string, password: string): Promise<ProbeConnectOutcome>;
  /** Messages under `meterline/v1/` that reached the observer, in arrival order. */
  readonly delivered: readonly DeliveredMessage[];
  /** Resolves once a message with this payload has reached the observer. */
  waitForDelivery(payload: string): Promise<void>;
  close(): Promise<void>;
}

export type ProbeConnectOutcome = { kind: 'connected'; connection: ProbeConnection } | { kind: 'refused' };

export interface ProbeConnection {
  /** A QoS 1 publish: `accepted` once the broker acknowledged it, `refused` when the broker said not authorised. */
  publish(topic: string, payload: string): Promise<'accepted' | 'refused'>;
  /** Resolves when the broker ends the connection (never when the test closes it). */
  readonly dropped: Promise<void>;
  close(): Promise<void>;
}

export interface DeliveredMessage {
  readonly topic: string;
  readonly payload: string;
}
