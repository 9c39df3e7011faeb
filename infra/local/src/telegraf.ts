import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultCacheDir } from './cache-dir.ts';
import { withFileLock } from './file-lock.ts';
import { ensureGo, exists, step } from './install.ts';
import { runCommand } from './run-command.ts';
import { VERSIONS } from './versions.ts';

/**
 * Only the plugins of the path a user would assemble instead of Meterline (MQTT → json_v2 →
 * InfluxDB 1.x): a full Telegraf is several hundred plugins and minutes longer to build.
 */
const TELEGRAF_BUILD_TAGS = 'custom,inputs.mqtt_consumer,outputs.influxdb,parsers.json_v2';

export interface TelegrafInstallOptions {
  readonly cacheDir?: string;
  readonly log?: (line: string) => void;
  readonly lockTimeoutMs?: number;
}

/**
 * Telegraf, the benchmark's peer, built from the Go module proxy into the cache (as influxd is)
 * and reused after. Benchmark tooling: the stack itself never runs it.
 */
export async function ensureTelegraf(options: TelegrafInstallOptions = {}): Promise<{ readonly bin: string }> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const home = join(cacheDir, `telegraf-${VERSIONS.telegraf}`);
  const bin = join(home, 'bin', 'telegraf');
  if (await exists(bin)) return { bin };
  await mkdir(cacheDir, { recursive: true });
  return withFileLock(
    join(cacheDir, 'telegraf.lock'),
    {
      timeoutMs: options.lockTimeoutMs ?? 15 * 60_000,
      onWait: (pid) => log(`[local-stack] waiting for another Telegraf build (pid ${pid ?? '?'}) to finish`),
    },
    async () => {
      if (await exists(bin)) return { bin };
      const go = await ensureGo(log);
      // Built into a scratch directory and renamed: an interrupted build never looks installed.
      const scratch = join(home, `bin.tmp-${process.pid}`);
      await rm(scratch, { recursive: true, force: true });
      await mkdir(scratch, { recursive: true });
      const goflags = [process.env.GOFLAGS ?? '', '-mod=mod'].join(' ').trim();
      await step(log, `go install telegraf ${VERSIONS.telegraf} (${TELEGRAF_BUILD_TAGS})`, () =>
        runCommand(go, ['install', '-tags', TELEGRAF_BUILD_TAGS, `github.com/influxdata/telegraf/cmd/telegraf@v${VERSIONS.telegraf}`], {
          env: { ...process.env, CGO_ENABLED: '0', GOBIN: scratch, GOFLAGS: goflags },
        }),
      );
      await rm(join(home, 'bin'), { recursive: true, force: true });
      await rename(scratch, join(home, 'bin'));
      return { bin };
    },
  );
}
