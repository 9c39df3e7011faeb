import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createSemaphore } from '@meterline/service-kit';

/** Why a PDF was not made: the renderer is not installed, it failed or ran out of time, or too many renders are waiting. */
type PdfFailure = { reason: 'missing' | 'failed' | 'timeout' | 'busy'; detail: string };
type PdfResult = { ok: true; pdf: Buffer } | ({ ok: false } & PdfFailure);

/** Prints a self-contained HTML page to PDF. Expected failures are values, not exceptions. */
export interface PdfRenderer {
  render(html: string): Promise<PdfResult>;
}

export interface ChromiumPdfOptions {
  /** The Chromium executable: a path, or a name looked up on PATH (Debian's package installs `chromium`). */
  command: string;
  /** A render still running after this is killed (with every process it started). */
  timeoutMs: number;
  /** Renders at a time; more wait, up to eight times as many, and beyond that are refused as busy. */
  concurrency: number;
}

/** The last characters Chromium wrote to stderr: enough to say why it failed, bounded whatever it prints. */
const STDERR_TAIL = 2_000;

/** One Chromium run: prints `page` (a file URL) to `out`. */
function printToPdf(options: ChromiumPdfOptions, dir: string, page: string, out: string): Promise<{ ok: true } | ({ ok: false } & PdfFailure)> {
  return new Promise((resolve) => {
    // --no-sandbox: Chromium refuses to start its sandbox as root, as services in containers run.
    // The page is our own, self-contained, and its Content-Security-Policy allows no script and no fetch.
    const child = spawn(
      options.command,
      [
        '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-extensions', '--disable-background-networking', '--disable-sync',
        '--no-pdf-header-footer', `--user-data-dir=${join(dir, 'profile')}`, `--print-to-pdf=${out}`, page,
      ],
      // Its own process group, so a timeout kills the renderer's helpers too.
      { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch (error) {
        // The group is gone already (it exited as the timer fired): the close handler reports it.
        void error;
      }
    }, options.timeoutMs);
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(
        error.code === 'ENOENT' || error.code === 'EACCES'
          ? { ok: false, reason: 'missing', detail: `${options.command} cannot be run (${error.code}): install Chromium (Debian: apt-get install chromium) or set MTL_CHROMIUM_PATH` }
          : { ok: false, reason: 'failed', detail: `${options.command} did not start: ${error.message}` },
      );
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) resolve({ ok: false, reason: 'timeout', detail: `${options.command} did not finish the PDF within ${options.timeoutMs} ms` });
      else if (code !== 0) resolve({ ok: false, reason: 'failed', detail: `${options.command} exited with ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' | ')}` });
      else resolve({ ok: true });
    });
  });
}

/**
 * PDFs printed by headless Chromium (`--print-to-pdf`): the page is written to a private
 * temporary directory with a fresh browser profile, printed with the page's own @page size
 * (A4), then the directory is removed.
 */
export function chromiumPdf(options: ChromiumPdfOptions): PdfRenderer {
  const slots = createSemaphore(options.concurrency, options.concurrency * 8);
  return {
    async render(html) {
      const release = await slots.acquire();
      if (!release) return { ok: false, reason: 'busy', detail: `${options.concurrency * 9} PDF renders are already running or waiting` };
      const dir = await mkdtemp(join(tmpdir(), 'meterline-report-'));
      try {
        const page = join(dir, 'report.html');
        const out = join(dir, 'report.pdf');
        await writeFile(page, html, 'utf8');
        const printed = await printToPdf(options, dir, pathToFileURL(page).href, out);
        if (!printed.ok) return printed;
        const pdf = await readFile(out).catch((error: NodeJS.ErrnoException) => error);
        if (pdf instanceof Error) return { ok: false, reason: 'failed', detail: `${options.command} exited 0 but wrote no PDF (${pdf.code ?? pdf.message})` };
        return { ok: true, pdf };
      } finally {
        release();
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
