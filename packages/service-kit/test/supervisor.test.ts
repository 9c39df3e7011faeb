import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMetricsRegistry, supervise } from '../src/index.ts';

/** A child that dies at once until it has been restarted `crashes` times, then runs until signalled, exiting 0 on SIGTERM. */
const child = (crashes: number) => [
  '-e',
  `const n = Number(process.env.MTL_SUPERVISOR_RESTARTS);
   console.log('started with', n);
   if (n < ${crashes}) process.exit(7);
   process.on('SIGTERM', () => process.exit(0));
   setInterval(() => {}, 1000);`,
];

describe('supervise (issue 18)', () => {
  it('starts a dying service again with back-off, logs and counts each restart, and stops it on request', async () => {
    const logged: { msg: string; code?: unknown; restarts?: unknown }[] = [];
    const supervision = supervise({ name: 'flaky', command: process.execPath, args: child(2), backoff: { baseMs: 10, maxMs: 40 }, log: (entry) => logged.push(entry) });
    await expect.poll(() => supervision.restarts(), { timeout: 20_000 }).toBe(2);
    // Running now (restarted twice): it stays up, and the supervisor does not start it again.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(supervision.restarts()).toBe(2);
    expect(logged.map(({ msg, code, restarts }) => ({ msg, code, restarts }))).toEqual([
      { msg: 'flaky exited; starting it again', code: 7, restarts: 1 },
      { msg: 'flaky exited; starting it again', code: 7, restarts: 2 },
    ]);
    expect(await supervision.stop()).toBe(0);
    expect(supervision.restarts()).toBe(2);
  });

  it('starts a SIGKILLed service again, and kills one that ignores the stop signal after its grace', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'supervisor-test-'));
    const pidFile = join(dir, 'child.pid');
    const logged: Record<string, unknown>[] = [];
    const stubborn = ['-e', "require('node:fs').writeFileSync(process.env.PID_FILE, String(process.pid)); process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);"];
    const supervision = supervise({ name: 'stubborn', command: process.execPath, args: stubborn, env: { ...process.env, PID_FILE: pidFile }, backoff: { baseMs: 10, maxMs: 40 }, stopGraceMs: 200, log: (entry) => logged.push(entry) });
    const childPid = () => readFile(pidFile, 'utf8').then(Number, () => undefined);
    await expect.poll(childPid, { timeout: 20_000 }).toBeGreaterThan(0);
    const first = (await childPid())!;
    // What an OOM killer or an operator's kill -9 does: no exit code, a signal.
    process.kill(first, 'SIGKILL');
    await expect.poll(() => supervision.restarts(), { timeout: 20_000 }).toBe(1);
    expect(logged[0]).toMatchObject({ code: null, signal: 'SIGKILL' });
    await expect.poll(childPid, { timeout: 20_000 }).not.toBe(first);
    // It ignores SIGTERM: killed after the grace, so it exits with no code.
    expect(await supervision.stop()).toBeNull();
    expect(supervision.restarts()).toBe(1);
    await rm(dir, { recursive: true, force: true });
  });

  it('exposes the restarts a service was told of as a metric', async () => {
    const registry = createMetricsRegistry('test', 3);
    expect(await registry.getSingleMetricAsString('meterline_supervisor_restarts')).toContain('meterline_supervisor_restarts{service="test"} 3');
  });
});
