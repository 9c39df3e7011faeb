import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where built binaries and downloaded jars live: `$MTL_CACHE_DIR`, else `$XDG_CACHE_HOME/meterline`,
 * else `~/.cache/meterline`. Deliberately outside the repository: CI runs from fresh clones and
 * must reuse the InfluxDB build (minutes on 2 cores) and the Kafka jars.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MTL_CACHE_DIR !== undefined && env.MTL_CACHE_DIR !== '') return env.MTL_CACHE_DIR;
  if (env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== '') return join(env.XDG_CACHE_HOME, 'meterline');
  return join(homedir(), '.cache', 'meterline');
}
