import { describe, expect, it } from 'vitest';
import { createSemaphore } from '../src/index.ts';

/** A promise with its resolve, for tasks the test ends when it chooses. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('createSemaphore', () => {
  it('runs at most its slots at once and starts the waiting tasks in the order they came', async () => {
    const semaphore = createSemaphore(2);
    const gates = [gate(), gate(), gate(), gate()];
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      semaphore.run(async () => {
        started.push(i);
        await g.opened;
        return i * 10;
      }),
    );
    await settled();
    expect(started).toEqual([0, 1]);
    gates[1]!.open();
    await settled();
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.open();
    await settled();
    expect(started).toEqual([0, 1, 2, 3]);
    gates[2]!.open();
    gates[3]!.open();
    expect(await Promise.all(runs)).toEqual([0, 10, 20, 30]);
  });

  it('hands a freed slot to the first waiter, not to a newcomer', async () => {
    const semaphore = createSemaphore(1);
    const first = await semaphore.acquire();
    const waiter = semaphore.acquire();
    first!();
    // The newcomer asks in the same turn as the release: the waiter already holds the slot.
    let newcomerServed = false;
    const newcomer = semaphore.acquire().then((release) => {
      newcomerServed = true;
      return release;
    });
    const waiterRelease = await waiter;
    await settled();
    expect(newcomerServed).toBe(false);
    waiterRelease!();
    expect(await newcomer).toBeTypeOf('function');
  });

  it('frees the slot when a task fails, and passes the failure on', async () => {
    const semaphore = createSemaphore(1);
    await expect(semaphore.run(() => Promise.reject(new Error('store refused')))).rejects.toThrow('store refused');
    expect(await semaphore.run(() => Promise.resolve('next'))).toBe('next');
  });

  it('refuses at once when the bounded queue is full, and counts a release only once', async () => {
    const semaphore = createSemaphore(1, 1);
    const holder = await semaphore.acquire();
    const queued = semaphore.acquire();
    expect(await semaphore.acquire()).toBeUndefined();
    await expect(semaphore.run(() => Promise.resolve('never'))).rejects.toThrow(RangeError);
    holder!();
    holder!();
    const second = await queued;
    // The double release did not make a second slot: one more caller waits again.
    const third = semaphore.acquire();
    let thirdServed = false;
    void third.then(() => (thirdServed = true));
    await settled();
    expect(thirdServed).toBe(false);
    second!();
    expect(await third).toBeTypeOf('function');
  });

  it('needs at least one slot', () => {
    expect(() => createSemaphore(0)).toThrow(RangeError);
  });
});
