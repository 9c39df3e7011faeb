import { open, readFile, rm } from 'node:fs/promises';
import { StackError } from './errors.ts';

export interface FileLockOptions {
  readonly timeoutMs: number;
  readonly pollMs?: number;
  readonly onWait?: (holderPid: number | undefined) => void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM means the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * An exclusive lock between processes: a file created with O_EXCL holding the owner's pid.
 * A lock whose owner died is taken over, so a crashed install never blocks the next one.
 */
export async function withFileLock<T>(path: string, options: FileLockOptions, body: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let announced = false;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StackError('MTL_STACK_INSTALL_FAILED', `cannot create lock file ${path}`, { cause: error });
      }
      const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(holder) && holder > 0 && !isAlive(holder)) {
        await rm(path, { force: true });
        continue;
      }
      if (!announced) {
        options.onWait?.(Number.isInteger(holder) ? holder : undefined);
        announced = true;
      }
      if (Date.now() > deadline) {
        throw new StackError('MTL_STACK_LOCK_TIMEOUT', `timed out waiting for lock ${path} held by pid ${holder}`);
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
    }
  }
  try {
    return await body();
  } finally {
    await rm(path, { force: true });
  }
}
