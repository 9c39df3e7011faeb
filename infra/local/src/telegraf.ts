import { ensureGoTool, type GoToolInstallOptions } from './go-tool.ts';
import { VERSIONS } from './versions.ts';

/**
 * Only the plugins of the path a user would assemble instead of Meterline (MQTT → json_v2 →
 * InfluxDB 1.x): a full Telegraf is several hundred plugins and minutes longer to build.
 */
const TELEGRAF_BUILD_TAGS = 'custom,inputs.mqtt_consumer,outputs.influxdb,parsers.json_v2';

/** Telegraf, the benchmark's peer, built from the Go module proxy into the cache. */
export function ensureTelegraf(options: GoToolInstallOptions = {}): Promise<{ readonly bin: string }> {
  return ensureGoTool({ name: 'telegraf', version: VERSIONS.telegraf, pkg: 'github.com/influxdata/telegraf/cmd/telegraf', binary: 'telegraf', buildTags: TELEGRAF_BUILD_TAGS }, options);
}
