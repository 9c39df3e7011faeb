import { execFile } from 'node:child_process';
import { access, realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Reads how long a JVM's JIT compilers have worked so far, with the `jstat` of the JDK whose
 * `java` runs it (`jstat -compiler`: its Time column, in seconds).
 */
export interface JitClock {
  compileSeconds(pid: number): Promise<number>;
}

/** The JIT clock of the JDK `java` belongs to; undefined when that JDK has no jstat (a bare runtime). */
export async function jitClockOf(java: string): Promise<JitClock | undefined> {
  const jstat = join(dirname(await realpath(java)), 'jstat');
  const found = await access(jstat).then(
    () => true,
    () => false,
  );
  if (!found) return undefined;
  return {
    async compileSeconds(pid) {
      const { stdout } = await run(jstat, ['-compiler', String(pid)]);
      const [header, values] = stdout.trim().split('\n').map((line) => line.trim().split(/\s+/));
      const time = Number(values?.[header?.indexOf('Time') ?? -1]);
      if (!Number.isFinite(time)) throw new Error(`jstat -compiler ${pid} printed no compile time: ${stdout.trim()}`);
      return time;
    },
  };
}
