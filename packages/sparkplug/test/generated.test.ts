import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const PACKAGE_DIR = join(import.meta.dirname, '..');
const GENERATED = join('src', 'gen', 'sparkplug_b_pb.ts');
const BUF = join(PACKAGE_DIR, 'node_modules', '.bin', 'buf');

describe('the generated payload code', () => {
  const out = mkdtemp(join(tmpdir(), 'meterline-sparkplug-gen-'));
  afterAll(async () => rm(await out, { recursive: true, force: true }));

  it('is what buf and protoc-gen-es make of the committed .proto today (regenerate with pnpm gen)', async () => {
    const dir = await out;
    // The package's own bin directory first, so buf finds the local protoc-gen-es plugin.
    const env = { ...process.env, PATH: `${join(PACKAGE_DIR, 'node_modules', '.bin')}:${process.env['PATH'] ?? ''}`, BUF_CACHE_DIR: join(dir, 'cache') };
    await promisify(execFile)(BUF, ['generate', '--output', dir], { cwd: PACKAGE_DIR, env });
    expect(await readFile(join(dir, GENERATED), 'utf8')).toBe(await readFile(join(PACKAGE_DIR, GENERATED), 'utf8'));
  });
});
