import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { StackError } from './errors.ts';
import { LOOPBACK, tcpAnswers } from './ports.ts';
import { lastLines } from './run-command.ts';

/** What to execute; known only once the binaries are installed, so it is given to start(). */
export interface LaunchSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

export interface ProcessSpec {
  /** Service name used in messages ("mosquitto", "kafka", "influxdb"). */
  readonly name: string;
  readonly cwd: string;
  /** stdout and stderr of the service are appended here. */
  readonly logFile: string;
  readonly pidFile: string;
  /**
   * A string that must appear in /proc/<pid>/cmdline for a pid file to be trusted
   * (the service's config path), so a recycled pid is never mistaken for the service.
   */
  readonly cmdlineMarker: string;
  /** Detached processes outlive the Node process that started them (the CLI's `up`). */
  readonly detached: boolean;
  /** TCP ports the service will listen on: checked free before starting, so a probe never sees someone else's server. */
  readonly ports: readonly number[];
}

export interface ReadinessOptions {
  readonly timeoutMs: number;
  readonly pollMs?: number;
  /** Resolves true once the service answers; errors count as "not yet". */
  readonly probe: () => Promise<boolean>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function signalPid(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

async function cmdlineOf(pid: number): Promise<string | undefined> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
  } catch {
    // No /proc entry: the process is gone (or this is not Linux, where we fall back to kill -0).
    return process.platform === 'linux' ? undefined : '';
  }
}

/**
 * A detached service is reparented to init when its starter exits; init may take a second to reap
 * it, and meanwhile the zombie still answers kill(pid, 0). Its /proc state 'Z' says it is gone.
 */
async function isZombie(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    // No /proc entry: gone (Linux) or unknowable (elsewhere); kill(pid, 0) decides.
    return false;
  }
}

/** Reads the last lines of a log file for error messages; a missing log yields a note, not an error. */
export async function logTail(logFile: string, lines = 40): Promise<string> {
  try {
    return lastLines(await readFile(logFile, 'utf8'), lines);
  } catch (error) {
    return `(log ${logFile} unreadable: ${(error as Error).message})`;
  }
}

/**
 * One native service process: started with its output in a log file, its pid in a pid file,
 * and readiness probed; stopped with SIGTERM then SIGKILL. A process started by another Node
 * process (e.g. `stack up`) is adopted through the pid file.
 */
export class ManagedProcess {
  readonly spec: ProcessSpec;
  #child: ChildProcess | undefined;
  #exited: Promise<void> | undefined;
  #pid: number | undefined;

  constructor(spec: ProcessSpec) {
    this.spec = spec;
  }

  get pid(): number | undefined {
    return this.#pid;
  }

  /**
   * The pid of the live service process, undefined if not running. The pid file is consulted too:
   * another handle on the same directory (a fault test restarting the service) may have replaced
   * the process this handle started.
   */
  async runningPid(): Promise<number | undefined> {
    const fromFile = Number.parseInt(await readFile(this.spec.pidFile, 'utf8').catch(() => ''), 10);
    const candidates = [this.#pid, Number.isInteger(fromFile) && fromFile > 0 ? fromFile : undefined];
    for (const pid of candidates) {
      if (pid !== undefined && (await this.#isOurLiveProcess(pid))) return pid;
    }
    return undefined;
  }

  async #isOurLiveProcess(pid: number): Promise<boolean> {
    if (!signalPid(pid, 0) || (await isZombie(pid))) return false;
    // A child of ours that exited but is not yet reaped is not running.
    if (this.#child?.pid === pid && (this.#child.exitCode !== null || this.#child.signalCode !== null)) return false;
    const cmdline = await cmdlineOf(pid);
    return cmdline !== undefined && (cmdline === '' || cmdline.includes(this.spec.cmdlineMarker));
  }

  /**
   * Starts the process (or adopts a live one from the pid file) and waits until `probe` succeeds.
   * Returns false when an already-running process was adopted.
   */
  async start(launch: LaunchSpec, readiness: ReadinessOptions): Promise<boolean> {
    const existing = await this.runningPid();
    if (existing !== undefined) {
      this.#pid = existing;
      await this.#waitReady(readiness);
      return false;
    }
    for (const port of this.spec.ports) {
      if (await tcpAnswers(port)) {
        throw new StackError(
          'MTL_STACK_START_FAILED',
          `${this.spec.name}: port ${port} on ${LOOPBACK} is already in use by another process; choose other ports or stop that process`,
        );
      }
    }
    const fd = openSync(this.spec.logFile, 'a');
    writeSync(fd, `\n--- ${this.spec.name} starting at ${new Date().toISOString()} ---\n`);
    let child: ChildProcess;
    try {
      child = spawn(launch.command, [...launch.args], {
        cwd: this.spec.cwd,
        env: launch.env ?? process.env,
        stdio: ['ignore', fd, fd],
        detached: this.spec.detached,
      });
    } finally {
      closeSync(fd);
    }
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (cause) =>
        reject(new StackError('MTL_STACK_START_FAILED', `${this.spec.name}: could not spawn ${launch.command}: ${cause.message}`, { cause })),
      );
    });
    await spawned;
    this.#child = child;
    this.#pid = child.pid;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    if (this.spec.detached) child.unref();
    await writeFile(this.spec.pidFile, `${child.pid}\n`);
    try {
      await this.#waitReady(readiness);
    } catch (error) {
      await this.kill();
      throw error;
    }
    return true;
  }

  async #waitReady(readiness: ReadinessOptions): Promise<void> {
    const deadline = Date.now() + readiness.timeoutMs;
    let lastProbeError: unknown;
    for (;;) {
      if ((await this.runningPid()) === undefined) {
        const status = this.#child === undefined ? '' : ` (exit code ${this.#child.exitCode ?? this.#child.signalCode ?? '?'})`;
        throw new StackError(
          'MTL_STACK_START_FAILED',
          `${this.spec.name} exited while starting${status}; read ${this.spec.logFile}. Last lines:\n${await logTail(this.spec.logFile)}`,
        );
      }
      try {
        // Still ours after the probe answered: the process did not die on a bind error meanwhile.
        if ((await readiness.probe()) && (await this.runningPid()) !== undefined) return;
      } catch (error) {
        lastProbeError = error;
      }
      if (Date.now() > deadline) {
        throw new StackError(
          'MTL_STACK_START_TIMEOUT',
          `${this.spec.name} not ready after ${readiness.timeoutMs} ms; read ${this.spec.logFile}. Last lines:\n${await logTail(this.spec.logFile)}`,
          { cause: lastProbeError },
        );
      }
      await sleep(readiness.pollMs ?? 250);
    }
  }

  /** SIGTERM, wait for the process to exit, SIGKILL after `timeoutMs`. Stopping a stopped service is a no-op. */
  async stop(timeoutMs = 30_000): Promise<void> {
    const pid = await this.runningPid();
    if (pid === undefined) {
      await this.#forget();
      return;
    }
    signalPid(pid, 'SIGTERM');
    if (!(await this.#waitExit(pid, timeoutMs))) {
      signalPid(pid, 'SIGKILL');
      if (!(await this.#waitExit(pid, 10_000))) {
        throw new StackError('MTL_STACK_STOP_FAILED', `${this.spec.name} (pid ${pid}) survived SIGKILL`);
      }
    }
    await this.#forget();
  }

  /** SIGKILL without a chance to clean up (for fault-injection tests). */
  async kill(): Promise<void> {
    const pid = await this.runningPid();
    if (pid !== undefined) {
      signalPid(pid, 'SIGKILL');
      if (!(await this.#waitExit(pid, 10_000))) {
        throw new StackError('MTL_STACK_STOP_FAILED', `${this.spec.name} (pid ${pid}) survived SIGKILL`);
      }
    }
    await this.#forget();
  }

  /** Sends a signal to the running process (e.g. SIGHUP to make mosquitto reload). */
  async signal(signal: NodeJS.Signals): Promise<void> {
    const pid = await this.runningPid();
    if (pid === undefined) throw new StackError('MTL_STACK_NOT_RUNNING', `${this.spec.name} is not running`);
    signalPid(pid, signal);
  }

  async #waitExit(pid: number, timeoutMs: number): Promise<boolean> {
    if (this.#child !== undefined && this.#child.pid === pid && this.#exited !== undefined) {
      if (this.#child.exitCode !== null || this.#child.signalCode !== null) return true;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const result = await Promise.race([this.#exited.then(() => true as const), timedOut]);
      clearTimeout(timer);
      return result;
    }
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!signalPid(pid, 0) || (await isZombie(pid)) || (await cmdlineOf(pid)) === undefined) return true;
      await sleep(100);
    }
    return false;
  }

  async #forget(): Promise<void> {
    this.#child = undefined;
    this.#exited = undefined;
    this.#pid = undefined;
    await rm(this.spec.pidFile, { force: true });
  }
}
