/**
 * `./meterline up|down|status` runs this after the stack (Mosquitto, Kafka, InfluxDB, Prometheus) is up:
 * it provisions the demo registry's devices on the broker, pushes the registry to its topic
 * (meterline.registry.v1, which ingest, the aggregator, the alerter and the API follow) and
 * runs ingest, writer, aggregator and the simulated fleet as detached processes, each under a
 * supervisor that starts it again when it dies, with pid files and logs in .run/pipeline/, and has the stack's Prometheus scrape every service. `./meterline aggregate` runs the backfill against the
 * same stack (on the registry file).
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runBackfill } from '@meterline/aggregator';
import { parseManifest } from '@meterline/domain';
import { stringify } from 'yaml';
import {
  DEV_BROKER_ADMIN,
  DEV_INFLUX_ADMIN,
  DEV_INFLUX_DATABASE,
  DEV_PORTS,
  DEV_SCRAPE_INTERVAL_SECONDS,
  DEV_SERVICE_PASSWORDS,
  INGEST_MQTT_USER,
  MTL_TOPICS,
  prometheus,
  provisionDevStackAccounts,
  serviceNodeFlags,
  SERVICE_PROCESS_ENV,
  stackBroker,
} from '@meterline/local-stack';

const ROOT = join(import.meta.dirname, '..');
const STATE = join(ROOT, '.run', 'pipeline');
const REGISTRY = process.env['MTL_REGISTRY_FILE'] ?? join(ROOT, 'packages', 'domain', 'examples', 'demo-manifest.yaml');
const OPS_PORTS = { ingest: 9464, writer: 9465, aggregator: 9466, alerter: 9467, api: 8080 } as const;
/** The dev webhook receiver the demo subscriptions point at; it verifies and logs what it gets. */
const RECEIVER_PORT = 9468;
const say = (line: string) => void process.stdout.write(`${line}\n`);

type ProcessName = 'ingest' | 'writer' | 'aggregator' | 'alerter' | 'api' | 'simulator' | 'webhook-receiver';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false; // ESRCH: no such process
  }
}

async function runningPid(name: ProcessName): Promise<number | undefined> {
  const file = join(STATE, `${name}.pid`);
  if (!existsSync(file)) return undefined;
  const pid = Number(await readFile(file, 'utf8'));
  return Number.isInteger(pid) && isAlive(pid) ? pid : undefined;
}

const DEVICE_PASSWORDS_FILE = join(STATE, 'device-passwords.json');

/** The devices' passwords kept in .run/pipeline (the simulator reads them); `fresh`: the ids given one just now. */
async function devicePasswords(deviceIds: string[]): Promise<{ passwords: Record<string, string>; fresh: Set<string> }> {
  const passwords = existsSync(DEVICE_PASSWORDS_FILE) ? (JSON.parse(await readFile(DEVICE_PASSWORDS_FILE, 'utf8')) as Record<string, string>) : {};
  const fresh = new Set(deviceIds.filter((id) => passwords[id] === undefined));
  for (const id of fresh) passwords[id] = randomBytes(12).toString('base64url');
  await writeFile(DEVICE_PASSWORDS_FILE, `${JSON.stringify(passwords, null, 2)}\n`, { mode: 0o600 });
  return { passwords, fresh };
}

/**
 * The registry's device accounts on the running broker, through its dynamic security plugin:
 * made when absent, brought to the current policy when made by an earlier version; none deleted
 * and no password changed, so the running simulator's devices stay connected (issue 13, defect
 * 11). Only an account whose password this file lost (a new password was just drawn for an
 * account the broker already had) is rotated, and the file gets the rotated password.
 */
async function provisionRegistryDevices(deviceIds: string[]): Promise<void> {
  const broker = stackBroker({ dir: join(ROOT, '.run', 'local-stack', 'mosquitto'), port: DEV_PORTS.mqtt, detached: true });
  const { passwords, fresh } = await devicePasswords(deviceIds);
  const report = await provisionDevStackAccounts(broker, { registryDevices: deviceIds.map((id) => ({ username: id, password: passwords[id]! })) });
  const lost = [...report.updated, ...report.unchanged].filter((id) => fresh.has(id));
  if (lost.length > 0) {
    const accounts = await broker.deviceAccounts();
    try {
      for (const id of lost) passwords[id] = (await accounts.rotate(id)).password;
    } finally {
      await accounts.close();
    }
    await writeFile(DEVICE_PASSWORDS_FILE, `${JSON.stringify(passwords, null, 2)}\n`, { mode: 0o600 });
  }
  const registry = REGISTRY.replace(`${ROOT}/`, '');
  say(
    `broker: ${deviceIds.length} devices of ${registry}: ${report.created.length} created, ${report.updated.length} brought to the current policy, ` +
      `${report.unchanged.length} unchanged, ${lost.length} rotated (passwords in .run/pipeline/device-passwords.json)`,
  );
}

/**
 * Dev API keys: an admin, the demo registry's Chongqing regulator and one enterprise. The
 * API gets only their SHA-256 hashes; the secrets stay in .run/pipeline/api-secrets.json.
 */
async function devApiKeys(): Promise<string> {
  const secretsFile = join(STATE, 'api-secrets.json');
  const secrets = existsSync(secretsFile) ? (JSON.parse(await readFile(secretsFile, 'utf8')) as Record<string, string>) : {};
  const keys = [
    { id: 'dev-admin', role: 'admin' },
    { id: 'dev-regulator-cq', role: 'regulator', jurisdiction: ['CN-CQ'] },
    { id: 'dev-cq-autoparts', role: 'enterprise', enterpriseId: 'cq-autoparts' },
  ];
  for (const k of keys) secrets[k.id] ??= randomBytes(24).toString('base64url');
  await writeFile(secretsFile, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  const file = join(STATE, 'api-keys.json');
  const entries = keys.map((k) => ({ ...k, sha256: createHash('sha256').update(secrets[k.id]!).digest('hex') }));
  await writeFile(file, `${JSON.stringify({ version: 1, keys: entries }, null, 2)}\n`);
  return file;
}

/** Node runs it as it is (type stripping): the supervisor that starts a process again when it dies. */
const SUPERVISOR = join(ROOT, 'packages', 'service-kit', 'src', 'supervise-main.ts');

/** Starts a process under its supervisor, detached; the pid file holds the supervisor's pid (SIGTERM to it stops both). */
async function launch(name: ProcessName, args: string[], env: Record<string, string | undefined>): Promise<void> {
  const pid = await runningPid(name);
  if (pid !== undefined) return say(`${name}: already running (pid ${pid})`);
  const log = openSync(join(STATE, `${name}.log`), 'a');
  const child = spawn(process.execPath, [SUPERVISOR, name, '--', process.execPath, ...args], { cwd: ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', log, log] });
  child.unref();
  await writeFile(join(STATE, `${name}.pid`), String(child.pid));
  say(`${name}: started under supervision (pid ${child.pid}, log .run/pipeline/${name}.log)`);
}

/** A service's built bundle, started as every environment starts it (serviceNodeFlags). */
async function launchService(name: keyof typeof OPS_PORTS, env: Record<string, string | undefined>): Promise<void> {
  await launch(name, [...serviceNodeFlags(name), `services/${name}/dist/main.js`], { ...SERVICE_PROCESS_ENV, ...env });
}

async function waitHealthy(name: keyof typeof OPS_PORTS): Promise<void> {
  const url = `http://127.0.0.1:${OPS_PORTS[name]}/health`;
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return say(`${name}: healthy (${url})`);
    if ((await runningPid(name)) === undefined) throw new Error(`${name} exited while starting; see .run/pipeline/${name}.log`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} not healthy after 60 s; see .run/pipeline/${name}.log`);
}

const KAFKA_BROKERS = `127.0.0.1:${DEV_PORTS.kafka}`;

/** The dev stack's Prometheus (started by `stack up`); this script tells it what to scrape. */
const devPrometheus = () =>
  prometheus({ dir: join(ROOT, '.run', 'local-stack', 'prometheus'), port: DEV_PORTS.prometheus, scrapeIntervalSeconds: DEV_SCRAPE_INTERVAL_SECONDS, detached: true });

/** Every service's /metrics: the ops ports, and the API's own port (it serves /metrics there). */
const scrapeTargets = () => Object.values(OPS_PORTS).map((port) => ({ address: `127.0.0.1:${port}` }));

/**
 * The services follow the registry topic, not the file (an MTL_REGISTRY_FILE in the caller's
 * environment names what `up` pushes; passed on as well it would be refused: one or the other).
 */
const registryTopicEnv = (): Record<string, string | undefined> => ({ MTL_REGISTRY_TOPIC: MTL_TOPICS.registry, MTL_REGISTRY_FILE: undefined });

/** `meterline registry push` of the registry file, the CLI's own code path: each enterprise changed since the last push becomes its next version. */
async function pushRegistry(): Promise<void> {
  const args = ['--import', 'tsx', 'packages/cli/src/main.ts', 'registry', 'push', REGISTRY, '--brokers', KAFKA_BROKERS, '--topic', MTL_TOPICS.registry, '--by', 'cli:meterline-up'];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve, reject) => child.once('error', reject).once('close', resolve));
  if (code !== 0) throw new Error(`meterline registry push ${REGISTRY} failed (exit ${code}):\n${output}`);
  for (const line of output.trimEnd().split('\n')) say(`registry: ${line}`);
}

/**
 * The dev alerting file: the alerter's default rules, and per demo enterprise one subscription
 * to the dev webhook receiver with a secret made on first start (kept in .run/pipeline).
 */
async function devAlerting(enterpriseIds: string[]): Promise<{ file: string; secretsFile: string }> {
  const secretsFile = join(STATE, 'webhook-secrets.json');
  const secrets = existsSync(secretsFile) ? (JSON.parse(await readFile(secretsFile, 'utf8')) as Record<string, string>) : {};
  for (const id of enterpriseIds) secrets[`dev-${id}`] ??= randomBytes(24).toString('base64url');
  await writeFile(secretsFile, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  const subscriptions = enterpriseIds.map((id) => ({
    id: `dev-${id}`,
    enterpriseId: id,
    url: `http://127.0.0.1:${RECEIVER_PORT}/hooks/${id}`,
    secret: secrets[`dev-${id}`],
    rateLimit: { perMinute: 6, burst: 3 },
  }));
  const file = join(STATE, 'alerting.yaml');
  await writeFile(file, stringify({ version: 1, subscriptions }), { mode: 0o600 });
  return { file, secretsFile };
}

/** Where the aggregator and the backfill find readings, figures, jobs and the registry on the dev stack. */
const aggregatorEnv = (): Record<string, string> => ({
  MTL_KAFKA_BROKERS: KAFKA_BROKERS,
  MTL_FIGURES_TOPIC: MTL_TOPICS.figures,
  MTL_RESTATEMENTS_TOPIC: MTL_TOPICS.restatements,
  MTL_INFLUX_URL: `http://127.0.0.1:${DEV_PORTS.influxHttp}`,
  MTL_INFLUX_TOKEN: `${DEV_INFLUX_ADMIN.username}:${DEV_INFLUX_ADMIN.password}`,
  MTL_INFLUX_DATABASE: DEV_INFLUX_DATABASE,
  MTL_REGISTRY_FILE: REGISTRY,
});

async function up(): Promise<void> {
  await mkdir(STATE, { recursive: true });
  const parsed = parseManifest(await readFile(REGISTRY, 'utf8'), REGISTRY);
  if (!parsed.ok) throw new Error(`${REGISTRY}: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  const deviceIds = parsed.manifest.enterprises.flatMap((e) => e.devices.map((d) => d.id));
  await provisionRegistryDevices(deviceIds);

  await pushRegistry();

  const mqttUrl = `mqtt://127.0.0.1:${DEV_PORTS.mqtt}`;
  const kafkaBrokers = KAFKA_BROKERS;
  await launchService('writer', {
    MTL_KAFKA_BROKERS: kafkaBrokers,
    MTL_READINGS_TOPIC: MTL_TOPICS.readings,
    MTL_DEAD_LETTER_TOPIC: MTL_TOPICS.readingsDlq,
    MTL_INSTANCE_ID: 'local-1',
    MTL_INFLUX_URL: `http://127.0.0.1:${DEV_PORTS.influxHttp}`,
    MTL_INFLUX_TOKEN: `${DEV_INFLUX_ADMIN.username}:${DEV_INFLUX_ADMIN.password}`,
    MTL_INFLUX_DATABASE: DEV_INFLUX_DATABASE,
    MTL_OPS_PORT: String(OPS_PORTS.writer),
  });
  await launchService('ingest', {
    MTL_MQTT_URL: mqttUrl,
    MTL_MQTT_USERNAME: INGEST_MQTT_USER.username,
    MTL_MQTT_PASSWORD: DEV_SERVICE_PASSWORDS[INGEST_MQTT_USER.username]!,
    MTL_INSTANCE_ID: 'local-1',
    MTL_KAFKA_BROKERS: kafkaBrokers,
    MTL_READINGS_TOPIC: MTL_TOPICS.readings,
    MTL_DEAD_LETTER_TOPIC: MTL_TOPICS.readingsDlq,
    MTL_DEVICE_STATUS_TOPIC: MTL_TOPICS.deviceStatus,
    MTL_DEVICE_SEQUENCE_TOPIC: MTL_TOPICS.deviceSequence,
    ...registryTopicEnv(),
    // The one ingest instance is the Sparkplug B host: a Sparkplug gateway of the registry can publish as it is.
    MTL_SPARKPLUG_HOST: 'true',
    MTL_OPS_PORT: String(OPS_PORTS.ingest),
  });
  await launchService('aggregator', {
    ...aggregatorEnv(),
    ...registryTopicEnv(),
    MTL_JOBS_TOPIC: MTL_TOPICS.aggregationJobs,
    MTL_FACTOR_SETS_TOPIC: MTL_TOPICS.factorSets,
    MTL_INSTANCE_ID: 'local-1',
    MTL_OPS_PORT: String(OPS_PORTS.aggregator),
  });
  const alerting = await devAlerting(parsed.manifest.enterprises.map((e) => e.id));
  await launch('webhook-receiver', ['--import', 'tsx', 'scripts/dev-webhook-receiver.ts', String(RECEIVER_PORT), alerting.secretsFile], {});
  await launchService('alerter', {
    MTL_KAFKA_BROKERS: kafkaBrokers,
    MTL_INFLUX_URL: `http://127.0.0.1:${DEV_PORTS.influxHttp}`,
    MTL_INFLUX_TOKEN: `${DEV_INFLUX_ADMIN.username}:${DEV_INFLUX_ADMIN.password}`,
    MTL_INFLUX_DATABASE: DEV_INFLUX_DATABASE,
    ...registryTopicEnv(),
    MTL_ALERTING_FILE: alerting.file,
    MTL_INSTANCE_ID: 'local-1',
    MTL_OPS_PORT: String(OPS_PORTS.alerter),
  });
  await launchService('api', {
    MTL_INFLUX_URL: `http://127.0.0.1:${DEV_PORTS.influxHttp}`,
    MTL_INFLUX_TOKEN: `${DEV_INFLUX_ADMIN.username}:${DEV_INFLUX_ADMIN.password}`,
    MTL_INFLUX_DATABASE: DEV_INFLUX_DATABASE,
    ...registryTopicEnv(),
    MTL_API_KEYS_FILE: await devApiKeys(),
    MTL_PORT: String(OPS_PORTS.api),
    // Webhook subscriptions and silences, and registry uploads, made through the API go to their topics.
    MTL_KAFKA_BROKERS: kafkaBrokers,
    MTL_ALERTING_TOPIC: MTL_TOPICS.alerting,
    // Devices' broker credentials (create, rotate, revoke) through the broker's dynamic security plugin.
    MTL_BROKER_ADMIN_URL: mqttUrl,
    MTL_BROKER_ADMIN_USERNAME: DEV_BROKER_ADMIN.username,
    MTL_BROKER_ADMIN_PASSWORD: DEV_BROKER_ADMIN.password,
  });
  await waitHealthy('writer');
  await waitHealthy('ingest');
  await waitHealthy('aggregator');
  await waitHealthy('alerter');
  await waitHealthy('api');
  const prom = devPrometheus();
  await prom.setTargets(scrapeTargets());
  say(`prometheus: scraping ${Object.keys(OPS_PORTS).join(', ')} every ${DEV_SCRAPE_INTERVAL_SECONDS} s (${prom.url}/targets)`);
  await launch('simulator', ['--import', 'tsx', 'packages/simulator/src/cli.ts', '--manifest', REGISTRY, '--passwords', join(STATE, 'device-passwords.json'), '--url', mqttUrl, '--interval', '10'], {});
}

async function down(): Promise<void> {
  // The fleet first, then ingest (it acknowledges nothing it has not handed to Kafka), then the writer and aggregator.
  for (const name of ['simulator', 'ingest', 'writer', 'aggregator', 'alerter', 'webhook-receiver', 'api'] as const) {
    const pid = await runningPid(name);
    if (pid === undefined) {
      say(`${name}: not running`);
      continue;
    }
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 150 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    await rm(join(STATE, `${name}.pid`), { force: true });
    say(`${name}: stopped (was pid ${pid})`);
  }
}

async function status(): Promise<boolean> {
  let allUp = true;
  for (const name of ['ingest', 'writer', 'aggregator', 'alerter', 'api', 'simulator', 'webhook-receiver'] as const) {
    const pid = await runningPid(name);
    allUp &&= pid !== undefined;
    const health = name === 'simulator' || name === 'webhook-receiver' || pid === undefined ? '' : await fetch(`http://127.0.0.1:${OPS_PORTS[name]}/health`).then((r) => r.text(), (e: Error) => e.message);
    say(`${name}: ${pid === undefined ? 'down' : `up, pid ${pid}`} ${health}`.trimEnd());
  }
  const prom = devPrometheus();
  if ((await prom.runningPid()) === undefined) {
    say('prometheus: down, nothing scraped');
    return false;
  }
  for (const target of await prom.activeTargets()) {
    allUp &&= target.health === 'up';
    say(`prometheus scrapes ${target.scrapeUrl}: ${target.health}${target.lastError ? ` (${target.lastError})` : ''}`);
  }
  return allUp;
}

const command = process.argv[2];
try {
  if (command === 'up') await up();
  else if (command === 'down') await down();
  else if (command === 'status') process.exitCode = (await status()) ? 0 : 3;
  else if (command === 'aggregate') {
    process.exitCode = await runBackfill(process.argv.slice(3), {
      // The dev stack's settings, unless the caller's environment names others.
      env: { ...aggregatorEnv(), ...process.env },
      stdout: (text) => void process.stdout.write(text),
      stderr: (text) => void process.stderr.write(text),
      interactive: process.stderr.isTTY === true,
      onInterrupt: (handler) => void process.once('SIGINT', handler),
    });
  } else {
    say('usage: pipeline.ts up|down|status|aggregate');
    process.exitCode = 64;
  }
} catch (error) {
  process.stderr.write(`meterline: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
