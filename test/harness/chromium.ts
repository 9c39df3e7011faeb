import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs a command to its end; its stdout, stderr and exit code. */
export function runTool(command: string, args: string[]): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
  });
}

/**
 * Headless Chromium (Debian's `chromium`, installed with the stack) on a page, with a fresh
 * profile: `--dump-dom` prints the DOM after layout, `--screenshot` writes a PNG of the window.
 * --no-sandbox: Chromium refuses its sandbox as root, as CI runs.
 */
async function chromium(args: string[]): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  const profile = await mkdtemp(join(tmpdir(), 'meterline-chromium-'));
  try {
    return await runTool('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--hide-scrollbars', `--user-data-dir=${profile}`, ...args]);
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** The page's DOM as Chromium has it once rendered (serialised HTML). */
export async function renderedDom(pageUrl: string): Promise<string> {
  const run = await chromium(['--dump-dom', pageUrl]);
  if (run.code !== 0) throw new Error(`chromium --dump-dom exited ${run.code}: ${run.stderr}`);
  return run.stdout.toString('utf8');
}

/** A PNG of the page in a window of `width` × `height` CSS pixels. */
export async function screenshot(pageUrl: string, file: string, width: number, height: number): Promise<void> {
  const run = await chromium([`--screenshot=${file}`, `--window-size=${width},${height}`, pageUrl]);
  if (run.code !== 0) throw new Error(`chromium --screenshot exited ${run.code}: ${run.stderr}`);
}
