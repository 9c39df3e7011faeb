import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultCacheDir } from './cache-dir.ts';
import { withFileLock } from './file-lock.ts';
import { exists, goInstallInto } from './install.ts';

export interface GoToolInstallOptions {
  readonly cacheDir?: string;
  readonly log?: (line: string) => void;
  readonly lockTimeoutMs?: number;
}

interface GoTool {
  /** Cache directory name and lock name: `<name>-<version>`. */
  readonly name: string;
  readonly version: string;
  /** The package to `go install`, without its version. */
  readonly pkg: string;
  /** The binary `go install` writes (the package's last path element). */
  readonly binary: string;
  readonly buildTags?: string;
}

/**
 * A test or benchmark tool built from the Go module proxy into the cache (as influxd is) and reused
 * after; one build at a time across processes. The stack itself never runs these.
 */
export async function ensureGoTool(tool: GoTool, options: GoToolInstallOptions = {}): Promise<{ readonly bin: string }> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const home = join(cacheDir, `${tool.name}-${tool.version}`);
  const bin = join(home, 'bin', tool.binary);
  if (await exists(bin)) return { bin };
  await mkdir(cacheDir, { recursive: true });
  return withFileLock(
    join(cacheDir, `${tool.name}.lock`),
    {
      timeoutMs: options.lockTimeoutMs ?? 15 * 60_000,
      onWait: (pid) => log(`[local-stack] waiting for another ${tool.name} build (pid ${pid ?? '?'}) to finish`),
    },
    async () => {
      if (await exists(bin)) return { bin };
      const tags = tool.buildTags ? ['-tags', tool.buildTags] : [];
      await goInstallInto(home, `go install ${tool.name} ${tool.version}${tool.buildTags ? ` (${tool.buildTags})` : ''}`, [...tags, `${tool.pkg}@v${tool.version}`], log);
      return { bin };
    },
  );
}
