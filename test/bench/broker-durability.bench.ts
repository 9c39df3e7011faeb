/**
 * bench:broker-durability — what each Mosquitto persistence setting costs and what a SIGKILL of
 * the broker still loses with it (issue 18: "Mosquitto SIGKILLed while ingest is down").
 *
 * For each setting a fresh broker of the launcher's kind (mosquittoDynsec: the dynamic security
 * and publish-limit plugins, the stack's queue limits) runs on a private directory, with one
 * persistent session (clean session false, a QoS 1 subscription) offline, as ingest's is while
 * ingest is stopped; the Go generator (test/bench/loadgen) publishes QoS 1 messages into it.
 *   - cost, twice: as fast as the broker acknowledges (at most BENCH_MAX_SECONDS or
 *     BENCH_MAX_MESSAGES), then paced at BENCH_RATE for BENCH_PACED_SECONDS (a fleet at our
 *     measured ingest rates, queueing while ingest is down). Measured: acknowledged messages/s,
 *     the broker's CPU seconds and the bytes it wrote to storage (`/proc/<pid>/io` write_bytes)
 *     per 10 000 messages, the longest pause between two PUBACKs (the broker's one thread
 *     blocked, e.g. by a save), and its persistence file's size afterwards (Mosquitto 2.0
 *     rewrites the whole file at each save, so that is what each save then writes).
 *   - loss: the broker restarted (SIGTERM saves, so the last save is known), the generator
 *     publishes BENCH_LOSS_MESSAGES acknowledged messages, the broker is SIGKILLed a known delay
 *     after the last PUBACK and started again, and the session is drained: what it delivers of
 *     what was acknowledged.
 * The session is saved before anything is published into it, as a long-lived ingest session is.
 *
 * A benchmark, not a test: it prints, it asserts nothing. `--json` prints the results as JSON.
 *
 *   BENCH_SETTINGS        which settings run, comma-separated (default `autosave-60,autosave-1,every-change,off`)
 *   BENCH_MAX_SECONDS     longest the as-fast-as-acknowledged phase publishes (default 5)
 *   BENCH_MAX_MESSAGES    most it publishes (default 200 000)
 *   BENCH_RATE            offered messages/s of the paced phase (default 5 000)
 *   BENCH_PACED_SECONDS   seconds of the paced phase (default 15)
 *   BENCH_LOSS_MESSAGES   acknowledged messages before each kill (default 2 000)
 *   BENCH_KILL_DELAYS_MS  delays after the last PUBACK at which the broker is killed (default `500,2000`)
 *   BENCH_PAYLOAD_BYTES   bytes per message (default 300, about a one-reading payload)
 *   BENCH_PUBLISHERS      publishing connections (default 4)
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { DEFAULT_BROKER_PERSISTENCE, freePort, mosquittoDynsec, type BrokerPersistence, type MosquittoDynsecHandle } from '@meterline/local-stack';
import { buildLoadgen, runMqttLoad, type MqttLoadPlan } from '../harness/loadgen.ts';
import { cpuSeconds, storageWriteBytes } from '../harness/process-usage.ts';

const SETTINGS: readonly { key: string; name: string; persistence: BrokerPersistence }[] = [
  { key: 'autosave-60', name: 'autosave_interval 60 (default)', persistence: DEFAULT_BROKER_PERSISTENCE },
  { key: 'autosave-1', name: 'autosave_interval 1', persistence: { kind: 'interval', seconds: 1 } },
  { key: 'every-change', name: 'autosave_on_changes, interval 1', persistence: { kind: 'changes', changes: 1 } },
  { key: 'off', name: 'persistence false', persistence: { kind: 'off' } },
];
const CHOSEN = (process.env['BENCH_SETTINGS'] ?? SETTINGS.map((s) => s.key).join(',')).split(',').map((s) => s.trim());
const MAX_SECONDS = Number(process.env['BENCH_MAX_SECONDS'] ?? 5);
const MAX_MESSAGES = Number(process.env['BENCH_MAX_MESSAGES'] ?? 200_000);
const RATE = Number(process.env['BENCH_RATE'] ?? 5_000);
const PACED_SECONDS = Number(process.env['BENCH_PACED_SECONDS'] ?? 15);
const LOSS_MESSAGES = Number(process.env['BENCH_LOSS_MESSAGES'] ?? 2_000);
const KILL_DELAYS_MS = (process.env['BENCH_KILL_DELAYS_MS'] ?? '500,2000').split(',').map(Number);
const PAYLOAD_BYTES = Number(process.env['BENCH_PAYLOAD_BYTES'] ?? 300);
const PUBLISHERS = Number(process.env['BENCH_PUBLISHERS'] ?? 4);
const JSON_OUTPUT = process.argv.includes('--json');
/** Unacknowledged publishes per connection, as in bench:ingest. */
const INFLIGHT = 50;
/** A drain ends when the session has delivered everything, or nothing more arrives for this long. */
const DRAIN_IDLE_MS = 3_000;
const TOPIC_ROOT = 'bench/durability';
/** Out of the way: the bench's few connections stand for many devices; the plugin stays in the path. */
const PUBLISH_LIMIT = { messagesPerSecond: 1_000_000, messageBurst: 1_000_000, bytesPerSecond: 1e10, byteBurst: 1e10 };

const say = (line: string) => (JSON_OUTPUT ? process.stderr : process.stdout).write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const n = (v: number, digits = 0) => (Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');

interface Account {
  clientId: string;
  username: string;
  password: string;
}

interface CostResult {
  /** Offered messages/s (0: as fast as the acknowledgements allow). */
  offered: number;
  acked: number;
  messagesPerSecond: number;
  brokerCpuSecondsPer10k: number;
  /** Bytes the broker wrote to storage per 10 000 messages (its persistence saves and its log). */
  storageMbPer10k: number;
  /** The persistence file's size after the phase, the session holding every message: what one save then writes. */
  persistenceFileMb: number;
  /** The longest time between two consecutive PUBACKs: how long the broker stopped acknowledging. */
  longestAckPauseMs: number;
}

interface LossResult {
  killDelayMs: number;
  /** When the broker was actually killed after the last PUBACK. */
  killedAfterMs: number;
  acknowledged: number;
  delivered: number;
  lost: number;
  /** Whether the broker still knew the session after its restart (CONNACK session present). */
  sessionPresent: boolean;
}

interface SettingResult {
  key: string;
  name: string;
  /** As fast as the broker acknowledges, and at the offered rate. */
  cost: { max: CostResult; paced: CostResult };
  loss: LossResult[];
}

/** A message whose payload carries its index, padded to PAYLOAD_BYTES. */
function payloadLine(index: number): string {
  const head = `{"i":${index},"pad":"`;
  return `${index % PUBLISHERS}\t${head}${'x'.repeat(Math.max(0, PAYLOAD_BYTES - head.length - 2))}"}`;
}

interface PlanOptions {
  first: number;
  count: number;
  /** Messages/s, 0 for as fast as acknowledged. */
  rate: number;
  /** Stop after this long (0: publish all `count`). */
  seconds: number;
  /** Report every acknowledgement (for the kill's timing). */
  sampleAll: boolean;
}

/** The generator's plan for `count` messages with indices from `first`. */
async function writePlan(dir: string, label: string, url: string, publisher: Omit<Account, 'clientId'>, { first, count, rate, seconds, sampleAll }: PlanOptions): Promise<string> {
  const payloadFile = join(dir, `${label}.payloads`);
  await writeFile(payloadFile, `${Array.from({ length: count }, (_, i) => payloadLine(first + i)).join('\n')}\n`);
  const plan: MqttLoadPlan = {
    url,
    rate,
    ...(seconds > 0 ? { seconds } : {}),
    inflight: INFLIGHT,
    sampleEvery: sampleAll ? 1 : 0,
    payloadFile,
    devices: Array.from({ length: PUBLISHERS }, (_, i) => ({ ...publisher, clientId: `bench-pub-${i}-${randomUUID().slice(0, 8)}`, topic: `${TOPIC_ROOT}/${i}` })),
  };
  const planFile = join(dir, `${label}.plan.json`);
  await writeFile(planFile, JSON.stringify(plan));
  return planFile;
}

/** Connects the persistent subscriber (clean session false) and hands it every message's index. */
function connectSubscriber(url: string, account: Account, onIndex: (index: number) => void): Promise<{ client: mqtt.MqttClient; sessionPresent: boolean }> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { ...account, clean: false, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 10_000 });
    client.on('message', (_topic, payload) => onIndex((JSON.parse(payload.toString('utf8')) as { i: number }).i));
    client.once('connect', (connack) => resolve({ client, sessionPresent: connack.sessionPresent }));
    client.once('error', (error) => {
      client.end(true);
      reject(error);
    });
  });
}

/** Creates the persistent session and its QoS 1 subscription, then leaves it offline. */
async function openSession(url: string, account: Account): Promise<void> {
  const { client } = await connectSubscriber(url, account, () => undefined);
  await client.subscribeAsync(`${TOPIC_ROOT}/#`, { qos: 1 });
  await client.endAsync();
}

/** Reconnects the session and counts the distinct indices in [first, first + count) it delivers, until all came or none for DRAIN_IDLE_MS. */
async function drainSession(url: string, account: Account, first: number, count: number): Promise<{ delivered: number; sessionPresent: boolean }> {
  const seen = new Set<number>();
  let lastAt = Date.now();
  const { client, sessionPresent } = await connectSubscriber(url, account, (index) => {
    lastAt = Date.now();
    if (index >= first && index < first + count) seen.add(index);
  });
  while (seen.size < count && Date.now() - lastAt < DRAIN_IDLE_MS) await sleep(100);
  await client.endAsync();
  return { delivered: seen.size, sessionPresent };
}

/** SIGTERM saves: the session is on disk before anything is published, as a long-lived one is (without persistence a restart would forget it). */
async function saveSession(broker: MosquittoDynsecHandle, persistence: BrokerPersistence): Promise<void> {
  if (persistence.kind === 'off') return;
  await broker.stop();
  await broker.start();
}

/** Throws the session and its queue away (a clean session under its client id), then makes it again, empty, and saves it. */
async function resetSession(broker: MosquittoDynsecHandle, account: Account, persistence: BrokerPersistence): Promise<void> {
  const client = await mqtt.connectAsync(broker.url, { ...account, clean: true, protocolVersion: 4, reconnectPeriod: 0 });
  await client.endAsync();
  await openSession(broker.url, account);
  await saveSession(broker, persistence);
}

/** One cost phase: the generator's run into the offline session, the broker's CPU and storage writes around it. */
async function costPhase(broker: MosquittoDynsecHandle, persistence: BrokerPersistence, loadgen: string, planFile: string, offered: number): Promise<CostResult> {
  const pid = await broker.runningPid();
  const [cpu0, written0] = [await cpuSeconds(pid), await storageWriteBytes(pid)];
  const ackTimes: number[] = [];
  const load = await runMqttLoad(loadgen, planFile, (_index, ackedAtMs) => ackTimes.push(ackedAtMs));
  ackTimes.sort((a, b) => a - b);
  // A timed save after the phase writes what it queued: wait for it, so the file shows that size.
  if (persistence.kind === 'interval' && persistence.seconds <= 2) await sleep(2_500);
  const [cpu, written] = [(await cpuSeconds(pid)) - cpu0, (await storageWriteBytes(pid)) - written0];
  const fileBytes = persistence.kind === 'off' ? NaN : await stat(join(broker.dir, 'data', 'mosquitto.db')).then((s) => s.size, () => NaN);
  const result: CostResult = {
    offered,
    acked: load.acked,
    messagesPerSecond: load.acked / load.publishSeconds,
    brokerCpuSecondsPer10k: (cpu * 10_000) / load.acked,
    storageMbPer10k: (written * 10_000) / load.acked / 1e6,
    persistenceFileMb: fileBytes / 1e6,
    longestAckPauseMs: ackTimes.reduce((longest, at, i) => Math.max(longest, i === 0 ? 0 : at - ackTimes[i - 1]!), 0),
  };
  say(`    ${n(load.acked)} acknowledged, ${n(result.messagesPerSecond)} msg/s, broker CPU ${n(result.brokerCpuSecondsPer10k, 3)} s/10k, wrote ${n(result.storageMbPer10k, 1)} MB/10k, longest PUBACK pause ${n(result.longestAckPauseMs)} ms, file ${n(result.persistenceFileMb, 1)} MB`);
  return result;
}

async function runSetting(setting: (typeof SETTINGS)[number], loadgen: string, baseDir: string): Promise<SettingResult> {
  const dir = join(baseDir, setting.key);
  const publisher = { username: 'bench-publisher', password: randomUUID() };
  const subscriber: Account = { clientId: `bench-durable-${setting.key}`, username: 'bench-subscriber', password: randomUUID() };
  const broker: MosquittoDynsecHandle = mosquittoDynsec({
    dir,
    port: await freePort(),
    admin: { username: 'bench-admin', password: randomUUID() },
    serviceUsers: [
      { ...publisher, write: [`${TOPIC_ROOT}/#`] },
      { username: subscriber.username, password: subscriber.password, read: [`${TOPIC_ROOT}/#`] },
    ],
    publishLimit: PUBLISH_LIMIT,
    persistence: setting.persistence,
  });
  const plan = (label: string, options: PlanOptions) => writePlan(dir, label, broker.url, publisher, options);
  await broker.start();
  try {
    await openSession(broker.url, subscriber);
    await saveSession(broker, setting.persistence);

    say(`  cost: as fast as acknowledged, at most ${MAX_SECONDS} s or ${n(MAX_MESSAGES)} messages`);
    const max = await costPhase(broker, setting.persistence, loadgen, await plan('max', { first: 0, count: MAX_MESSAGES, rate: 0, seconds: MAX_SECONDS, sampleAll: true }), 0);
    await resetSession(broker, subscriber, setting.persistence);

    say(`  cost: ${n(RATE)} msg/s offered for ${PACED_SECONDS} s`);
    const pacedPlan = await plan('paced', { first: 0, count: Math.ceil(RATE * PACED_SECONDS), rate: RATE, seconds: PACED_SECONDS, sampleAll: true });
    const paced = await costPhase(broker, setting.persistence, loadgen, pacedPlan, RATE);
    await resetSession(broker, subscriber, setting.persistence);

    const loss: LossResult[] = [];
    let first = 0;
    for (const delayMs of KILL_DELAYS_MS) {
      // Restarted with SIGTERM, which saves: the loss counts from a known last save.
      await saveSession(broker, setting.persistence);
      let lastAckMs = 0;
      const lossPlan = await plan(`loss-${delayMs}`, { first, count: LOSS_MESSAGES, rate: 0, seconds: 0, sampleAll: true });
      const batch = await runMqttLoad(loadgen, lossPlan, (_index, ackedAtMs) => {
        lastAckMs = Math.max(lastAckMs, ackedAtMs);
      });
      await sleep(Math.max(0, lastAckMs + delayMs - Date.now()));
      const killedAfterMs = Date.now() - lastAckMs;
      await broker.kill();
      await broker.start();
      const drained = await drainSession(broker.url, subscriber, first, LOSS_MESSAGES);
      loss.push({ killDelayMs: delayMs, killedAfterMs, acknowledged: batch.acked, delivered: drained.delivered, lost: batch.acked - drained.delivered, sessionPresent: drained.sessionPresent });
      say(`  loss: killed ${killedAfterMs} ms after the last of ${n(batch.acked)} PUBACKs; the session delivered ${n(drained.delivered)}${drained.sessionPresent ? '' : ' (the broker had forgotten the session)'}`);
      // Whatever the kill left (a forgotten session has no subscription): the next delay starts from an empty, saved session.
      await resetSession(broker, subscriber, setting.persistence);
      first += LOSS_MESSAGES;
    }
    return { key: setting.key, name: setting.name, cost: { max, paced }, loss };
  } finally {
    await broker.stop();
  }
}

function printTable(results: SettingResult[]) {
  const reference = results.find((r) => r.key === 'autosave-60')?.cost.max.messagesPerSecond ?? NaN;
  const lines = [
    `\nbench:broker-durability — Mosquitto (the launcher's broker), QoS 1 into one offline persistent session, ${PAYLOAD_BYTES}-byte messages, ${PUBLISHERS} publishing connections × ${INFLIGHT} in flight, Go generator; ${cpus().length} cores shared`,
    `max: as fast as acknowledged (≤ ${MAX_SECONDS} s, ≤ ${n(MAX_MESSAGES)} messages); paced: ${n(RATE)} msg/s offered for ${PACED_SECONDS} s; loss: ${n(LOSS_MESSAGES)} acknowledged messages per kill, from a fresh save`,
    '',
    `| setting | max msg/s | × autosave 60 | CPU s / 10k (max) | paced msg/s | CPU s / 10k (paced) | written MB / 10k (paced) | longest PUBACK pause ms (paced) | file MB after paced | ${KILL_DELAYS_MS.map((d) => `lost / acked, kill ${d} ms after`).join(' | ')} |`,
    `|---|---|---|---|---|---|---|---|---|${KILL_DELAYS_MS.map(() => '---|').join('')}`,
  ];
  for (const r of results) {
    const { max, paced } = r.cost;
    const losses = r.loss.map((l) => `${n(l.lost)} / ${n(l.acknowledged)}${l.sessionPresent ? '' : ' (session gone)'}`);
    lines.push(
      `| ${r.name} | ${n(max.messagesPerSecond)} | ${n(max.messagesPerSecond / reference, 2)} | ${n(max.brokerCpuSecondsPer10k, 3)} | ${n(paced.messagesPerSecond)} | ${n(paced.brokerCpuSecondsPer10k, 3)} | ${n(paced.storageMbPer10k, 1)} | ${n(paced.longestAckPauseMs)} | ${n(paced.persistenceFileMb, 1)} | ${losses.join(' | ')} |`,
    );
  }
  console.log(lines.join('\n'));
}

async function main() {
  const baseDir = await mkdtemp(join(tmpdir(), 'meterline-bench-durability-'));
  const results: SettingResult[] = [];
  try {
    const loadgen = await buildLoadgen(baseDir);
    for (const setting of SETTINGS.filter((s) => CHOSEN.includes(s.key))) {
      say(`\n${setting.name}`);
      results.push(await runSetting(setting, loadgen, baseDir));
    }
  } finally {
    await rm(baseDir, { recursive: true, force: true });
  }
  if (JSON_OUTPUT) {
    const config = { maxSeconds: MAX_SECONDS, maxMessages: MAX_MESSAGES, rate: RATE, pacedSeconds: PACED_SECONDS, lossMessages: LOSS_MESSAGES, killDelaysMs: KILL_DELAYS_MS, payloadBytes: PAYLOAD_BYTES, publishers: PUBLISHERS, inflight: INFLIGHT, cores: cpus().length };
    console.log(JSON.stringify({ bench: 'broker-durability', ...config, results }, null, 2));
  } else printTable(results);
}

await main();
