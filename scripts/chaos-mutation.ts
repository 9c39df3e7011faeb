/** Applying a chaos mutant to a tree, and reading which of its cases failed (scripts/chaos-mutants.ts). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChaosMutant, MutantEdit } from '../test/e2e/chaos/mutants.ts';

export interface CaseVerdict {
  title: string;
  verdict: 'failed: detected' | 'passed: missed' | 'not run';
  /** The first line of the case's first failure. */
  failure?: string;
  seconds?: number;
}

/** What keeps an edit from applying to `text`: its find text must occur exactly once. */
function editProblem(edit: MutantEdit, text: string): string | undefined {
  const first = text.indexOf(edit.find);
  if (first < 0) return `${edit.file}: the text to replace is no longer there`;
  if (text.indexOf(edit.find, first + 1) >= 0) return `${edit.file}: the text to replace occurs more than once`;
  if (edit.replace === edit.find) return `${edit.file}: the replacement changes nothing`;
  return undefined;
}

/** The mutant's files as its edits leave them (edits of one file in order), or throws naming the edit that cannot apply. */
export function mutatedTexts(root: string, mutant: ChaosMutant): Map<string, string> {
  const texts = new Map<string, string>();
  for (const edit of mutant.edits) {
    const text = texts.get(edit.file) ?? readFileSync(join(root, edit.file), 'utf8');
    const problem = editProblem(edit, text);
    if (problem) throw new Error(`mutant ${mutant.name}: ${problem}`);
    texts.set(edit.file, text.replace(edit.find, () => edit.replace));
  }
  return texts;
}

/** Applies every edit of the mutant under `root`, or throws naming the one that cannot apply (nothing written then). */
export function applyMutant(root: string, mutant: ChaosMutant): void {
  for (const [file, text] of mutatedTexts(root, mutant)) writeFileSync(join(root, file), text);
}

interface JsonReport {
  testResults?: { assertionResults?: { title: string; status: string; failureMessages?: string[] | null; duration?: number | null }[] }[];
}

/** Each case of the mutant as vitest's JSON report (`--reporter=json`) has it; 'not run' when it is not there. */
export function caseVerdicts(mutant: ChaosMutant, report: unknown): CaseVerdict[] {
  const results = ((report as JsonReport | undefined)?.testResults ?? []).flatMap((file) => file.assertionResults ?? []);
  return mutant.cases.map(({ title }) => {
    const result = results.find((r) => r.title.startsWith(title) && (r.status === 'passed' || r.status === 'failed'));
    if (!result) return { title, verdict: 'not run' };
    const seconds = result.duration == null ? {} : { seconds: Math.round(result.duration / 1000) };
    if (result.status === 'passed') return { title, verdict: 'passed: missed', ...seconds };
    const failure = result.failureMessages?.[0]?.split('\n')[0]?.slice(0, 240);
    return { title, verdict: 'failed: detected', ...seconds, ...(failure === undefined ? {} : { failure }) };
  });
}
