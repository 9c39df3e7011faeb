/** What the broker said of a message besides its topic and payload. */
export interface MessageMeta {
  /**
   * The PUBLISH packet's retain flag as delivered: set when the broker sent a stored retained
   * message because the subscription was made, not for a message published while subscribed.
   */
  retained: boolean;
}

/** Resolves once the message is safe elsewhere; only then is it acknowledged to the broker. */
export type MessageHandler = (topic: string, payload: Buffer, meta: MessageMeta) => Promise<void>;

export interface SourceStatus {
  connected: number;
  connections: number;
}

export interface MessageSource {
  start(handler: MessageHandler): Promise<void>;
  /** Stops taking messages; unacknowledged ones stay with the broker for the next session. */
  close(): Promise<void>;
  status(): SourceStatus;
}
