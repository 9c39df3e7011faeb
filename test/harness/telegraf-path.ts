import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { READINGS_TOPIC_FILTER } from '@meterline/contracts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface TelegrafPath {
  readonly pid: () => number | undefined;
  stop(): Promise<void>;
}

/**
 * The path a user would assemble instead of Meterline: Telegraf's mqtt_consumer (QoS 1, json_v2)
 * writing to InfluxDB 1.x. It checks nothing a device says. Its buffers are raised so that it loses
 * nothing at the rates offered (its defaults drop metrics once 10 000 wait), as the comparison's
 * premise is that neither path loses a reading.
 */
export async function startTelegrafPath(options: {
  bin: string;
  workDir: string;
  mqtt: { url: string; username: string; password: string };
  influx: { url: string; username: string; password: string; database: string };
  /** `batch`: payloads with a `readings` array; `single`: one reading at the top level. */
  shape: 'batch' | 'single';
}): Promise<TelegrafPath> {
  const { mqtt, influx } = options;
  // Three tags and one field: the reading's point, quantity and unit, and its value.
  const object =
    options.shape === 'batch'
      ? `path = "readings"\n      tags = ["point", "quantity", "unit"]\n      included_keys = ["value", "ts", "point", "quantity", "unit"]`
      : `path = "@this"\n      tags = ["point", "quantity", "unit"]\n      included_keys = ["value", "ts", "point", "quantity", "unit"]`;
  const config = `
[agent]
  interval = "10s"
  flush_interval = "200ms"
  metric_batch_size = 5000
  metric_buffer_limit = 5000000
  omit_hostname = true

[[outputs.influxdb]]
  urls = [${JSON.stringify(influx.url)}]
  database = ${JSON.stringify(influx.database)}
  username = ${JSON.stringify(influx.username)}
  password = ${JSON.stringify(influx.password)}

[[inputs.mqtt_consumer]]
  servers = [${JSON.stringify(mqtt.url.replace(/^mqtt:/, 'tcp:'))}]
  topics = [${JSON.stringify(READINGS_TOPIC_FILTER)}]
  topic_tag = ""
  qos = 1
  client_id = "telegraf-bench-${process.pid}"
  username = ${JSON.stringify(mqtt.username)}
  password = ${JSON.stringify(mqtt.password)}
  max_undelivered_messages = 1000
  data_format = "json_v2"
  [[inputs.mqtt_consumer.json_v2]]
    measurement_name = "reading"
    [[inputs.mqtt_consumer.json_v2.object]]
      ${object}
      timestamp_key = "ts"
      timestamp_format = "2006-01-02T15:04:05Z07:00"
`;
  const configFile = join(options.workDir, 'telegraf.conf');
  const logFile = join(options.workDir, 'telegraf.log');
  await writeFile(configFile, config);
  const child: ChildProcess = spawn(options.bin, ['--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Subscribed once it logs the connection; a start-up error ends the process instead.
  for (let waited = 0; ; waited += 100) {
    if (child.exitCode !== null) throw new Error(`telegraf exited with ${child.exitCode} while starting; see ${logFile}`);
    // The log file appears with Telegraf's first line; until then there is nothing to read.
    if ((await readFile(logFile, 'utf8').catch(() => '')).includes('Connected [')) break;
    if (waited > 30_000) throw new Error(`telegraf did not connect to the broker in 30 s; see ${logFile}`);
    await sleep(100);
  }
  return {
    pid: () => (child.exitCode === null ? child.pid : undefined),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
