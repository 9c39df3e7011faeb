/**
 * Prints the test coverage of the last `vitest run --coverage` per workspace, with the lines
 * of source and of tests beside it: a measure to read, not a gate. Coverage counts what ran in
 * the test processes; the services the end-to-end tests start as processes are not in it.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

interface Totals {
  total: number;
  covered: number;
}
type Metric = 'lines' | 'statements' | 'functions' | 'branches';
const METRICS: readonly Metric[] = ['lines', 'statements', 'functions', 'branches'];
type Summary = Record<string, Record<Metric, Totals>>;

const root = process.cwd();
const summaryFile = join(root, 'coverage', 'coverage-summary.json');
let summary: Summary;
try {
  summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as Summary;
} catch (error) {
  console.error(`coverage-table: cannot read ${relative(root, summaryFile)} (run \`vitest run --coverage\` first): ${(error as Error).message}`);
  process.exit(1);
}

/** The workspace of a file: `packages/contracts` for `<root>/packages/contracts/src/x.ts`, `dashboards` for `<root>/dashboards/src/x.ts`. */
function workspaceOf(file: string): string {
  const segments = relative(root, file).split('/');
  return segments.slice(0, ['packages', 'services', 'infra'].includes(segments[0]!) ? 2 : 1).join('/');
}

/** Lines of the .ts files under `dir`, recursively, outside node_modules and dist. */
function lineCount(dir: string): number {
  let lines = 0;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    // No test directory: no test lines.
    return 0;
  }
  for (const entry of entries) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) lines += lineCount(path);
    else if (entry.endsWith('.ts')) lines += readFileSync(path, 'utf8').split('\n').length;
  }
  return lines;
}

const byWorkspace = new Map<string, Record<Metric, Totals>>();
for (const [file, totals] of Object.entries(summary)) {
  if (file === 'total') continue;
  const workspace = workspaceOf(file);
  const sum = byWorkspace.get(workspace) ?? (Object.fromEntries(METRICS.map((m) => [m, { total: 0, covered: 0 }])) as Record<Metric, Totals>);
  for (const m of METRICS) {
    sum[m].total += totals[m].total;
    sum[m].covered += totals[m].covered;
  }
  byWorkspace.set(workspace, sum);
}

const percent = (t: Totals): string => (t.total === 0 ? '—' : `${((100 * t.covered) / t.total).toFixed(1)}`);
const rows = [...byWorkspace.entries()].sort(([a], [b]) => a.localeCompare(b));
const header = ['workspace', 'lines %', 'statements %', 'functions %', 'branches %', 'source lines', 'test lines'];
const table = [
  header,
  ...rows.map(([workspace, t]) => [workspace, ...METRICS.map((m) => percent(t[m])), String(lineCount(join(root, workspace, 'src'))), String(lineCount(join(root, workspace, 'test')))]),
  ['all', ...METRICS.map((m) => percent(summary['total']![m])), '', ''],
];
const widths = header.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
console.log('\nTest coverage (unit and integration tests in the test processes; not the services the end-to-end tests start):');
for (const row of table) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
