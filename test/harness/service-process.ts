import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { serviceNodeFlags, SERVICE_PROCESS_ENV } from '@meterline/local-stack';

const ROOT = join(import.meta.dirname, '..', '..');

export interface ServiceProcess {
  readonly name: string;
  readonly logFile: string;
  /** Where it answers /health and /metrics (the API: its own port). */
  readonly opsPort: number;
  start(): Promise<void>;
  /** SIGTERM and wait for the exit: the service's own clean shutdown. */
  stop(): Promise<number | null>;
  /** SIGKILL: no shutdown code runs (fault injection). */
  kill(): Promise<void>;
  health(): Promise<{ status: number; body: unknown } | undefined>;
  /** pid of the running process, for resource measurements. */
  pid(): number | undefined;
}

/**
 * A Meterline service run as its built bundle (services/<name>/dist/main.js), in its own
 * process, as in production: configured by environment, killed with real signals.
 */
export function serviceProcess(name: 'ingest' | 'writer' | 'aggregator' | 'alerter' | 'api', env: Record<string, string>, logDir: string, logName: string = name): ServiceProcess {
  const logFile = join(logDir, `${logName}.log`);
  // The API answers /health on its own port; the other services on their ops port.
  const opsPort = name === 'api' ? env['MTL_PORT'] : env['MTL_OPS_PORT'];
  if (!opsPort) throw new Error(`serviceProcess needs ${name === 'api' ? 'MTL_PORT' : 'MTL_OPS_PORT'} to watch health`);
  let child: ChildProcess | undefined;
  let exited: Promise<number | null> = Promise.resolve(null);

  const health = async () => {
    try {
      const response = await fetch(`http://127.0.0.1:${opsPort}/health`, { signal: AbortSignal.timeout(2_000) });
      return { status: response.status, body: await response.json() };
    } catch {
      return undefined; // not listening yet, or gone
    }
  };

  return {
    name,
    logFile,
    opsPort: Number(opsPort),
    health,
    pid: () => (child && child.exitCode === null ? child.pid : undefined),
    start: async () => {
      const log = createWriteStream(logFile, { flags: 'a' });
      const proc = spawn(process.execPath, [...serviceNodeFlags(name), join(ROOT, 'services', name, 'dist', 'main.js')], {
        env: { PATH: process.env['PATH'] ?? '', ...SERVICE_PROCESS_ENV, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = proc;
      proc.stdout?.pipe(log);
      proc.stderr?.pipe(log);
      exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
      for (;;) {
        if (proc.exitCode !== null) throw new Error(`${name} exited with ${proc.exitCode} while starting; see ${logFile}`);
        const h = await health();
        if (h?.status === 200) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop: async () => {
      child?.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      child?.kill('SIGKILL');
      await exited;
    },
  };
}
