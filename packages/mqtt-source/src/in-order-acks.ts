/**
 * QoS 1 acknowledgements of one connection, released in the order the messages arrived.
 * MQTT 5.0 §4.6 requires a client to send PUBACKs in the order the PUBLISH packets came, so a
 * message handled early waits for every message before it; a message that is never handled
 * holds back all after it, and the broker delivers them again when the session resumes.
 */
export class InOrderAcks {
  private readonly waiting: { messageId: number; handled: boolean }[] = [];

  /** Called for each QoS 1 message as it arrives; the returned function marks it handled. */
  arrived(messageId: number): () => void {
    const entry = { messageId, handled: false };
    this.waiting.push(entry);
    return () => {
      entry.handled = true;
    };
  }

  /** The ids now acknowledgeable, in order, taken out of the waiting line. */
  release(): number[] {
    let count = 0;
    while (count < this.waiting.length && this.waiting[count]!.handled) count++;
    return this.waiting.splice(0, count).map((entry) => entry.messageId);
  }

  get pending(): number {
    return this.waiting.length;
  }
}
