import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureInstalled, freePort, isStackError, mosquittoDynsec } from '../src/index.ts';
import type { Installation } from '../src/index.ts';

let baseDir: string;
let installation: Installation;
const ADMIN = { username: 'launcher-admin', password: 'launcher-test' };

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
      const broker = mosquittoDynsec({ dir: baseDir, port, admin: ADMIN, installation });
      const error: unknown = await broker.start().catch((e: unknown) => e);
      expect(isStackError(error, 'MTL_STACK_START_FAILED')).toBe(true);
      expect((error as Error).message).toContain(`port ${port}`);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('names the log file and quotes its last lines when the service exits while starting', async () => {
    const dir = join(baseDir, 'bad-plugin');
    await mkdir(dir);
    // A file where the plugin should be, but no shared library: Mosquitto exits at once, saying why in its log.
    const pluginPath = join(dir, 'not-a-plugin.so');
    await writeFile(pluginPath, 'this is not a shared library\n');
    const broker = mosquittoDynsec({ dir, port: await freePort(), admin: ADMIN, pluginPath, installation });
    const error: unknown = await broker.start().catch((e: unknown) => e);
    expect(isStackError(error, 'MTL_STACK_START_FAILED')).toBe(true);
    expect((error as Error).message).toContain(broker.logFile);
    expect((error as Error).message).toMatch(/plugin/i);
    expect(await broker.runningPid()).toBeUndefined();
  });
});

describe('service handles', () => {
  it('stop the process another handle on the same directory restarted (no leaked process)', async () => {
    const dir = join(baseDir, 'two-handles');
    await mkdir(dir);
    const options = { dir, port: await freePort(), admin: ADMIN, installation };
    const first = mosquittoDynsec(options);
    await first.start();
    const firstPid = await first.runningPid();
    const second = mosquittoDynsec(options);
    await second.kill();
    await second.start();
    const secondPid = await second.runningPid();
    expect(secondPid).not.toBe(firstPid);
    expect(await first.runningPid()).toBe(secondPid);
    await first.stop();
    expect(await second.runningPid()).toBeUndefined();
  }, 30_000);

  it('refuses to adopt a broker in its directory that runs without the plugin (the password-file broker of earlier versions)', async () => {
    const dir = join(baseDir, 'earlier-broker');
    await mkdir(dir);
    const options = { dir, port: await freePort(), admin: ADMIN, installation };
    const running = mosquittoDynsec(options);
    await running.start();
    try {
      // What the directory of an earlier version's broker held: a configuration with a password file.
      await writeFile(join(dir, 'mosquitto.conf'), `listener ${options.port} 127.0.0.1\npassword_file ${join(dir, 'passwd')}\n`);
      const error: unknown = await mosquittoDynsec(options).start().catch((e: unknown) => e);
      expect(isStackError(error, 'MTL_STACK_CONFIG_INVALID')).toBe(true);
      expect((error as Error).message).toContain('stack down');
    } finally {
      await running.stop();
    }
  }, 30_000);

  it('refuses to adopt a broker in its directory that runs without the publish limit (a broker of a version before it)', async () => {
    const dir = join(baseDir, 'unlimited-broker');
    await mkdir(dir);
    const options = { dir, port: await freePort(), admin: ADMIN, installation };
    const running = mosquittoDynsec(options);
    await running.start();
    try {
      const conf = join(dir, 'mosquitto.conf');
      const withoutLimit = (await readFile(conf, 'utf8'))
        .split('\n')
        .filter((line) => !line.includes('meterline_rate_limit') && !/^plugin_opt_(messages|message|bytes|byte)_/.test(line));
      await writeFile(conf, withoutLimit.join('\n'));
      const error: unknown = await mosquittoDynsec(options).start().catch((e: unknown) => e);
      expect(isStackError(error, 'MTL_STACK_CONFIG_INVALID')).toBe(true);
      expect((error as Error).message).toContain('no publish limit');
    } finally {
      await running.stop();
    }
  }, 30_000);
});
