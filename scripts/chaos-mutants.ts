/**
 * Shows that each chaos case detects the loss it is about: applies each mutant of
 * test/e2e/chaos/mutants.ts (a plausible defect undoing one protection) and runs the chaos
 * cases that lean on that protection; every one of them must fail. Prints a verdict per case
 * and exits 1 when a case passed with its mutant in (it proves less than its title says).
 *
 *   pnpm test:chaos:mutants [mutant ...] [--json FILE] [--keep]
 *
 * Works on a scratch worktree of HEAD (committed code only; the checkout is never touched),
 * installed from the local pnpm store. Not part of `pnpm test`: each mutant costs a chaos stack
 * and its cases, and a failing case waits out its polls (about an hour for all of them here).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CHAOS_GAPS, CHAOS_MUTANTS, type ChaosMutant } from '../test/e2e/chaos/mutants.ts';
import { applyMutant, caseVerdicts, type CaseVerdict } from './chaos-mutation.ts';

const root = join(import.meta.dirname, '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { json: { type: 'string' }, keep: { type: 'boolean', default: false } },
});

const unknown = positionals.filter((name) => !CHAOS_MUTANTS.some((m) => m.name === name));
if (unknown.length > 0) {
  console.error(`chaos-mutants: no mutant ${unknown.join(', ')}; there are: ${CHAOS_MUTANTS.map((m) => m.name).join(', ')}`);
  process.exit(64);
}
// In the order given: the ones wanted first come first.
const selected = positionals.length === 0 ? CHAOS_MUTANTS : positionals.map((name) => CHAOS_MUTANTS.find((m) => m.name === name)!);

const scratch = mkdtempSync(join(tmpdir(), 'meterline-mutants-'));
const tree = join(scratch, 'tree');
const run = (command: string, args: string[], cwd: string) => execFileSync(command, args, { cwd, stdio: 'inherit' });
run('git', ['worktree', 'add', '--detach', tree, 'HEAD'], root);

/** Runs the mutant's cases in the worktree; vitest's JSON report says which failed. */
function runCases(mutant: ChaosMutant): CaseVerdict[] {
  const report = join(scratch, `${mutant.name}.json`);
  const files = [...new Set(mutant.cases.map((c) => join('test', 'e2e', 'chaos', c.file)))];
  const titles = mutant.cases.map((c) => c.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  spawnSync('pnpm', ['exec', 'vitest', 'run', '--project', 'chaos', ...files, '-t', titles, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], {
    cwd: tree,
    stdio: 'inherit',
  });
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(report, 'utf8'));
  } catch (error) {
    console.error(`chaos-mutants: ${mutant.name}: vitest wrote no report (${(error as Error).message}); its cases count as not run`);
  }
  return caseVerdicts(mutant, json);
}

const results: { mutant: ChaosMutant; verdicts: CaseVerdict[] }[] = [];
try {
  run('pnpm', ['install', '--offline', '--frozen-lockfile'], tree);
  for (const mutant of selected) {
    console.log(`\n=== mutant ${mutant.name}: ${mutant.defect}`);
    applyMutant(tree, mutant);
    try {
      results.push({ mutant, verdicts: runCases(mutant) });
    } finally {
      run('git', ['checkout', '--', ...new Set(mutant.edits.map((e) => e.file))], tree);
    }
  }
} finally {
  if (values.keep) console.log(`worktree kept: ${tree}`);
  else {
    run('git', ['worktree', 'remove', '--force', tree], root);
    rmSync(scratch, { recursive: true, force: true });
  }
}

console.log('\n| mutant | case | with the mutant | s | how it failed |\n|---|---|---|---|---|');
for (const { mutant, verdicts } of results) {
  for (const v of verdicts) console.log(`| ${mutant.name} | ${v.title} | ${v.verdict} | ${v.seconds ?? ''} | ${v.failure ?? ''} |`);
}
if (positionals.length === 0) {
  console.log('\nCases no mutant is known to fail (test/e2e/chaos/mutants.ts, CHAOS_GAPS):');
  for (const gap of CHAOS_GAPS) console.log(`- ${gap.title}: ${gap.why}`);
}
if (values.json !== undefined) {
  writeFileSync(values.json, JSON.stringify(results.map(({ mutant, verdicts }) => ({ mutant: mutant.name, verdicts })), null, 2));
}
const missed = results.flatMap((r) => r.verdicts).filter((v) => v.verdict !== 'failed: detected');
if (missed.length > 0) {
  console.error(`\nchaos-mutants: ${missed.length} case(s) did not fail with their mutant in`);
  process.exit(1);
}
