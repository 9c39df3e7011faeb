// Issue 18: every chaos case is shown to detect loss by a mutant (scripts/chaos-mutants.ts runs
// them; it is too long for CI). These checks keep the mutants applicable as the code moves, and
// give every new chaos case a mutant.
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CHAOS_GAPS, CHAOS_MUTANTS, type ChaosMutant } from '../../test/e2e/chaos/mutants.ts';
import { applyMutant, caseVerdicts, mutatedTexts } from '../chaos-mutation.ts';

const root = join(import.meta.dirname, '..', '..');
const chaosDir = join(root, 'test', 'e2e', 'chaos');

/** The `it` titles of a chaos file. */
function caseTitles(file: string): string[] {
  const text = readFileSync(join(chaosDir, file), 'utf8');
  return [...text.matchAll(/\bit\((['"])((?:(?!\1)[^\\]|\\.)*)\1/g)].map((m) => m[2]!);
}

describe('chaos mutants (test/e2e/chaos/mutants.ts)', () => {
  it("every mutant's edits apply to today's code: each replaces text found exactly once", () => {
    const problems: string[] = [];
    for (const mutant of CHAOS_MUTANTS) {
      try {
        mutatedTexts(root, mutant);
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every case a mutant or a gap names is one chaos case, and every chaos case has a mutant or is a gap, not both', () => {
    const files = readdirSync(chaosDir).filter((f) => f.endsWith('.chaos.test.ts'));
    const titles = files.flatMap((file) => caseTitles(file).map((title) => ({ file, title })));
    expect(titles.length).toBeGreaterThan(0);
    const named = CHAOS_MUTANTS.flatMap((m) => m.cases.map((c) => ({ mutant: m.name, ...c })));
    const ambiguousOrMissing = [...named, ...CHAOS_GAPS].filter((c) => titles.filter((t) => t.file === c.file && t.title.startsWith(c.title)).length !== 1);
    expect(ambiguousOrMissing).toEqual([]);
    const names = (list: readonly { file: string; title: string }[], t: { file: string; title: string }) => list.some((c) => c.file === t.file && t.title.startsWith(c.title));
    expect(titles.filter((t) => !names(named, t) && !names(CHAOS_GAPS, t))).toEqual([]);
    expect(titles.filter((t) => names(named, t) && names(CHAOS_GAPS, t))).toEqual([]);
  });
});

describe('applying a mutant', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  const mutant = (find: string): ChaosMutant => ({
    name: 'sample',
    defect: 'a sample',
    edits: [
      { file: 'src/a.ts', find, replace: 'return 2;' },
      { file: 'src/a.ts', find: 'const b = 3;', replace: 'const b = 4;' },
    ],
    cases: [],
  });

  it('applies every edit of a file, in order', () => {
    dir = mkdtempSync(join(tmpdir(), 'mutant-'));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'a.ts'), 'const b = 3;\nreturn 1;\n');
    applyMutant(dir, mutant('return 1;'));
    expect(readFileSync(join(dir, 'src', 'a.ts'), 'utf8')).toBe('const b = 4;\nreturn 2;\n');
  });

  it('writes nothing when an edit cannot apply, and says which', () => {
    dir = mkdtempSync(join(tmpdir(), 'mutant-'));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'a.ts'), 'const b = 3;\nreturn 1;\nreturn 1;\n');
    expect(() => applyMutant(dir!, mutant('return 1;'))).toThrow('mutant sample: src/a.ts: the text to replace occurs more than once');
    expect(() => applyMutant(dir!, mutant('return 9;'))).toThrow('src/a.ts: the text to replace is no longer there');
    expect(readFileSync(join(dir, 'src', 'a.ts'), 'utf8')).toBe('const b = 3;\nreturn 1;\nreturn 1;\n');
  });
});

describe("reading a mutant's run", () => {
  const mutant: ChaosMutant = {
    name: 'sample',
    defect: 'a sample',
    edits: [],
    cases: [
      { file: 'x.chaos.test.ts', title: 'the leader killed' },
      { file: 'x.chaos.test.ts', title: 'the broker restarted' },
      { file: 'x.chaos.test.ts', title: 'the store partitioned' },
    ],
  };

  it('a failed case detected the mutant (with its first failure line), a passed one missed it, an absent one did not run', () => {
    const report = {
      testResults: [
        {
          assertionResults: [
            { title: 'the leader killed mid-stream, then restarted', status: 'failed', duration: 61_400, failureMessages: ['AssertionError: expected 12 to be +0\n    at scenario.ts:1'] },
            { title: 'the broker restarted under load', status: 'passed', duration: 30_200, failureMessages: [] },
            { title: 'the store partitioned for 30 s', status: 'skipped', duration: null },
          ],
        },
      ],
    };
    expect(caseVerdicts(mutant, report)).toEqual([
      { title: 'the leader killed', verdict: 'failed: detected', seconds: 61, failure: 'AssertionError: expected 12 to be +0' },
      { title: 'the broker restarted', verdict: 'passed: missed', seconds: 30 },
      { title: 'the store partitioned', verdict: 'not run' },
    ]);
    expect(caseVerdicts(mutant, undefined).map((v) => v.verdict)).toEqual(['not run', 'not run', 'not run']);
  });
});
