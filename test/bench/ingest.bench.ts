/**
 * bench:ingest — readings stored per second end to end (published → queryable in InfluxDB),
 * p50/p99 latency, memory and CPU seconds per 10 000 readings of every process, at rising
 * offered rates, for 100-readings-per-message and single-reading payloads; for Meterline and,
 * in the same run and on the same payloads, for its peer Mosquitto → Telegraf → InfluxDB.
 *
 * The load comes from a Go generator (test/bench/loadgen), not from Node and not from the code
 * under test, with QoS 1. Baselines in the same run, before either path starts:
 *   - the broker alone: the generator publishing and one subscriber receiving the same payloads;
 *   - Kafka alone: its own ProducerPerformance then ConsumerPerformance on the records ingest makes
 *     of those payloads;
 *   - InfluxDB alone: line-protocol writes of the points the writer makes of them.
 * The pipeline's rate is printed as a ratio to the slowest of these and to Telegraf's.
 *
 * Everything runs on this one machine and shares its cores. A benchmark, not a test: it prints,
 * it asserts nothing. `--json` prints the results as one JSON document instead of tables.
 *
 *   BENCH_STEP_SECONDS  seconds of load per offered rate (default 10)
 *   BENCH_WARM_UP_SECONDS  seconds of unreported load at the first rate before the steps (default 30);
 *                       Meterline's path gets 10 s more at a time while Kafka's JIT is still compiling (jstat)
 *   BENCH_SHAPE         'batch' or 'single' to run one payload shape
 *   BENCH_RATES         offered readings/s of the steps, comma-separated (default per shape: 20k,40k,80k batched; 2k,4k,8k single)
 *   BENCH_SIGNED=1      devices sign their payloads (Ed25519) and ingest verifies them
 *   BENCH_PATHS         'meterline', 'telegraf' or both (default)
 *   BENCH_INGEST_CONNECTIONS  ingest's MQTT connections (default: the service's own default, as `./meterline up` runs it)
 *   BENCH_PROFILE_DIR   ingest and writer write V8 CPU profiles (.cpuprofile) there when they stop
 *   BENCH_NODE_OPTIONS  Node options for ingest and writer (e.g. --max-old-space-size=160)
 *   BENCH_SERVICE_ENV   more environment for ingest and writer, NAME=value separated by spaces (e.g. MALLOC_ARENA_MAX=2)
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaBus } from '@meterline/bus-kafka';
import { encodeReadingRecords, READINGS_TOPIC_FILTER, type ReadingMessageV1 } from '@meterline/contracts';
import type { Manifest } from '@meterline/domain';
import { DEV_SERVICE_PASSWORDS, MONITOR_MQTT_USER, createTopics, ensureInstalled, ensureKafkaTools, ensureTelegraf } from '@meterline/local-stack';
import { READING_FIELDS, READINGS_MEASUREMENT, readingPoint } from '@meterline/series';
import { Fleet, fleetManifest, type PlannedPayload } from '@meterline/simulator';
import { InfluxStore, seriesLineProtocol } from '@meterline/store-influx';
import { withBenchStack, type BenchStack } from '../harness/bench-stack.ts';
import { kafkaPerf } from '../harness/kafka-perf.ts';
import { influxRequestCounters } from '../harness/influx-counters.ts';
import { jitClockOf, type JitClock } from '../harness/jvm-jit.ts';
import { startLatencyProbe } from '../harness/latency-probe.ts';
import { buildLoadgen, runInfluxWrite, runMqttLoad, type MqttLoadPlan } from '../harness/loadgen.ts';
import { createPipeline, devicePassword } from '../harness/pipeline.ts';
import { cpuDuring, procMb, untilQuiet } from '../harness/process-usage.ts';
import { startTelegrafPath } from '../harness/telegraf-path.ts';

const STEP_SECONDS = Number(process.env['BENCH_STEP_SECONDS'] ?? 10);
const ONLY_SHAPE = process.env['BENCH_SHAPE'];
const PATHS = (process.env['BENCH_PATHS'] ?? 'telegraf,meterline').split(',');
const SIGNED = process.env['BENCH_SIGNED'] === '1';
const JSON_OUTPUT = process.argv.includes('--json');
const PROFILE_DIR = process.env['BENCH_PROFILE_DIR'];
const INGEST_CONNECTIONS = process.env['BENCH_INGEST_CONNECTIONS'];
const NODE_OPTIONS = [process.env['BENCH_NODE_OPTIONS'] ?? '', PROFILE_DIR ? `--cpu-prof --cpu-prof-dir=${PROFILE_DIR}` : ''].join(' ').trim();
const SERVICE_ENV = Object.fromEntries((process.env['BENCH_SERVICE_ENV'] ?? '').split(/\s+/).filter(Boolean).map((pair) => [pair.split('=')[0]!, pair.slice(pair.indexOf('=') + 1)]));
const profiled = { ...SERVICE_ENV, ...(NODE_OPTIONS ? { NODE_OPTIONS } : {}) };
/** Unacknowledged publishes per device connection, as a device's own memory bounds them. */
const INFLIGHT_PER_DEVICE = 50;
/** A path that stores nothing new for this long is reported as stalled, not waited for. */
const STALL_MS = 60_000;
const TICK_MS = 60_000;
/**
 * Kafka's JIT compiler is still busy after a few seconds of load: with a 3 s warm-up it was the
 * busiest thread of the Kafka process in the first step (a JFR recording), and Kafka's CPU per
 * 10 000 readings fell from 0.137 to 0.082 over four consecutive 8 s steps at the same rate.
 */
const WARM_UP_SECONDS = Number(process.env['BENCH_WARM_UP_SECONDS'] ?? 30);
/**
 * A path whose JVM is still compiling after the warm-up gets more of it, a step of this many
 * seconds at a time, until one adds less than JIT_SETTLED_SECONDS of compile time, at most
 * MAX_SETTLING_STEPS times. At 20 000 readings/s Kafka's compilers worked 0.8–1.2 s in each of
 * the 10 s after a 30 s warm-up, half of Kafka's CPU (JFR's thread CPU load: the C2 thread), and
 * under 0.15 s a step from about 60 s later; Kafka's CPU per 10 000 readings was 0.10–0.19 over
 * a 10 to 60 s step right after the warm-up, 0.08 over 90 s and about 0.05 in its last 40 s.
 */
const SETTLING_STEP_SECONDS = 10;
const JIT_SETTLED_SECONDS = 0.2;
const MAX_SETTLING_STEPS = 12;
/** Records of the raw Kafka baseline: enough that the tools' JVM start-up is a small part of the run. */
const KAFKA_PERF_RECORDS = 300_000;
/** How often the stored count is polled: the end of a step is known to this much. */
const STORED_POLL_MS = 250;

const SHAPES = [
  { key: 'batch', name: '100 readings per message', devices: 40, pointsPerDevice: 100, rates: [20_000, 40_000, 80_000], rawMessages: 2_000 },
  { key: 'single', name: 'single reading per message', devices: 200, pointsPerDevice: 1, rates: [2_000, 4_000, 8_000], rawMessages: 20_000 },
]
  .filter((s) => !ONLY_SHAPE || s.key === ONLY_SHAPE)
  .map((s) => (process.env['BENCH_RATES'] ? { ...s, rates: process.env['BENCH_RATES'].split(',').map(Number) } : s));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);
const say = (line: string) => (JSON_OUTPUT ? process.stderr : process.stdout).write(`${line}\n`);

interface StepResult {
  offered: number;
  published: number;
  stored: number;
  readingsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxRssMb: Record<string, number>;
  cpuSecondsPer10k: Record<string, number>;
  /** What InfluxDB was asked during the step, by the path and by the bench's own polls together. */
  influx?: { writesPerSecond: number; pointsPerWrite: number; queriesPerSecond: number; queryBusyShare: number };
}

interface ShapeResult {
  shape: string;
  baselines: { brokerReadingsPerSecond: number; kafkaReadingsPerRecord: number; kafkaProduceReadingsPerSecond: number; kafkaConsumeReadingsPerSecond: number; influxPointsPerSecond: number };
  paths: Record<string, StepResult[]>;
}

/** Gives every device of the manifest a fresh Ed25519 key: the public one in the registry, the private ones returned. */
function withDeviceKeys(manifest: Manifest): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const device of manifest.enterprises.flatMap((e) => e.devices)) {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    device.publicKey = { kty: 'OKP', crv: 'Ed25519', x: publicKey.export({ format: 'jwk' }).x! };
    keys.set(device.id, privateKey);
  }
  return keys;
}

/** The readings ingest admits of a payload, for the raw Kafka and InfluxDB baselines. */
function readingMessages(manifest: Manifest, payload: PlannedPayload): ReadingMessageV1[] {
  const enterprise = manifest.enterprises.find((e) => e.devices.some((d) => d.id === payload.deviceId))!;
  const site = enterprise.sites[0]!;
  return payload.readings.map((r, index) => ({
    v: 1,
    readingId: `${payload.deviceId}:${payload.seq}:${index}`,
    deviceId: payload.deviceId,
    seq: payload.seq,
    index,
    enterpriseId: enterprise.id,
    siteId: site.id,
    pointId: r.point,
    carrier: 'electricity',
    quantity: r.quantity,
    value: r.value,
    unit: r.unit,
    sourceValue: r.value,
    sourceUnit: r.unit,
    ts: r.ts,
    tsMs: Date.parse(r.ts),
    quality: 'good',
    receivedAt: new Date().toISOString(),
    verified: SIGNED,
  }));
}

/** A step's payloads, in publish order, written as the generator reads them; with the last reading of each. */
async function planPayloads(fleet: Fleet, deviceIndex: Map<string, number>, file: string, readings: number, startMs: number) {
  const lines: string[] = [];
  const payloads: PlannedPayload[] = [];
  for (let tick = 0, count = 0; count < readings; tick++) {
    for (const payload of fleet.tick(startMs + tick * TICK_MS, TICK_MS)) {
      lines.push(`${deviceIndex.get(payload.deviceId)}\t${payload.bytes.toString('utf8')}`);
      payloads.push(payload);
      count += payload.readings.length;
    }
  }
  await writeFile(file, `${lines.join('\n')}\n`);
  return payloads;
}

const MINUTE_MS = 60_000;

/** The newest timestamp of the payloads' readings. */
function lastReadingMs(payloads: PlannedPayload[]): number {
  let last = -Infinity;
  for (const payload of payloads) for (const reading of payload.readings) last = Math.max(last, Date.parse(reading.ts));
  return last;
}

/** How many of a step's readings have their timestamp in each minute (keyed by the minute's start). */
function readingsPerMinute(payloads: PlannedPayload[]): Map<number, number> {
  const perMinute = new Map<number, number>();
  for (const reading of payloads.flatMap((p) => p.readings)) {
    const minute = Math.floor(Date.parse(reading.ts) / MINUTE_MS) * MINUTE_MS;
    perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
  }
  return perMinute;
}

/** Minutes counted per poll: the earliest ones not yet complete. */
const COUNT_WINDOW_MINUTES = 5;

async function countPerMinute(store: InfluxStore, fromMs: number, toMs: number): Promise<Map<number, number>> {
  const rows = await store.influxQl(`SELECT count("${READING_FIELDS.value}") FROM "${READINGS_MEASUREMENT}" WHERE time >= ${fromMs}ms AND time <= ${toMs}ms GROUP BY time(1m)`);
  return new Map((rows[0]?.values ?? []).map(([time, count]) => [Number(time), Number(count ?? 0)]));
}

/**
 * Waits until every reading of the step is queryable, or the store stops gaining. Both paths
 * store a step's readings in the order of their timestamps (per partition, on Meterline's), so a
 * poll counts only the earliest minutes not yet complete and moves on as they fill: InfluxDB
 * counts each reading about once. Counting the whole step on every poll cost it more the
 * further a path lagged, and so slowed the path being measured.
 */
async function waitStored(store: InfluxStore, expected: Map<number, number>) {
  const minutes = [...expected.keys()].sort((a, b) => a - b);
  const rangeEnd = minutes.at(-1)! + MINUTE_MS - 1;
  let next = 0;
  let complete = 0;
  let stored = 0;
  let progressAt = Date.now();
  for (;;) {
    // Windows of the earliest minutes not yet full, until one holds a minute that is not.
    let landing = 0;
    while (next < minutes.length) {
      const window = minutes.slice(next, next + COUNT_WINDOW_MINUTES);
      const counts = await countPerMinute(store, window[0]!, window.at(-1)! + MINUTE_MS - 1);
      let filled = 0;
      while (filled < window.length && (counts.get(window[filled]!) ?? 0) >= expected.get(window[filled]!)!) complete += expected.get(window[filled++]!)!;
      next += filled;
      if (filled < window.length) {
        landing = window.slice(filled).reduce((sum, m) => sum + (counts.get(m) ?? 0), 0);
        break;
      }
    }
    const now = complete + landing;
    if (now > stored) progressAt = Date.now();
    stored = now;
    if (next === minutes.length) return { stored, at: Date.now() };
    if (Date.now() - progressAt > STALL_MS) {
      // A minute that never fills holds the window: count the whole range once for the report.
      const all = [...(await countPerMinute(store, minutes[0]!, rangeEnd)).values()].reduce((a, b) => a + b, 0);
      say(`  STALLED: ${all} of ${[...expected.values()].reduce((a, b) => a + b, 0)} published readings stored`);
      return { stored: all, at: progressAt };
    }
    await sleep(STORED_POLL_MS);
  }
}

interface PathUnderTest {
  name: string;
  store: InfluxStore;
  influxUrl: string;
  /** The processes whose CPU counts for this path (the generator's never does). */
  pids: () => Promise<Record<string, number | undefined>>;
  /** The processes whose peak memory is reported. */
  rssOf: () => Record<string, number | undefined>;
  /** Seconds the path's JVM (Kafka) has spent compiling so far, for a path that has one. */
  jitCompileSeconds?: () => Promise<number>;
}

type Step = { rate: number; file: string; warmUp: boolean; payloads: PlannedPayload[] };

async function measureSteps(
  loadgen: string,
  path: PathUnderTest,
  steps: Step[],
  plan: Omit<MqttLoadPlan, 'rate' | 'payloadFile' | 'sampleEvery'>,
  readingsPerMessage: number,
  settlingStep: () => Promise<Step>,
): Promise<StepResult[]> {
  const results: StepResult[] = [];
  const queue = [...steps];
  let settlingSteps = 0;
  for (let step = queue.shift(); step; step = queue.shift()) {
    const compiledBefore = step.warmUp ? await path.jitCompileSeconds?.() : undefined;
    const perMinute = readingsPerMinute(step.payloads);
    const published = step.payloads.reduce((n, p) => n + p.readings.length, 0);
    const maxRss: Record<string, number> = {};
    // A process that has exited has no /proc entry left (NaN): its peak so far stands.
    const sampler = setInterval(() => {
      for (const [name, pid] of Object.entries(path.rssOf())) void procMb(pid, 'VmRSS').then((mb) => (maxRss[name] = Math.max(maxRss[name] ?? 0, mb || 0)));
    }, 250);
    const probe = startLatencyProbe(path);
    // About 40 latency samples a second, whatever the rate: the last reading of every n-th payload.
    const sampleEvery = Math.max(1, Math.round(step.rate / readingsPerMessage / 40));
    const planFile = `${step.file}.plan.json`;
    await writeFile(planFile, JSON.stringify({ ...plan, rate: step.rate / readingsPerMessage, payloadFile: step.file, sampleEvery }));
    const countersBefore = await influxRequestCounters(path.influxUrl);
    const firstPublish = Date.now();
    const { result, cpu } = await cpuDuring(await path.pids(), async () => {
      const load = await runMqttLoad(loadgen, planFile, (index, ackedAtMs) => {
        const last = step.payloads[index]?.readings.at(-1);
        if (last) probe.add({ point: last.point, tsMs: Date.parse(last.ts), publishedAtMs: ackedAtMs });
      });
      return { load, stored: await waitStored(path.store, perMinute) };
    });
    const countersAfter = await influxRequestCounters(path.influxUrl);
    const latencies = await probe.finish(60_000);
    clearInterval(sampler);
    if (result.load.failed > 0) say(`  ! ${result.load.failed} publishes were not acknowledged by the broker`);
    const readingsPerSecond = result.stored.stored / ((result.stored.at - firstPublish) / 1000);
    const per10k = (seconds: number) => (seconds / Math.max(1, result.stored.stored)) * 10_000;
    const cpuSecondsPer10k = Object.fromEntries(Object.entries(cpu).map(([name, seconds]) => [name, per10k(seconds)]));
    cpuSecondsPer10k['all'] = per10k(Object.values(cpu).reduce((a, b) => a + b, 0));
    if (step.warmUp) {
      say(`  ${path.name} warmed up: ${result.stored.stored} of ${published} stored`);
      const compiledAfter = await path.jitCompileSeconds?.();
      if (compiledBefore === undefined || compiledAfter === undefined) continue;
      const compiled = compiledAfter - compiledBefore;
      if (compiled < JIT_SETTLED_SECONDS) say(`  ${path.name}: Kafka's JIT settled (${compiled.toFixed(2)} s compiling in that step)`);
      else if (settlingSteps === MAX_SETTLING_STEPS) say(`  ${path.name}: Kafka's JIT still compiling (${compiled.toFixed(2)} s in the last step) after ${MAX_SETTLING_STEPS} more steps: measured anyway`);
      else {
        say(`  ${path.name}: Kafka's JIT compiled for ${compiled.toFixed(2)} s in that step: ${SETTLING_STEP_SECONDS} s more`);
        settlingSteps++;
        queue.unshift(await settlingStep());
      }
      continue;
    }
    const seconds = (result.stored.at - firstPublish) / 1000;
    const influx =
      countersBefore && countersAfter
        ? {
            writesPerSecond: (countersAfter.writeRequests - countersBefore.writeRequests) / seconds,
            pointsPerWrite: (countersAfter.pointsWritten - countersBefore.pointsWritten) / Math.max(1, countersAfter.writeRequests - countersBefore.writeRequests),
            queriesPerSecond: (countersAfter.queryRequests - countersBefore.queryRequests) / seconds,
            queryBusyShare: (countersAfter.querySeconds - countersBefore.querySeconds) / seconds,
          }
        : undefined;
    results.push({ offered: step.rate, published, stored: result.stored.stored, readingsPerSecond, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), maxRssMb: maxRss, cpuSecondsPer10k, ...(influx ? { influx } : {}) });
    say(`  ${path.name} offered ${step.rate} r/s: ${result.stored.stored} of ${published} stored at ${readingsPerSecond.toFixed(0)} r/s, p99 ${percentile(latencies, 99)} ms, CPU ${cpuSecondsPer10k['all'].toFixed(3)} s per 10 000`);
  }
  return results;
}

async function runShape(env: BenchStack, shape: (typeof SHAPES)[number], tools: { loadgen: string; telegraf: string; java: string; kafkaToolsClasspath: string; kafkaJit: JitClock | undefined }): Promise<ShapeResult> {
  const { stack, services } = env;
  const workDir = await mkdtemp(join(tmpdir(), `meterline-bench-${shape.key}-`));
  const manifest = fleetManifest({ enterprises: 1, devicesPerEnterprise: shape.devices, pointsPerDevice: shape.pointsPerDevice, prefix: `b${shape.pointsPerDevice}` });
  const signingKeys = SIGNED ? withDeviceKeys(manifest) : undefined;
  // Session expiry 0: a finished shape's ingest leaves no broker session queueing the next shape's messages.
  const ingestEnv = { ...profiled, ...(INGEST_CONNECTIONS ? { MTL_MQTT_CONNECTIONS: INGEST_CONNECTIONS } : {}) };
  const pipeline = await createPipeline(env, manifest, { logLevel: 'warn', sessionExpirySeconds: 0, registryAsJson: true, ingestConnections: 'service-default', ingestEnv, writerEnv: profiled });
  const fleetOptions = signingKeys ? { signingKeys } : {};
  const deviceIds = manifest.enterprises.flatMap((e) => e.devices.map((d) => d.id));
  const deviceIndex = new Map(deviceIds.map((id, i) => [id, i]));
  const plan = {
    url: stack.mqtt.url.replace(/^mqtt:/, 'tcp:'),
    inflight: INFLIGHT_PER_DEVICE,
    devices: deviceIds.map((id) => ({ clientId: id, username: id, password: devicePassword(id), topic: `meterline/v1/${id}/readings` })),
  };
  const monitor = { clientId: `bench-monitor-${process.pid}`, username: MONITOR_MQTT_USER.username, password: DEV_SERVICE_PASSWORDS[MONITOR_MQTT_USER.username] ?? '' };

  // The payloads of every step, planned before anything is measured; both paths get the same ones.
  const fleet = new Fleet(manifest, { seed: 9, ...fleetOptions });
  const steps: Step[] = [];
  let startMs = Date.UTC(2025, 6, 1);
  // A warm-up step first, not reported: connections opened, code compiled, the writer's knowledge of its points made.
  for (const [index, rate] of [shape.rates[0]!, ...shape.rates].entries()) {
    const file = join(workDir, `step-${index}.payloads`);
    steps.push({ rate, file, warmUp: index === 0, payloads: await planPayloads(fleet, deviceIndex, file, rate * (index === 0 ? WARM_UP_SECONDS : STEP_SECONDS), startMs) });
    startMs += 30 * 86_400_000;
  }
  // More warm-up at the first rate, planned when a path needs it. Its readings come after the
  // warm-up's and before the first step's: one older than its point's newest stored reading
  // would cost the writer a lookup in InfluxDB (first-value guard), which the steps must not pay.
  let settlingIndex = 0;
  let settlingFromMs = lastReadingMs(steps[0]!.payloads) + TICK_MS;
  const settlingStep = async (): Promise<Step> => {
    const file = join(workDir, `settling-${settlingIndex++}.payloads`);
    const rate = shape.rates[0]!;
    const step = { rate, file, warmUp: true, payloads: await planPayloads(fleet, deviceIndex, file, rate * SETTLING_STEP_SECONDS, settlingFromMs) };
    settlingFromMs = lastReadingMs(step.payloads) + TICK_MS;
    if (settlingFromMs >= Date.parse(steps[1]!.payloads[0]!.readings[0]!.ts)) throw new Error('the warm-up ran into the first step\'s readings');
    return step;
  };
  const readingsPerMessage = shape.pointsPerDevice;

  // Baseline: the broker alone (no ingest, no Telegraf yet), same payloads, a non-Node publisher and subscriber.
  const rawFile = join(workDir, 'raw-broker.payloads');
  await planPayloads(new Fleet(manifest, { seed: 1, ...fleetOptions }), deviceIndex, rawFile, shape.rawMessages * readingsPerMessage, Date.UTC(2024, 0, 1));
  const rawPlanFile = `${rawFile}.plan.json`;
  await writeFile(rawPlanFile, JSON.stringify({ ...plan, rate: 0, sampleEvery: 0, payloadFile: rawFile, subscriber: { ...monitor, filter: READINGS_TOPIC_FILTER, expect: shape.rawMessages } }));
  const broker = await runMqttLoad(tools.loadgen, rawPlanFile);
  const brokerReadingsPerSecond = (broker.received * readingsPerMessage) / broker.receiveSeconds;
  say(`  raw broker: ${broker.received} of ${broker.published} messages received, ${brokerReadingsPerSecond.toFixed(0)} readings/s`);

  // Baselines: Kafka and InfluxDB alone, on the records and points the pipeline makes of the top step's payloads.
  const top = steps.at(-1)!;
  const payloadReadings = top.payloads.map((p) => readingMessages(manifest, p));
  const messages = payloadReadings.flat();
  const rawTopic = `bench-raw-${pipeline.id}-${shape.key}`;
  await createTopics(stack.kafka.brokers, [{ topic: rawTopic, partitions: 6 }]);
  // The records ingest makes of these payloads: one per payload and partition (readings v2).
  const partitionerBus = new KafkaBus({ brokers: [...stack.kafka.brokers], clientId: `bench-partitioner-${pipeline.id}` });
  const { partitionOf } = await partitionerBus.keyPartitioner(rawTopic);
  const records = payloadReadings.flatMap((readings) => encodeReadingRecords(readings, partitionOf));
  await partitionerBus.close();
  const readingsPerRecord = messages.length / records.length;
  const recordsFile = join(workDir, 'records.jsonl');
  await writeFile(recordsFile, records.slice(0, 20_000).map((r) => r.value.toString()).join('\n'));
  const kafka = await kafkaPerf({ java: tools.java, classpath: tools.kafkaToolsClasspath, brokers: stack.kafka.brokers.join(','), topic: rawTopic, payloadFile: recordsFile, records: KAFKA_PERF_RECORDS });
  const kafkaProduceReadingsPerSecond = kafka.producerRecordsPerSecond * readingsPerRecord;
  const kafkaConsumeReadingsPerSecond = kafka.consumerRecordsPerSecond * readingsPerRecord;
  say(`  raw Kafka: ${readingsPerRecord.toFixed(1)} readings/record; produced ${kafka.producerRecordsPerSecond.toFixed(0)} records/s (${kafkaProduceReadingsPerSecond.toFixed(0)} readings/s), consumed ${kafka.consumerRecordsPerSecond.toFixed(0)} records/s (${kafkaConsumeReadingsPerSecond.toFixed(0)} readings/s)`);
  const linesFile = join(workDir, 'points.lp');
  await writeFile(linesFile, messages.map((m) => seriesLineProtocol(readingPoint(READINGS_MEASUREMENT, m))).join('\n'));
  const rawDatabase = `raw_${pipeline.id}_${shape.key}`;
  await pipeline.store.influxQl(`CREATE DATABASE ${rawDatabase}`);
  const influx = await runInfluxWrite(tools.loadgen, { url: stack.influx.url, database: rawDatabase, token: stack.influx.token, file: linesFile });
  say(`  raw InfluxDB: ${influx.pointsPerSecond.toFixed(0)} points/s of the stored reading's shape`);

  const paths: Record<string, StepResult[]> = {};
  const stackPids = async () => ({ mosquitto: await services.mosquitto.runningPid(), influxd: await services.influx.runningPid() });

  // Each path starts on an InfluxDB that has finished with what the last one wrote.
  const quietInflux = async () => say(`  InfluxDB quiet after ${((await untilQuiet(await services.influx.runningPid())) / 1000).toFixed(0)} s`);

  if (PATHS.includes('telegraf')) {
    await quietInflux();
    const database = `telegraf_${pipeline.id}_${shape.key}`;
    const store = new InfluxStore({ url: stack.influx.url, token: stack.influx.token, database });
    await store.influxQl(`CREATE DATABASE ${database}`);
    const telegraf = await startTelegrafPath({
      bin: tools.telegraf,
      workDir,
      mqtt: { url: stack.mqtt.url, username: monitor.username, password: monitor.password },
      influx: { url: stack.influx.url, username: stack.influx.username, password: stack.influx.password, database },
      shape: shape.pointsPerDevice === 1 ? 'single' : 'batch',
    });
    paths['telegraf'] = await measureSteps(
      tools.loadgen,
      { name: 'telegraf', store, influxUrl: stack.influx.url, pids: async () => ({ telegraf: telegraf.pid(), ...(await stackPids()) }), rssOf: () => ({ telegraf: telegraf.pid() }) },
      steps,
      plan,
      readingsPerMessage,
      settlingStep,
    );
    await telegraf.stop();

  }

  if (PATHS.includes('meterline')) {
    const { kafkaJit } = tools;
    if (!kafkaJit) say(`  no jstat beside Kafka's java: the warm-up is not extended until Kafka's JIT settles`);
    await quietInflux();
    await pipeline.writer.start();
    await pipeline.ingest.start();
    paths['meterline'] = await measureSteps(
      tools.loadgen,
      {
        name: 'meterline',
        store: pipeline.store,
        influxUrl: stack.influx.url,
        pids: async () => ({ ingest: pipeline.ingest.pid(), writer: pipeline.writer.pid(), kafka: await services.kafka.runningPid(), ...(await stackPids()) }),
        rssOf: () => ({ ingest: pipeline.ingest.pid(), writer: pipeline.writer.pid() }),
        ...(kafkaJit
          ? {
              jitCompileSeconds: async () => {
                const pid = await services.kafka.runningPid();
                if (pid === undefined) throw new Error('Kafka is not running: its JIT cannot be read');
                return kafkaJit.compileSeconds(pid);
              },
            }
          : {}),
      },
      steps,
      plan,
      readingsPerMessage,
      settlingStep,
    );
  }
  await pipeline.close();
  await rm(workDir, { recursive: true, force: true });
  return {
    shape: `${shape.name} (${shape.devices} devices × ${shape.pointsPerDevice} points, ${INGEST_CONNECTIONS ?? 'default'} ingest connections${SIGNED ? ', signed payloads' : ''})`,
    baselines: {
      brokerReadingsPerSecond,
      kafkaReadingsPerRecord: readingsPerRecord,
      kafkaProduceReadingsPerSecond,
      kafkaConsumeReadingsPerSecond,
      influxPointsPerSecond: influx.pointsPerSecond,
    },
    paths,
  };
}

function printTables(results: ShapeResult[]) {
  const n = (v: number, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
  const lines: string[] = [`\nbench:ingest — ${STEP_SECONDS} s per step, QoS 1, load from the Go generator, all on this machine (${cpus().length} cores)`];
  for (const r of results) {
    const b = r.baselines;
    const slowest = Math.min(b.brokerReadingsPerSecond, b.kafkaProduceReadingsPerSecond, b.kafkaConsumeReadingsPerSecond, b.influxPointsPerSecond);
    lines.push(`\n== ${r.shape} ==`);
    lines.push(`raw baselines, readings/s: broker ${n(b.brokerReadingsPerSecond)} | Kafka produce ${n(b.kafkaProduceReadingsPerSecond)}, consume ${n(b.kafkaConsumeReadingsPerSecond)} (${n(b.kafkaReadingsPerRecord, 1)} per record) | InfluxDB write ${n(b.influxPointsPerSecond)} | slowest ${n(slowest)}`);
    lines.push('path      | offered r/s | stored r/s | ÷ slowest raw | p50 ms | p99 ms | CPU s/10k all | CPU s/10k by process | peak RSS MB | InfluxDB writes/s × points, queries/s (busy)');
    for (const [name, steps] of Object.entries(r.paths)) {
      for (const s of steps) {
        const byProcess = Object.entries(s.cpuSecondsPer10k).filter(([k]) => k !== 'all').map(([k, v]) => `${k} ${n(v, 3)}`).join(', ');
        const rss = Object.entries(s.maxRssMb).map(([k, v]) => `${k} ${n(v)}`).join(', ');
        const asked = s.influx ? `${n(s.influx.writesPerSecond)} × ${n(s.influx.pointsPerWrite)}, ${n(s.influx.queriesPerSecond)} (${n(s.influx.queryBusyShare, 2)})` : '–';
        lines.push(`${name.padEnd(9)} | ${String(s.offered).padStart(11)} | ${n(s.readingsPerSecond).padStart(10)} | ${n(s.readingsPerSecond / slowest, 2).padStart(13)} | ${n(s.p50Ms).padStart(6)} | ${n(s.p99Ms).padStart(6)} | ${n(s.cpuSecondsPer10k['all']!, 3).padStart(13)} | ${byProcess} | ${rss} | ${asked}`);
      }
    }
    const peak = (name: string) => Math.max(...(r.paths[name] ?? []).map((s) => s.readingsPerSecond));
    if (r.paths['meterline'] && r.paths['telegraf']) {
      const cpuAt = (name: string) => (r.paths[name] ?? []).map((s) => s.cpuSecondsPer10k['all']!);
      const cpuRatios = cpuAt('meterline').map((m, i) => m / cpuAt('telegraf')[i]!);
      lines.push(`peak stored: Meterline ${n(peak('meterline'))} r/s = ${n(peak('meterline') / peak('telegraf'), 2)} × Telegraf's ${n(peak('telegraf'))}, ${n(peak('meterline') / slowest, 2)} × the slowest raw stage`);
      lines.push(`CPU per 10 000 readings, Meterline ÷ Telegraf at each offered rate: ${cpuRatios.map((v) => n(v, 2)).join(', ')}`);
    }
  }
  console.log(lines.join('\n'));
}

/**
 * The broker's per-device limit raised out of the way: each of the bench's 40 or 200 devices
 * stands for a plant's worth of meters (up to 160 messages/s each). The limit's plugin stays in
 * the broker's path, as in production; bench:flood measures the default limit itself.
 */
const BENCH_PUBLISH_LIMIT = { messagesPerSecond: 1_000_000, messageBurst: 1_000_000, bytesPerSecond: 1e10, byteBurst: 1e10 };

async function main() {
  const results: ShapeResult[] = [];
  await withBenchStack(async (env) => {
    const installation = await ensureInstalled();
    const tools = {
      loadgen: await buildLoadgen(env.native.baseDir),
      telegraf: (await ensureTelegraf()).bin,
      java: installation.kafka.java,
      kafkaToolsClasspath: (await ensureKafkaTools()).classpath,
      kafkaJit: await jitClockOf(installation.kafka.java),
    };
    for (const shape of SHAPES) {
      say(`\n${shape.name}`);
      results.push(await runShape(env, shape, tools));
    }
  }, { devicePublishLimit: BENCH_PUBLISH_LIMIT });
  if (JSON_OUTPUT) console.log(JSON.stringify({ bench: 'ingest', stepSeconds: STEP_SECONDS, cores: cpus().length, signed: SIGNED, results }, null, 2));
  else printTables(results);
}

await main();
