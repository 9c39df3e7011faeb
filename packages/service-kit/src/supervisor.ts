import { spawn, type ChildProcess } from 'node:child_process';
import { backoffDelay } from './backoff.ts';

/** The environment variable through which a supervised service learns how often it was restarted (its metrics count it). */
export const SUPERVISOR_RESTARTS_ENV = 'MTL_SUPERVISOR_RESTARTS';

interface SupervisorLogEntry {
  level: 'info' | 'warn';
  msg: string;
  [key: string]: unknown;
}

export interface SupervisorOptions {
  name: string;
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** Between restarts: attempt n waits up to min(maxMs, baseMs · 2^n) (default 1 s up to 30 s). */
  backoff?: { baseMs: number; maxMs: number };
  /** A child that ran this long before it died starts the back-off afresh (default 60 s). */
  steadyAfterMs?: number;
  /** On stop, how long the child has to exit on the signal before it is killed (default 12 s). */
  stopGraceMs?: number;
  log: (entry: SupervisorLogEntry) => void;
}

export interface Supervision {
  /** How often the child was started again after it died. */
  restarts(): number;
  /** Stops restarting, passes the signal on, and resolves with the child's exit code once it is gone. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs a service and starts it again whenever it dies (crash, OOM kill, SIGKILL), with back-off,
 * each restart logged and counted. What a process manager (systemd, Kubernetes) does in
 * production; the local stack's services run under this one.
 */
export function supervise(options: SupervisorOptions): Supervision {
  const backoff = options.backoff ?? { baseMs: 1_000, maxMs: 30_000 };
  const steadyAfterMs = options.steadyAfterMs ?? 60_000;
  let restarts = 0;
  let failuresInARow = 0;
  let stopping = false;
  let child: ChildProcess;
  let exited: Promise<number | null>;
  let restartTimer: NodeJS.Timeout | undefined;

  const start = () => {
    const startedAt = Date.now();
    child = spawn(options.command, options.args, { env: { ...(options.env ?? process.env), [SUPERVISOR_RESTARTS_ENV]: String(restarts) }, stdio: 'inherit' });
    exited = new Promise((resolve) => {
      // A child that cannot be spawned may report 'error' and then 'exit': the first one counts.
      let ended = false;
      const end = (code: number | null, signal: NodeJS.Signals | null) => {
        if (ended) return;
        ended = true;
        resolve(code);
        onExit(code, signal, startedAt);
      };
      child.once('error', (error) => {
        options.log({ level: 'warn', msg: `${options.name} could not be started`, error: error.message });
        end(null, null);
      });
      child.once('exit', end);
    });
  };

  const onExit = (code: number | null, signal: NodeJS.Signals | null, startedAt: number) => {
    if (stopping) return;
    // A child that had run steadily before it died starts the back-off afresh.
    failuresInARow = Date.now() - startedAt >= steadyAfterMs ? 1 : failuresInARow + 1;
    const delayMs = backoffDelay(failuresInARow - 1, backoff.baseMs, backoff.maxMs);
    restarts++;
    options.log({ level: 'warn', msg: `${options.name} exited; starting it again`, code, signal, ranMs: Date.now() - startedAt, delayMs, restarts });
    restartTimer = setTimeout(start, delayMs);
  };

  start();
  return {
    restarts: () => restarts,
    stop: async (signal = 'SIGTERM') => {
      stopping = true;
      clearTimeout(restartTimer);
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const grace = setTimeout(() => child.kill('SIGKILL'), options.stopGraceMs ?? 12_000);
      const code = await exited;
      clearTimeout(grace);
      return code;
    },
  };
}
