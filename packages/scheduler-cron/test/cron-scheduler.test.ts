import { expect, it } from 'vitest';
import { schedulerContract } from '@meterline/scheduler/contract';
import { CronScheduler } from '../src/index.ts';

schedulerContract('CronScheduler', () => {
  const firings = new Map<string, number>();
  const scheduler = new CronScheduler({ onError: () => undefined });
  // Count firings by wrapping add, so the driver can wait for the next real one.
  const add = scheduler.add.bind(scheduler);
  scheduler.add = (entry) =>
    add({
      ...entry,
      task: async (at) => {
        firings.set(entry.name, (firings.get(entry.name) ?? 0) + 1);
        await entry.task(at);
      },
    });
  return {
    scheduler,
    everySecond: '* * * * * *',
    nextFiring: async (name) => {
      const seen = firings.get(name) ?? 0;
      while ((firings.get(name) ?? 0) <= seen) await new Promise((r) => setTimeout(r, 20));
    },
  };
});

it('reports a failing task and keeps its schedule', async () => {
  const errors: string[] = [];
  const scheduler = new CronScheduler({ onError: (name, error) => errors.push(`${name}: ${(error as Error).message}`) });
  scheduler.add({ name: 'fails', expression: '* * * * * *', timeZone: 'UTC', task: async () => Promise.reject(new Error('boom')) });
  while (errors.length < 2) await new Promise((r) => setTimeout(r, 50));
  await scheduler.close();
  expect(errors.slice(0, 2)).toEqual(['fails: boom', 'fails: boom']);
});

it('refuses an expression that is not cron', () => {
  const scheduler = new CronScheduler({ onError: () => undefined });
  expect(() => scheduler.add({ name: 'bad', expression: 'every day', timeZone: 'UTC', task: () => Promise.resolve()})).toThrow(/not a cron expression/);
});
