import { expect, it } from 'vitest';
import { ManualScheduler } from '../src/index.ts';
import { schedulerContract } from './scheduler-contract.ts';

schedulerContract('ManualScheduler', () => {
  const scheduler = new ManualScheduler();
  let second = 0;
  return {
    scheduler,
    everySecond: '* * * * * *',
    nextFiring: async (name) => {
      await scheduler.fire(name, new Date(Date.UTC(2026, 0, 1, 0, 0, second++)));
    },
  };
});

it('skips a firing while the previous run of the task is busy', async () => {
  const scheduler = new ManualScheduler();
  let release!: () => void;
  scheduler.add({ name: 'busy', expression: '* * * * *', timeZone: 'UTC', task: () => new Promise<void>((r) => (release = r)) });
  const first = scheduler.fire('busy', new Date(0));
  expect(await scheduler.fire('busy', new Date(60_000))).toBe(false);
  release();
  expect(await first).toBe(true);
});

it('names the scheduled tasks when asked to fire an unknown one', async () => {
  const scheduler = new ManualScheduler();
  scheduler.add({ name: 'known', expression: '* * * * *', timeZone: 'UTC', task: () => Promise.resolve()});
  await expect(scheduler.fire('other', new Date(0))).rejects.toThrow(/known/);
});
