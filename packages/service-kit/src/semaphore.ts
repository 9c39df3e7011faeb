/** Frees the slot it was handed with; a second call does nothing. */
type ReleaseSlot = () => void;

export interface Semaphore {
  /** A slot, once one is free; `undefined` at once when `maxWaiting` callers already wait for one. */
  acquire(): Promise<ReleaseSlot | undefined>;
  /** Runs `task` in a slot, waiting for one; rejects without running it when the queue is full. */
  run<T>(task: () => Promise<T>): Promise<T>;
}

/**
 * At most `slots` holders at once; the others wait their turn, in order. A freed slot goes
 * straight to the first waiter, so no newcomer takes it meanwhile. A bounded queue
 * (`maxWaiting`) lets a caller refuse work it could only pile up (a busy answer), not wait for ever.
 */
export function createSemaphore(slots: number, maxWaiting = Number.POSITIVE_INFINITY): Semaphore {
  if (!Number.isInteger(slots) || slots < 1) throw new RangeError(`a semaphore needs at least one slot, not ${slots}`);
  let held = 0;
  const waiting: Array<(release: ReleaseSlot) => void> = [];

  const slot = (): ReleaseSlot => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = waiting.shift();
      if (next) next(slot());
      else held--;
    };
  };

  const acquire = (): Promise<ReleaseSlot | undefined> => {
    if (held < slots) {
      held++;
      return Promise.resolve(slot());
    }
    if (waiting.length >= maxWaiting) return Promise.resolve(undefined);
    return new Promise((resolve) => waiting.push(resolve));
  };

  return {
    acquire,
    async run(task) {
      const release = await acquire();
      if (!release) throw new RangeError(`${slots} tasks are running and ${maxWaiting} waiting: the queue is full`);
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
