/**
 * bench:edge — the edge agent (`meterline-edge`, its built bundle, as a process of its own)
 * polling a pymodbus 3.16.1 simulator over Modbus TCP and publishing to the stack's Mosquitto.
 * Three runs on one private stack, the broker's per-device limit raised (one agent stands for a
 * site's gateway; the default limit would measure the limit):
 *
 *   1. baseline: the raw broker, mqtt.js publishing payloads of the agent's size at QoS 1, one
 *      in flight at a time as the agent sends them;
 *   2. sustained: the agent polling BENCH_EDGE_METERS meter entries every 100 ms, its own send
 *      limit raised: polls/s, payloads published/s, queue depth at the end (growing = behind), RSS;
 *   3. replay: the queue filled while the broker was unreachable (BENCH_STEP_SECONDS of polls to a
 *      port nothing listens on), then the agent started again towards the broker: payloads/s
 *      until the queue is empty, and RSS.
 *
 * A benchmark, not a test: it prints, it asserts nothing.
 *
 *   BENCH_STEP_SECONDS  seconds of each run (default 15)
 *   BENCH_EDGE_METERS   meter entries polled every 100 ms (default 20)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import mqtt from 'mqtt';
import { readingsTopic } from '@meterline/contracts';
import { ensureEdgePeers, freePort } from '@meterline/local-stack';
import { withBenchStack } from '../harness/bench-stack.ts';
import { procMb } from '../harness/process-usage.ts';

const STEP_SECONDS = Number(process.env['BENCH_STEP_SECONDS'] ?? 15);
const METERS = Number(process.env['BENCH_EDGE_METERS'] ?? 20);
const ROOT = join(import.meta.dirname, '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RAISED_LIMIT = { messagesPerSecond: 100_000, messageBurst: 1_000_000, bytesPerSecond: 1e9, byteBurst: 1e10 };

async function startModbusPeer(): Promise<{ port: number; child: ChildProcess }> {
  const { python } = await ensureEdgePeers();
  const port = await freePort();
  const child = spawn(python, [join(ROOT, 'services', 'edge', 'test', 'peers', 'modbus_meter.py'), String(port)], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((resolve) => createInterface({ input: child.stdout }).on('line', (l) => l === `READY ${port}` && resolve()));
  return { port, child };
}

/** The counters and gauges of the agent's /metrics, by name (labels summed). */
async function agentMetrics(opsPort: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
  const values: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = /^(meterline_edge_[a-z_]+)(?:\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (match) values[match[1]!] = (values[match[1]!] ?? 0) + Number(match[2]);
  }
  return values;
}

async function until(check: () => Promise<boolean>) {
  while (!(await check())) await sleep(100);
}

await withBenchStack(
  async ({ stack }) => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-edge-'));
    const peer = await startModbusPeer();
    const device = stack.mqtt.users.find((u) => u.username === 'dev-meter-001')!;
    const registers = [
      { function: 'input', address: 0, type: 'float32', point: 'e', quantity: 'active-energy-import', unit: 'kWh' },
      { function: 'input', address: 14, type: 'float32', point: 'p', quantity: 'active-power', unit: 'kW' },
    ];
    const meters = (pollIntervalMs: number) =>
      Array.from({ length: METERS }, (_, i) => ({ kind: 'modbus-tcp', id: `m${i}`, host: '127.0.0.1', port: peer.port, pollIntervalMs, registers: registers.map((r) => ({ ...r, point: `${r.point}-${i}` })) }));
    const runAgent = async (mqttUrl: string, pollIntervalMs: number) => {
      const opsPort = await freePort();
      const configFile = join(dir, `edge-${opsPort}.json`);
      writeFileSync(
        configFile,
        JSON.stringify({
          deviceId: device.username,
          // No hold after CONNACK: the replay rate is the agent's sending alone (the hold is a fixed 5 s by default).
          mqtt: { url: mqttUrl, reconnectFirstMaxMs: 200, reconnectMaxMs: 500, holdAfterConnectMs: 0 },
          queue: { file: join(dir, 'queue.db'), messagesPerSecond: 1_000, bytesPerSecond: 1e8 },
          utcOffsetMinutes: 480,
          ops: { port: opsPort },
          logLevel: 'warn',
          meters: meters(pollIntervalMs),
        }),
      );
      const child = spawn(process.execPath, [join(ROOT, 'services', 'edge', 'dist', 'main.js'), configFile], { env: { ...process.env, MTL_EDGE_MQTT_PASSWORD: device.password }, stdio: 'ignore' });
      await until(() => agentMetrics(opsPort).then(() => true, () => false));
      return {
        metrics: () => agentMetrics(opsPort),
        rssMb: () => procMb(child.pid, 'VmRSS'),
        peakMb: () => procMb(child.pid, 'VmHWM'),
        stop: () => new Promise<void>((resolve) => (child.once('exit', () => resolve()), child.kill('SIGTERM'))),
      };
    };

    // 1. The raw broker: the same payload size, QoS 1, one in flight.
    const sample = Buffer.from(JSON.stringify({ v: 1, deviceId: device.username, seq: 123456, readings: registers.map((r) => ({ point: `${r.point}-0`, ts: '2026-03-01T08:15:00.000+08:00', quantity: r.quantity, value: 1000.75, unit: r.unit })) }));
    const client = await mqtt.connectAsync(stack.mqtt.url, { protocolVersion: 5, clientId: 'dev-meter-002', ...stack.mqtt.users.find((u) => u.username === 'dev-meter-002')! });
    let raw = 0;
    const rawStart = performance.now();
    while (performance.now() - rawStart < STEP_SECONDS * 1000) {
      await client.publishAsync(readingsTopic('dev-meter-002'), sample, { qos: 1 });
      raw++;
    }
    const rawRate = raw / ((performance.now() - rawStart) / 1000);
    await client.endAsync();

    // 2. Sustained polling and publishing.
    const live = await runAgent(stack.mqtt.url, 100);
    const before = await live.metrics();
    const liveStart = performance.now();
    await sleep(STEP_SECONDS * 1000);
    const after = await live.metrics();
    const liveSeconds = (performance.now() - liveStart) / 1000;
    const liveRss = await live.rssMb();
    await live.stop();
    const pollRate = (after['meterline_edge_polls_total']! - before['meterline_edge_polls_total']!) / liveSeconds;
    const publishRate = (after['meterline_edge_payloads_published_total']! - before['meterline_edge_payloads_published_total']!) / liveSeconds;

    // 3. An outage's backlog, then its replay.
    const offline = await runAgent(`mqtt://127.0.0.1:${await freePort()}`, 100);
    await sleep(STEP_SECONDS * 1000);
    await offline.stop();
    const replay = await runAgent(stack.mqtt.url, 3_600_000);
    const backlog = (await replay.metrics())['meterline_edge_queue_depth']!;
    const replayStart = performance.now();
    let replayPeak = 0;
    await until(async () => {
      replayPeak = Math.max(replayPeak, await replay.rssMb());
      return (await replay.metrics())['meterline_edge_queue_depth'] === 0;
    });
    const replaySeconds = (performance.now() - replayStart) / 1000;
    const replayHwm = await replay.peakMb();
    await replay.stop();

    peer.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });

    console.log(`\nbench:edge (${METERS} meter entries of 2 float32 registers, polled every 100 ms; ${STEP_SECONDS} s per run; the agent's own send limit raised to 1 000/s)`);
    console.log(`  raw broker (baseline), QoS 1 one in flight, ${sample.length} B payloads: ${rawRate.toFixed(0)} publishes/s`);
    const ratio = (rate: number) => `${(rate / rawRate).toFixed(3)}× the raw broker`;
    console.log(`  sustained: ${pollRate.toFixed(0)} polls/s, ${publishRate.toFixed(0)} payloads published/s (${ratio(publishRate)}), queue at the end ${after['meterline_edge_queue_depth']}, agent RSS ${liveRss.toFixed(0)} MB`);
    console.log(`  replay: ${backlog} payloads queued offline, sent in ${replaySeconds.toFixed(1)} s = ${(backlog / replaySeconds).toFixed(0)} payloads/s (${ratio(backlog / replaySeconds)}), agent RSS peak ${Math.max(replayPeak, replayHwm).toFixed(0)} MB`);
  },
  { devicePublishLimit: RAISED_LIMIT },
);
