/**
 * `pnpm --filter @meterline/local-stack stack <up|down|status|logs [service]>`
 *
 * Runs the dev stack as detached native processes with fixed, non-default ports; state (data,
 * logs, pid files) lives in `<repo>/.run/local-stack/`.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEV_INFLUX_DATABASE, devDevices } from './dev-credentials.ts';
import { isStackError } from './errors.ts';
import type { Installation } from './install.ts';
import { ensureInstalled } from './install.ts';
import { logTail } from './managed-process.ts';
import { tcpAnswers } from './ports.ts';
import { DEV_PORTS, DEV_SCRAPE_INTERVAL_SECONDS } from './dev-ports.ts';
import { provisionDevStackAccounts } from './dev-provisioning.ts';
import type { PrometheusHandle } from './prometheus.ts';
import { prometheus } from './prometheus.ts';
import type { NativeStack } from './stack.ts';
import { connectionOf, stackMqttUsers, stackServices } from './stack.ts';
import { MTL_TOPIC_SPECS } from './topics.ts';

const SERVICE_PORTS: Record<string, readonly number[]> = {
  mosquitto: [DEV_PORTS.mqtt],
  kafka: [DEV_PORTS.kafka, DEV_PORTS.kafkaController],
  influxdb: [DEV_PORTS.influxHttp, DEV_PORTS.influxRpc],
  prometheus: [DEV_PORTS.prometheus],
};

function repoRoot(): string {
  let dir = resolve(import.meta.dirname);
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (no pnpm-workspace.yaml above this file)');
    dir = parent;
  }
  return dir;
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const seconds = (startedAt: number): string => `${((performance.now() - startedAt) / 1000).toFixed(1)} s`;

/** Handles on the dev stack; nothing is installed until a service is started. */
function services(stateDir: string, installation?: Installation): NativeStack['services'] & { readonly prometheus: PrometheusHandle } {
  return {
    ...stackServices({ baseDir: stateDir, ports: DEV_PORTS, detached: true, installation }),
    // The dev stack's own; its targets (the services' /metrics) are written by `./meterline up`, which starts the services.
    prometheus: prometheus({
      dir: join(stateDir, 'prometheus'),
      port: DEV_PORTS.prometheus,
      scrapeIntervalSeconds: DEV_SCRAPE_INTERVAL_SECONDS,
      detached: true,
      ...(installation !== undefined ? { installation } : {}),
    }),
  };
}

async function up(stateDir: string, deviceCount: number): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  const installation = await ensureInstalled();
  const svc = services(stateDir, installation);
  // In parallel: Kafka's JVM dominates, the others are ready long before it.
  await Promise.all(
    Object.values(svc).map(async (service) => {
      await mkdir(service.dir, { recursive: true });
      const pid = await service.runningPid();
      if (pid !== undefined) {
        // The broker's start() adopts it only if it is of this version's kind (with the plugin), so
        // that a password-file broker of an earlier version is named, not provisioned in vain.
        if (service === svc.mosquitto) await service.start();
        say(`${service.name}: already up (pid ${pid})`);
        return;
      }
      const startedAt = performance.now();
      await service.start();
      say(`${service.name}: started in ${seconds(startedAt)} (pid ${(await service.runningPid()) ?? '?'}, log ${service.logFile})`);
    }),
  );
  // Idempotent provisioning: dev device accounts made or brought to the current policy (none
  // deleted, no password changed: a connected device stays connected), database and topics made if missing.
  const users = stackMqttUsers(devDevices(deviceCount));
  const provisioned = await provisionDevStackAccounts(svc.mosquitto, { devDeviceCount: deviceCount });
  await svc.influx.createDatabase(DEV_INFLUX_DATABASE);
  await svc.kafka.createTopics(MTL_TOPIC_SPECS);
  const connection = { ...connectionOf(svc, users), prometheus: { url: svc.prometheus.url }, influxDatabase: DEV_INFLUX_DATABASE, topics: MTL_TOPIC_SPECS.map((t) => t.topic) };
  await writeFile(join(stateDir, 'connection.json'), `${JSON.stringify(connection, null, 2)}\n`);
  say(
    `mqtt   ${connection.mqtt.url}  (dynamic security; ${deviceCount} dev devices: ${provisioned.created.length} created, ${provisioned.updated.length} brought to the current policy, ` +
      `e.g. dev-meter-001 / dev-meter-001-secret with client id dev-meter-001; admin ${connection.mqtt.admin.username})`,
  );
  say(`kafka  ${connection.kafka.brokers.join(',')}  (topics: ${connection.topics.join(', ')})`);
  say(`influx ${connection.influx.url}  (token ${connection.influx.token}, database ${DEV_INFLUX_DATABASE})`);
  say(`prometheus ${svc.prometheus.url}  (scrapes every ${svc.prometheus.scrapeIntervalSeconds} s the targets in ${join(svc.prometheus.dir, 'targets.json')})`);
  say(`connection details: ${join(stateDir, 'connection.json')}`);
}

async function down(stateDir: string): Promise<void> {
  const svc = services(stateDir);
  for (const service of Object.values(svc)) {
    const pid = await service.runningPid();
    if (pid === undefined) {
      say(`${service.name}: already down`);
      continue;
    }
    const startedAt = performance.now();
    await service.stop();
    say(`${service.name}: stopped in ${seconds(startedAt)} (was pid ${pid})`);
  }
}

async function status(stateDir: string): Promise<boolean> {
  const svc = services(stateDir);
  let allUp = true;
  for (const service of Object.values(svc)) {
    const pid = await service.runningPid();
    const ports = SERVICE_PORTS[service.name] ?? [];
    const answering = await Promise.all(ports.map((p) => tcpAnswers(p)));
    const portText = ports.map((p, i) => `${p} ${answering[i] === true ? 'open' : 'closed'}`).join(', ');
    if (pid === undefined) {
      allUp = false;
      // A port answering without our pid means someone else's process holds it.
      say(`${service.name}: down (${portText})`);
    } else {
      say(`${service.name}: up, pid ${pid} (${portText}), log ${service.logFile}`);
    }
  }
  return allUp;
}

async function logs(stateDir: string, name: string | undefined, lines: number): Promise<void> {
  const svc = services(stateDir);
  const selected = Object.values(svc).filter((s) => name === undefined || s.name === name || (name === 'influx' && s.name === 'influxdb'));
  if (selected.length === 0) throw new Error(`unknown service ${name}; one of: ${Object.values(svc).map((s) => s.name).join(', ')}`);
  for (const service of selected) {
    say(`==> ${service.logFile} <==`);
    say(await logTail(service.logFile, lines));
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { devices: { type: 'string', default: '20' }, lines: { type: 'string', default: '60' } },
  });
  const stateDir = join(repoRoot(), '.run', 'local-stack');
  const [command, service] = positionals;
  const count = (name: string, text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${JSON.stringify(text)}`);
    return n;
  };
  switch (command) {
    case 'up':
      await up(stateDir, count('devices', values.devices));
      return 0;
    case 'down':
      await down(stateDir);
      return 0;
    case 'status':
      return (await status(stateDir)) ? 0 : 3;
    case 'logs':
      await logs(stateDir, service, count('lines', values.lines));
      return 0;
    default:
      process.stderr.write('usage: stack up [--devices N] | down | status | logs [mosquitto|kafka|influxdb|prometheus] [--lines N]\n');
      return 2;
  }
}

// `stack logs | head` closes stdout early: that is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const code = isStackError(error) ? `${error.code}: ` : '';
    process.stderr.write(`stack: ${code}${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
