import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureInstalled, freePort, isStackError, mosquitto } from '../src/index.ts';
import type { Installation } from '../src/index.ts';

let baseDir: string;
let installation: Installation;

beforeAll(async () => {
  baseDir = await mkdtemp(join(tmpdir(), 'mtl-launcher-test-'));
  installation = await ensureInstalled();
}, 900_000);

afterAll(async () => {
  await rm(baseDir, { recursive: true, force: true });
});

describe('ensureInstalled', () => {
  it('is idempotent and safe to call concurrently (one lock holder at a time)', async () => {
    const lines: string[] = [];
    const results = await Promise.all([1, 2, 3].map(() => ensureInstalled({ log: (line) => lines.push(line) })));
    for (const result of results) expect(result).toEqual(installation);
    // Everything is installed already: no install step ran.
    expect(lines.filter((l) => !l.includes('waiting for another install'))).toEqual([]);
  });
});

describe('service start failures', () => {
  it('refuses to start on a port another process holds, instead of probing that process', async () => {
    const port = await freePort();
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      const broker = mosquitto({ dir: baseDir, port, users: [{ username: 'u', password: 'p' }], acl: '', installation });
      const error: unknown = await broker.start().catch((e: unknown) => e);
      expect(isStackError(error, 'MTL_STACK_START_FAILED')).toBe(true);
      expect((error as Error).message).toContain(`port ${port}`);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('names the log file and quotes its last lines when the service exits while starting', async () => {
    const dir = join(baseDir, 'bad-acl');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dir);
    const broker = mosquitto({ dir, port: await freePort(), users: [{ username: 'u', password: 'p' }], acl: 'this is not an acl line\n', installation });
    const error: unknown = await broker.start().catch((e: unknown) => e);
    expect(isStackError(error, 'MTL_STACK_START_FAILED')).toBe(true);
    expect((error as Error).message).toContain(broker.logFile);
    expect((error as Error).message).toMatch(/ACL/i);
    expect(await broker.runningPid()).toBeUndefined();
  });
});

describe('service handles', () => {
  it('stop the process another handle on the same directory restarted (no leaked process)', async () => {
    const dir = join(baseDir, 'two-handles');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dir);
    const options = { dir, port: await freePort(), users: [{ username: 'u', password: 'p' }], acl: 'pattern write meterline/v1/%u/#\n', installation };
    const first = mosquitto(options);
    await first.start();
    const firstPid = await first.runningPid();
    const second = mosquitto(options);
    await second.kill();
    await second.start();
    const secondPid = await second.runningPid();
    expect(secondPid).not.toBe(firstPid);
    expect(await first.runningPid()).toBe(secondPid);
    await first.stop();
    expect(await second.runningPid()).toBeUndefined();
  }, 30_000);
});
