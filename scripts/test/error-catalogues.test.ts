import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUES, renderErrorsDoc } from '../error-catalogues.ts';

const root = join(import.meta.dirname, '..', '..');

/** Every source file of the workspaces (tests and dependencies left out). */
function sourceFiles(): string[] {
  const dirs = ['packages', 'services'].flatMap((top) => readdirSync(join(root, top)).map((name) => join(root, top, name, 'src')));
  dirs.push(join(root, 'infra', 'local', 'src'));
  return dirs.flatMap((dir) => {
    try {
      return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  });
}

describe('the error catalogues', () => {
  it('docs/errors.md is what the catalogues render (pnpm errors:doc)', () => {
    expect(readFileSync(join(root, 'docs', 'errors.md'), 'utf8')).toBe(renderErrorsDoc());
  });

  it('no code is declared twice', () => {
    const codes = ERROR_CATALOGUES.flatMap((c) => c.codes);
    expect(codes.filter((code, i) => codes.indexOf(code) !== i)).toEqual([]);
  });

  it('every error code in the source is in a catalogue (environment variable names aside)', () => {
    const known = new Set(ERROR_CATALOGUES.flatMap((c) => c.codes));
    // An environment variable's name is read as `env['MTL_…']` or named by a constant `…_ENV = 'MTL_…'`.
    const missing = sourceFiles().flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/(env\[|_ENV = )?'(MTL_[A-Z0-9_]+)'/g)].filter((m) => m[1] === undefined && !known.has(m[2]!)).map((m) => `${file.slice(root.length + 1)}: ${m[2]}`),
    );
    expect(missing).toEqual([]);
  });
});
