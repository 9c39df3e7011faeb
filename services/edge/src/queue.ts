import { DatabaseSync } from 'node:sqlite';
import { EdgeError } from './errors.ts';

/** A payload waiting for its PUBACK: stored as it will be sent, its seq given when it was stored. */
export interface QueuedPayload {
  seq: number;
  bytes: Buffer;
  readings: number;
  enqueuedAtMs: number;
}

export interface QueueStats {
  depth: number;
  /** When the oldest payload still queued was stored (epoch ms), undefined when the queue is empty. */
  oldestEnqueuedAtMs: number | undefined;
}

/**
 * The store-and-forward queue: payloads on local disk from the moment they are built until the
 * broker acknowledges them, so neither an outage nor a power cut loses a reading.
 *
 * - One SQLite file in WAL mode with `synchronous = FULL`: a committed transaction is on disk
 *   (fsynced) before `enqueue` returns, so a power cut after it cannot lose the payload.
 * - The seq counter lives in the same file and moves in the same transaction as the insert: a
 *   payload's seq is given once, when it is stored, and kept through any number of resends and
 *   restarts. A counter that ran apart from the rows could hand a seq out twice after a crash.
 * - Payloads leave oldest first (by seq), and only through `remove`, called after the PUBACK.
 */
export class PayloadQueue {
  private readonly db: DatabaseSync;
  private readonly statements;

  constructor(file: string) {
    try {
      this.db = new DatabaseSync(file);
      this.db.exec(`
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = FULL;
        PRAGMA busy_timeout = 5000;
        CREATE TABLE IF NOT EXISTS payload (
          seq INTEGER PRIMARY KEY,
          enqueued_at_ms INTEGER NOT NULL,
          readings INTEGER NOT NULL,
          bytes BLOB NOT NULL
        ) STRICT;
        CREATE TABLE IF NOT EXISTS counter (name TEXT PRIMARY KEY, next INTEGER NOT NULL) STRICT;
        INSERT OR IGNORE INTO counter (name, next) VALUES ('seq', 0);
      `);
      const mode = this.db.prepare('PRAGMA journal_mode').get() as { journal_mode: string };
      // WAL cannot be had on some file systems (a network share): say so rather than run without it.
      if (mode.journal_mode !== 'wal') throw new Error(`journal_mode is ${mode.journal_mode}, not wal`);
    } catch (error) {
      throw new EdgeError('MTL_EDGE_QUEUE_FAILED', `cannot open the queue ${file}: ${(error as Error).message}`, { cause: error });
    }
    this.statements = {
      nextSeq: this.db.prepare("SELECT next FROM counter WHERE name = 'seq'"),
      advance: this.db.prepare("UPDATE counter SET next = ? WHERE name = 'seq'"),
      insert: this.db.prepare('INSERT INTO payload (seq, enqueued_at_ms, readings, bytes) VALUES (?, ?, ?, ?)'),
      oldest: this.db.prepare('SELECT seq, enqueued_at_ms, readings, bytes FROM payload ORDER BY seq LIMIT ?'),
      remove: this.db.prepare('DELETE FROM payload WHERE seq = ?'),
      stats: this.db.prepare('SELECT count(*) AS depth, min(enqueued_at_ms) AS oldest FROM payload'),
    };
  }

  /**
   * Stores the payloads `build` makes, one per entry of `parts`, each with the next seq, in one
   * transaction: all of them are on disk when this returns, or none. Returns their seqs.
   */
  enqueue<T>(parts: readonly T[], build: (seq: number, part: T) => { bytes: Buffer; readings: number }, nowMs: number): number[] {
    const seqs: number[] = [];
    try {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        let seq = Number((this.statements.nextSeq.get() as { next: number }).next);
        for (const part of parts) {
          const { bytes, readings } = build(seq, part);
          this.statements.insert.run(seq, nowMs, readings, bytes);
          seqs.push(seq++);
        }
        this.statements.advance.run(seq);
        this.db.exec('COMMIT');
      } catch (error) {
        this.db.exec('ROLLBACK');
        throw error;
      }
    } catch (error) {
      throw new EdgeError('MTL_EDGE_QUEUE_FAILED', `cannot store ${parts.length} payload(s): ${(error as Error).message}`, { cause: error });
    }
    return seqs;
  }

  /** The oldest payloads still queued, at most `limit`, in seq order. */
  oldest(limit = 1): QueuedPayload[] {
    return (this.statements.oldest.all(limit) as { seq: number; enqueued_at_ms: number; readings: number; bytes: Uint8Array }[]).map((row) => ({
      seq: Number(row.seq),
      bytes: Buffer.from(row.bytes),
      readings: Number(row.readings),
      enqueuedAtMs: Number(row.enqueued_at_ms),
    }));
  }

  /** Drops a payload the broker acknowledged. */
  remove(seq: number): void {
    this.statements.remove.run(seq);
  }

  stats(): QueueStats {
    // A metrics scrape may come while the agent closes.
    if (!this.db.isOpen) return { depth: 0, oldestEnqueuedAtMs: undefined };
    const row = this.statements.stats.get() as { depth: number; oldest: number | null };
    return { depth: Number(row.depth), oldestEnqueuedAtMs: row.oldest === null ? undefined : Number(row.oldest) };
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
