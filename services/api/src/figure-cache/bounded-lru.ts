/** Most entries and most bytes a BoundedLru holds; either reached, the least recently used go first. */
export interface LruLimits {
  maxEntries: number;
  maxBytes: number;
}

/**
 * A map that forgets its least recently used entries to stay within a number of entries and
 * of bytes (the caller says what an entry weighs). A Map keeps insertion order, so reading
 * an entry re-inserts it at the end and the first key is always the one to evict.
 */
export class BoundedLru<V> {
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  private heldBytes = 0;

  /** `onEvict` hears of every entry dropped to make room (not of deletions asked for). */
  constructor(
    private readonly limits: LruLimits,
    private readonly onEvict: (key: string, value: V) => void = () => undefined,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.heldBytes;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores the entry as the most recently used; false (and nothing stored) when it alone exceeds a limit. */
  set(key: string, value: V, bytes: number): boolean {
    if (this.limits.maxEntries < 1 || bytes > this.limits.maxBytes) return false;
    this.delete(key);
    this.entries.set(key, { value, bytes });
    this.heldBytes += bytes;
    while (this.entries.size > this.limits.maxEntries || this.heldBytes > this.limits.maxBytes) {
      const [oldest, entry] = this.entries.entries().next().value as [string, { value: V; bytes: number }];
      this.entries.delete(oldest);
      this.heldBytes -= entry.bytes;
      this.onEvict(oldest, entry.value);
    }
    return true;
  }

  delete(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.heldBytes -= entry.bytes;
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.heldBytes = 0;
  }
}
