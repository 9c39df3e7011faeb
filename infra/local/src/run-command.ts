import { spawn } from 'node:child_process';
import { StackError } from './errors.ts';
import type { StackErrorCode } from './errors.ts';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Error code raised when the command cannot start or exits non-zero. */
  readonly errorCode?: StackErrorCode;
  /** Return the result instead of throwing on a non-zero exit. */
  readonly allowFailure?: boolean;
}

/** Runs a command to completion, capturing its output (for short-lived tools, not services). */
export function runCommand(command: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  const errorCode = options.errorCode ?? 'MTL_STACK_INSTALL_FAILED';
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (cause) => {
      reject(new StackError(errorCode, `could not run ${command}: ${cause.message}`, { cause }));
    });
    child.on('close', (code, signal) => {
      const result = { code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
      if (result.code === 0 || options.allowFailure === true) {
        resolve(result);
        return;
      }
      const tail = lastLines(`${result.stdout}\n${result.stderr}`, 30);
      reject(new StackError(errorCode, `${command} ${args.join(' ')} failed (exit ${code ?? signal}):\n${tail}`));
    });
  });
}

export function lastLines(text: string, count: number): string {
  const lines = text.trimEnd().split('\n');
  return lines.slice(Math.max(0, lines.length - count)).join('\n');
}

/** Finds an executable on PATH (plus the sbin directories, where Debian puts mosquitto). */
export async function which(name: string): Promise<string | undefined> {
  const { access, constants } = await import('node:fs/promises');
  const path = await import('node:path');
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'].filter((d) => d !== '');
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory: keep looking along PATH.
      continue;
    }
  }
  return undefined;
}
