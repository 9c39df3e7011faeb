/** Resolves once the message is safe elsewhere; only then is it acknowledged to the broker. */
export type MessageHandler = (topic: string, payload: Buffer) => Promise<void>;

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
