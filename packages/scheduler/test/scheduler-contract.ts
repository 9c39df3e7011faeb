import { afterEach, describe, expect, it } from 'vitest';
import type { Scheduler } from '../src/index.ts';

/** How a contract run makes a task's next firing happen: the twin fires it, a real scheduler waits for it. */
export interface SchedulerDriver {
  scheduler: Scheduler;
  /** An expression that fires often (every second for real schedulers). */
  everySecond: string;
  /** Makes the next firing of `name` happen and resolves after it has started. */
  nextFiring(name: string): Promise<void>;
}

/** The behaviour every Scheduler implementation must show. */
export function schedulerContract(name: string, makeDriver: () => SchedulerDriver): void {
  describe(`${name} (scheduler contract)`, () => {
    let driver: SchedulerDriver;
    afterEach(async () => {
      await driver.scheduler.close();
    });

    it('runs a task with the instant it was scheduled for', async () => {
      driver = makeDriver();
      const instants: Date[] = [];
      driver.scheduler.add({ name: 'tick', expression: driver.everySecond, timeZone: 'Asia/Shanghai', task: (at) => { instants.push(at); return Promise.resolve(); } });
      await driver.nextFiring('tick');
      await driver.nextFiring('tick');
      expect(instants.length).toBeGreaterThanOrEqual(2);
      expect(instants.every((at) => at instanceof Date && !Number.isNaN(at.getTime()))).toBe(true);
      expect(instants[1]!.getTime()).toBeGreaterThan(instants[0]!.getTime());
    });

    it('refuses a second task with the same name', () => {
      driver = makeDriver();
      const task = () => Promise.resolve();
      driver.scheduler.add({ name: 'dup', expression: driver.everySecond, timeZone: 'UTC', task });
      expect(() => driver.scheduler.add({ name: 'dup', expression: driver.everySecond, timeZone: 'UTC', task })).toThrow(/dup/);
    });

    it('close waits for the run in progress and runs nothing after it', async () => {
      driver = makeDriver();
      let runs = 0;
      let finished = 0;
      driver.scheduler.add({
        name: 'slow',
        expression: driver.everySecond,
        timeZone: 'UTC',
        task: async () => {
          runs++;
          await new Promise((r) => setTimeout(r, 300));
          finished++;
        },
      });
      void driver.nextFiring('slow');
      await new Promise((r) => setTimeout(r, 50));
      await driver.nextFiring('slow').catch(() => undefined);
      await driver.scheduler.close();
      expect(finished).toBe(runs);
      const after = runs;
      await new Promise((r) => setTimeout(r, 1_200));
      expect(runs).toBe(after);
    });
  });
}
