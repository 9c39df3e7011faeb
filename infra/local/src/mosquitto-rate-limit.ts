/**
 * The broker's per-device publish limit: our Mosquitto plugin (infra/mosquitto/rate-limit), built
 * here from its C source against the installed broker's plugin headers, cached by the source's
 * digest, and the configuration lines that load it.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DEVICE_PUBLISH_LIMIT, MQTT_MAX_PACKET_BYTES, type DevicePublishLimit } from '@meterline/contracts';
import { DEBIAN_TOOLS, aptInstallAsRoot, ensureDebianTool } from './debian-packages.ts';
import { StackError } from './errors.ts';
import { exists, step } from './install.ts';
import { runCommand } from './run-command.ts';

const SOURCE = join(import.meta.dirname, '..', '..', 'mosquitto', 'rate-limit', 'meterline_rate_limit.c');
const PLUGIN_FILE = 'meterline_rate_limit.so';
/** mosquitto_broker.h and mosquitto_plugin.h (Debian: mosquitto-dev) include mosquitto.h (libmosquitto-dev). */
const PLUGIN_HEADERS = { file: '/usr/include/mosquitto_broker.h', packages: ['mosquitto-dev', 'libmosquitto-dev'] } as const;

/** The plugin's path in the cache, built first when this source has not been built yet. */
export async function ensureRateLimitPlugin(cacheDir: string, log: (line: string) => void): Promise<string> {
  const source = await readFile(SOURCE);
  const home = join(cacheDir, `mosquitto-rate-limit-${createHash('sha256').update(source).digest('hex').slice(0, 16)}`);
  const plugin = join(home, PLUGIN_FILE);
  if (await exists(plugin)) return plugin;
  const cc = await ensureDebianTool(DEBIAN_TOOLS.cc, log);
  if (!(await exists(PLUGIN_HEADERS.file))) {
    await aptInstallAsRoot(PLUGIN_HEADERS.packages, `building the broker's rate-limit plugin needs Mosquitto's plugin headers (${PLUGIN_HEADERS.file})`, log);
  }
  await mkdir(home, { recursive: true });
  const scratch = join(home, `${PLUGIN_FILE}.tmp-${process.pid}`);
  await rm(scratch, { force: true });
  await step(log, `cc ${PLUGIN_FILE}`, () =>
    runCommand(cc, ['-std=c11', '-D_POSIX_C_SOURCE=200809L', '-Wall', '-Wextra', '-Werror', '-O2', '-fPIC', '-shared', '-o', scratch, SOURCE]),
  );
  await rename(scratch, plugin);
  return plugin;
}

/** The configuration lines that load the plugin with `limit`; refuses a limit the plugin would refuse, or one no large packet could pass. */
export function rateLimitConf(pluginPath: string, limit: DevicePublishLimit = DEVICE_PUBLISH_LIMIT): string[] {
  const { messagesPerSecond, messageBurst, bytesPerSecond, byteBurst } = limit;
  if (!(messagesPerSecond > 0 && messageBurst >= 1 && bytesPerSecond > 0 && byteBurst >= MQTT_MAX_PACKET_BYTES)) {
    throw new StackError(
      'MTL_STACK_CONFIG_INVALID',
      `a device publish limit needs positive rates, a message burst of at least 1 and a byte burst of at least ${MQTT_MAX_PACKET_BYTES} (the largest packet): ${JSON.stringify(limit)}`,
    );
  }
  return [
    `plugin ${pluginPath}`,
    `plugin_opt_messages_per_second ${messagesPerSecond}`,
    `plugin_opt_message_burst ${messageBurst}`,
    `plugin_opt_bytes_per_second ${bytesPerSecond}`,
    `plugin_opt_byte_burst ${byteBurst}`,
  ];
}
