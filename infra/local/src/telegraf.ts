import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultCacheDir } from './cache-dir.ts';
import { withFileLock } from './file-lock.ts';
import { exists, goInstallInto } from './install.ts';
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
      await goInstallInto(
        home,
        `go install telegraf ${VERSIONS.telegraf} (${TELEGRAF_BUILD_TAGS})`,
        ['-tags', TELEGRAF_BUILD_TAGS, `github.com/influxdata/telegraf/cmd/telegraf@v${VERSIONS.telegraf}`],
        log,
      );
      return { bin };
    },
  );
}
