// The Python tools' installer without the network (the fuzzer's, the edge peers' and the mining reference's): what it reuses, and
// what it says when Python is missing or too old. The installs themselves run in test/e2e/api-fuzz.e2e.test.ts,
// test/e2e/sparkplug.e2e.test.ts and infra/local/test/mining-reference.int.test.ts.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VERSIONS, ensureEdgePeers, ensureMiningReference, ensureSchemathesis } from '../src/index.ts';

const dirs: string[] = [];
async function cacheDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'meterline-schemathesis-test-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A stand-in python3 that reports a version and can do nothing else. */
async function fakePython(dir: string, version: string): Promise<string> {
  const path = join(dir, 'python3');
  await writeFile(path, `#!/bin/sh\necho ${version}\n`);
  await chmod(path, 0o755);
  return path;
}

describe('ensureSchemathesis', () => {
  it('reuses a complete install without running Python', async () => {
    const dir = await cacheDir();
    const home = join(dir, `schemathesis-${VERSIONS.schemathesis}`);
    await mkdir(join(home, 'venv', 'bin'), { recursive: true });
    await writeFile(join(home, 'venv', 'bin', 'schemathesis'), '');
    await writeFile(join(home, '.complete'), 'done\n');
    const installed = await ensureSchemathesis({ cacheDir: dir, python: join(dir, 'no-such-python3'), log: () => undefined });
    expect(installed).toEqual({ bin: join(home, 'venv', 'bin', 'schemathesis'), version: VERSIONS.schemathesis });
  });

  it('names python3 and the apt packages when Python cannot run', async () => {
    const dir = await cacheDir();
    const install = ensureSchemathesis({ cacheDir: dir, python: join(dir, 'no-such-python3'), log: () => undefined });
    await expect(install).rejects.toMatchObject({ code: 'MTL_STACK_TOOL_MISSING', message: expect.stringContaining('apt-get install -y python3 python3-venv') as unknown });
  });

  it('refuses a Python older than schemathesis needs, naming both versions', async () => {
    const dir = await cacheDir();
    const install = ensureSchemathesis({ cacheDir: dir, python: await fakePython(dir, '3.9'), log: () => undefined });
    await expect(install).rejects.toMatchObject({ code: 'MTL_STACK_TOOL_MISSING', message: expect.stringMatching(/needs Python 3\.11\+; .* is 3\.9/) as unknown });
  });
});

describe('ensureEdgePeers', () => {
  it('reuses a complete install of the three pinned peers without running Python', async () => {
    const dir = await cacheDir();
    const home = join(dir, `edge-peers-${VERSIONS.pysparkplug}-${VERSIONS.pymodbus}-${VERSIONS.dlt645}`);
    await mkdir(join(home, 'venv', 'bin'), { recursive: true });
    await writeFile(join(home, '.complete'), 'done\n');
    const installed = await ensureEdgePeers({ cacheDir: dir, python: join(dir, 'no-such-python3'), log: () => undefined });
    expect(installed).toEqual({ python: join(home, 'venv', 'bin', 'python') });
  });

  it('names the peers that need Python when it cannot run', async () => {
    const dir = await cacheDir();
    const install = ensureEdgePeers({ cacheDir: dir, python: join(dir, 'no-such-python3'), log: () => undefined });
    await expect(install).rejects.toMatchObject({ code: 'MTL_STACK_TOOL_MISSING', message: expect.stringContaining(`pysparkplug==${VERSIONS.pysparkplug}`) as unknown });
  });
});

describe('ensureMiningReference', () => {
  it('reuses a complete install of the pinned reference without running Python', async () => {
    const dir = await cacheDir();
    const pins = [VERSIONS.opendsm, VERSIONS.opendsmMultimethod, VERSIONS.opendsmNumpy, VERSIONS.opendsmPandas, VERSIONS.opendsmScipy, VERSIONS.opendsmNlopt, VERSIONS.opendsmNumba];
    const home = join(dir, `mining-reference-${pins.join('-')}`);
    await mkdir(join(home, 'venv', 'bin'), { recursive: true });
    await writeFile(join(home, '.complete'), 'done\n');
    const installed = await ensureMiningReference({ cacheDir: dir, python: join(dir, 'no-such-python3'), log: () => undefined });
    expect(installed).toEqual({ python: join(home, 'venv', 'bin', 'python') });
  });

  it('names opendsm when Python cannot run', async () => {
    const dir = await cacheDir();
    const install = ensureMiningReference({ cacheDir: dir, python: join(dir, 'no-such-python3'), log: () => undefined });
    await expect(install).rejects.toMatchObject({ code: 'MTL_STACK_TOOL_MISSING', message: expect.stringContaining(`opendsm==${VERSIONS.opendsm}`) as unknown });
  });
});
