/**
 * bench:bus — the two bus adapters side by side on one private native Kafka: the same N keyed
 * records (~300-byte JSON values, 6 partitions, acks from all in-sync replicas, sends of a few
 * hundred) produced, then consumed by a fresh group, through kafkajs (`KafkaBus`) and through
 * @platformatic/kafka (`PlatformaticKafkaBus`), one after the other on a topic of its own. In
 * the same run, the raw baseline: Kafka's own ProducerPerformance and ConsumerPerformance on the
 * same values (keyless; acks=all). It prints records/s, CPU seconds of this process (and of the
 * broker) per 100 000 records, and each adapter's rate as a ratio to the raw one. A benchmark,
 * not a test: it prints, it asserts nothing.
 *
 *   BENCH_RECORDS     records per adapter (default 200 000)
 *   BENCH_SEND_SIZE   records per send (default 500)
 *   BENCH_IN_FLIGHT   sends awaited together (default 4)
 *   BENCH_ROUNDS      times each adapter runs, alternating (default 1)
 *   BENCH_ADAPTERS    which adapters run (default `kafkajs,platformatic,platformatic-not-idempotent`,
 *                     the last to show what the idempotent producer costs; one alone, e.g. under
 *                     NODE_OPTIONS=--cpu-prof, to profile it)
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BusConsumer, BusMessage, BusProducer, ConsumerOptions } from '@meterline/bus';
import { KafkaBus } from '@meterline/bus-kafka';
import { PlatformaticKafkaBus } from '@meterline/bus-platformatic';
import { createTopics, ensureInstalled, ensureKafkaTools } from '@meterline/local-stack';
import { withBenchStack } from '../harness/bench-stack.ts';
import { kafkaPerf } from '../harness/kafka-perf.ts';
import { cpuSeconds } from '../harness/process-usage.ts';

const RECORDS = Number(process.env['BENCH_RECORDS'] ?? 200_000);
const SEND_SIZE = Number(process.env['BENCH_SEND_SIZE'] ?? 500);
const IN_FLIGHT = Number(process.env['BENCH_IN_FLIGHT'] ?? 4);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 1);
const ADAPTER_NAMES = ['kafkajs', 'platformatic', 'platformatic-not-idempotent'];
const ADAPTERS = (process.env['BENCH_ADAPTERS'] ?? ADAPTER_NAMES.join(',')).split(',').map((a) => a.trim());
const PARTITIONS = 6;
const POINTS = 10_000;

const say = (line: string) => process.stderr.write(`${line}\n`);
const n = (v: number, digits = 0) => (Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');
const ownCpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** A record as the readings topic carries one: keyed by metering point, a JSON value of about 300 bytes. */
function record(i: number): BusMessage {
  const point = `mp-${String(i % POINTS).padStart(5, '0')}`;
  const value = {
    schema: 'bench.v1',
    point,
    enterprise: `ent-${i % 10}`,
    carrier: 'electricity',
    ts: new Date(Date.UTC(2025, 0, 1) + Math.floor(i / POINTS) * 900_000).toISOString(),
    values: [{ register: 'A+', kWh: (i % 997) * 0.125, quality: 'measured' }, { register: 'A-', kWh: 0, quality: 'measured' }],
    device: `dev-${i % 1000}`,
    seq: i,
  };
  const json = JSON.stringify(value);
  return { key: point, value: Buffer.from(json.padEnd(300, ' ')), headers: { schema: 'bench.v1' } };
}

interface Adapter {
  producer(): Promise<BusProducer>;
  consumer(options: ConsumerOptions): Promise<BusConsumer>;
  close(): Promise<void>;
}

interface PhaseResult {
  recordsPerSecond: number;
  cpuPer100k: number;
  brokerCpuPer100k: number;
}

async function measure(kafkaPid: number | undefined, body: () => Promise<void>): Promise<PhaseResult> {
  const [cpu0, broker0, t0] = [ownCpuSeconds(), await cpuSeconds(kafkaPid), performance.now()];
  await body();
  const seconds = (performance.now() - t0) / 1000;
  const [cpu, broker] = [ownCpuSeconds() - cpu0, (await cpuSeconds(kafkaPid)) - broker0];
  return { recordsPerSecond: RECORDS / seconds, cpuPer100k: (cpu * 100_000) / RECORDS, brokerCpuPer100k: (broker * 100_000) / RECORDS };
}

async function runAdapter(name: string, bus: Adapter, brokers: readonly string[], kafkaPid: number | undefined, sends: BusMessage[][]) {
  const topic = `bench-bus-${name}-${randomUUID()}`;
  await createTopics(brokers, [{ topic, partitions: PARTITIONS }]);
  const producer = await bus.producer();
  // A short warm-up on another topic: connections and metadata, not measured.
  const warmTopic = `${topic}-warm`;
  await createTopics(brokers, [{ topic: warmTopic, partitions: PARTITIONS }]);
  await producer.send(warmTopic, sends[0]!);
  const produce = await measure(kafkaPid, async () => {
    let next = 0;
    const worker = async () => {
      while (next < sends.length) await producer.send(topic, sends[next++]!);
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  });
  await producer.close();
  // The group's join is part of the time, as a service restarting pays it.
  const consume = await measure(kafkaPid, async () => {
    const consumer = await bus.consumer({ groupId: `bench-${randomUUID()}`, topics: [topic], fromBeginning: true });
    let received = 0;
    await new Promise<void>((resolve) => {
      void consumer.start((batch) => {
        received += batch.messages.length;
        if (received >= RECORDS) resolve();
        return Promise.resolve();
      });
    });
    await consumer.close();
  });
  await bus.close();
  return { produce, consume };
}

async function main() {
  const sends: BusMessage[][] = [];
  for (let i = 0; i < RECORDS; i += SEND_SIZE) sends.push(Array.from({ length: Math.min(SEND_SIZE, RECORDS - i) }, (_, j) => record(i + j)));
  const results: Record<string, { produce: PhaseResult; consume: PhaseResult }[]> = Object.fromEntries(ADAPTER_NAMES.map((name) => [name, []]));
  let raw: { producerRecordsPerSecond: number; consumerRecordsPerSecond: number } | undefined;
  await withBenchStack(async ({ stack, native, services }) => {
    const brokers = stack.kafka.brokers;
    const kafkaPid = await services.kafka.runningPid();
    const makers: Record<string, () => Adapter> = {
      kafkajs: () => new KafkaBus({ brokers: [...brokers], clientId: `bench-kafkajs-${randomUUID()}` }),
      platformatic: () => new PlatformaticKafkaBus({ brokers: [...brokers], clientId: `bench-platformatic-${randomUUID()}` }),
      'platformatic-not-idempotent': () => new PlatformaticKafkaBus({ brokers: [...brokers], clientId: `bench-platformatic-${randomUUID()}`, idempotent: false }),
    };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? ADAPTER_NAMES : [...ADAPTER_NAMES].reverse();
      for (const name of order.filter((a) => ADAPTERS.includes(a))) {
        say(`${name}, round ${round + 1}: ${n(RECORDS)} records in sends of ${SEND_SIZE}, ${IN_FLIGHT} in flight`);
        const result = await runAdapter(name, makers[name]!(), brokers, kafkaPid, sends);
        say(`  produced ${n(result.produce.recordsPerSecond)} records/s, consumed ${n(result.consume.recordsPerSecond)} records/s`);
        results[name]!.push(result);
      }
    }
    const installation = await ensureInstalled();
    const tools = await ensureKafkaTools();
    const payloadFile = join(native.baseDir, 'bus-bench.values');
    // One value per line, as ProducerPerformance reads them; the values carry no newline.
    await writeFile(payloadFile, sends.flat().slice(0, 20_000).map((m) => m.value.toString('utf8')).join('\n'));
    const rawTopic = `bench-bus-raw-${randomUUID()}`;
    await createTopics(brokers, [{ topic: rawTopic, partitions: PARTITIONS }]);
    say(`raw: Kafka's ProducerPerformance and ConsumerPerformance, ${n(RECORDS)} records`);
    raw = await kafkaPerf({ java: installation.kafka.java, classpath: tools.classpath, brokers: brokers.join(','), topic: rawTopic, payloadFile, records: RECORDS });
  });
  const best = (name: string, phase: 'produce' | 'consume') => (results[name] ?? []).map((r) => r[phase]).sort((a, b) => b.recordsPerSecond - a.recordsPerSecond)[0]!;
  const lines = [
    `bus bench: ${n(RECORDS)} records of ~300 bytes, keyed over ${n(POINTS)} points, ${PARTITIONS} partitions, acks all, sends of ${SEND_SIZE} (${IN_FLIGHT} in flight); ${ROUNDS} round(s), best shown`,
    '',
    '| path | produce records/s | × raw | consume records/s | × raw | this process CPU s / 100k (produce + consume) | Kafka CPU s / 100k (produce + consume) |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const name of ADAPTER_NAMES.filter((a) => ADAPTERS.includes(a))) {
    const [p, c] = [best(name, 'produce'), best(name, 'consume')];
    lines.push(
      `| ${name} | ${n(p.recordsPerSecond)} | ${n(p.recordsPerSecond / (raw?.producerRecordsPerSecond ?? NaN), 2)} | ${n(c.recordsPerSecond)} | ${n(c.recordsPerSecond / (raw?.consumerRecordsPerSecond ?? NaN), 2)} | ${n(p.cpuPer100k, 2)} + ${n(c.cpuPer100k, 2)} | ${n(p.brokerCpuPer100k, 2)} + ${n(c.brokerCpuPer100k, 2)} |`,
    );
  }
  lines.push(`| raw (Kafka's perf tools, keyless, idempotent) | ${n(raw?.producerRecordsPerSecond ?? NaN)} | 1.00 | ${n(raw?.consumerRecordsPerSecond ?? NaN)} | 1.00 | (JVM, not this process) | |`);
  const ratio = (a: string, b: string, phase: 'produce' | 'consume') => best(a, phase).recordsPerSecond / best(b, phase).recordsPerSecond;
  const cpuRatio = (a: string, b: string, phase: 'produce' | 'consume') => best(a, phase).cpuPer100k / best(b, phase).cpuPer100k;
  const compare = (a: string, b: string) => {
    if (ADAPTERS.includes(a) && ADAPTERS.includes(b)) lines.push('', `${a} ÷ ${b}: produce ${n(ratio(a, b, 'produce'), 2)} × the rate at ${n(cpuRatio(a, b, 'produce'), 2)} × the CPU; consume ${n(ratio(a, b, 'consume'), 2)} × the rate at ${n(cpuRatio(a, b, 'consume'), 2)} × the CPU`);
  };
  compare('platformatic', 'kafkajs');
  compare('platformatic', 'platformatic-not-idempotent');
  console.log(lines.join('\n'));
  if (process.argv.includes('--json')) console.log(JSON.stringify({ bench: 'bus', records: RECORDS, sendSize: SEND_SIZE, inFlight: IN_FLIGHT, rounds: ROUNDS, results, raw }, null, 2));
}

await main();
