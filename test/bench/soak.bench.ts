/**
 * bench:soak — the pipeline under steady load for a long time, with a fault every few minutes,
 * on the chaos suite's stack (a three-node Kafka cluster, two instances of ingest and of the
 * writer, toxiproxy in front of InfluxDB). Each minute it prints the readings published and
 * stored, the backlog, the writer group's lag and every service's RSS; at the end, once the
 * pipeline has settled, the readings lost and whether RSS and lag came back to where they began.
 * The load is the simulator's fleet (one payload of 10 readings per device per tick), which
 * reconnects with the device guide's jittered back-off. A benchmark, not a test: it asserts
 * nothing.
 *
 *   BENCH_SOAK_MINUTES        how long the load runs (default 30)
 *   BENCH_SOAK_FAULT_MINUTES  a fault every this many minutes, from the list below (default 5)
 *   BENCH_SOAK_RATE           readings/s offered (default 5 000: half the single-stack peak of
 *                             10-reading payloads measured by bench:ingest is above this, on 2 cores
 *                             shared with a Kafka cluster of 3)
 */
import { readdir, stat } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Fleet, DEVICE_RECONNECT_BACKOFF, connectFleet, fleetManifest } from '@meterline/simulator';
import { READING_FIELDS, READINGS_MEASUREMENT } from '@meterline/series';
import { startChaosStack, type ChaosStack } from '../harness/chaos-stack.ts';
import { partitionLeader } from '../harness/kafka-topics.ts';
import { createPipeline, devicePassword, type Pipeline } from '../harness/pipeline.ts';
import { procMb } from '../harness/process-usage.ts';

const MINUTES = Number(process.env['BENCH_SOAK_MINUTES'] ?? 30);
const FAULT_EVERY = Number(process.env['BENCH_SOAK_FAULT_MINUTES'] ?? 5);
const RATE = Number(process.env['BENCH_SOAK_RATE'] ?? 5_000);
const DEVICES = 200;
const POINTS_PER_DEVICE = 10;
const IN_FLIGHT = 2_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Fault {
  name: string;
  /** Injects the fault and resolves once it is over (the service or the link back). */
  run(chaos: ChaosStack, pipeline: Pipeline): Promise<void>;
}

/** The faults of the chaos suite that lose nothing by design, in the order the soak takes them. */
const FAULTS: Fault[] = [
  {
    name: 'the readings leader SIGKILLed, restarted after 60 s',
    run: async (chaos, p) => {
      const leader = await partitionLeader(chaos.env.stack, p.topics.readings, 0);
      const node = chaos.kafka.nodes.find((n) => n.nodeId === leader)!;
      await node.kill();
      await sleep(60_000);
      await node.start();
    },
  },
  {
    name: 'writers partitioned from InfluxDB for 30 s',
    run: async (chaos) => {
      await chaos.faults.partition('influxdb');
      await sleep(30_000);
      await chaos.faults.heal('influxdb');
    },
  },
  {
    name: 'an ingest SIGKILLed, restarted after 10 s',
    run: async (_, p) => {
      await p.ingests[0]!.kill();
      await sleep(10_000);
      await p.ingests[0]!.start();
    },
  },
  {
    name: 'a writer SIGKILLed, restarted after 10 s',
    run: async (_, p) => {
      await p.writers[0]!.kill();
      await sleep(10_000);
      await p.writers[0]!.start();
    },
  },
  {
    name: 'the whole Kafka cluster SIGKILLed for 30 s',
    run: async (chaos) => {
      await chaos.kafka.kill();
      await sleep(30_000);
      await chaos.kafka.start();
    },
  },
  {
    name: 'Mosquitto restarted',
    run: async (_, p) => {
      await p.broker.stop();
      await p.broker.start();
    },
  },
];

async function storedCount(pipeline: Pipeline): Promise<number> {
  const rows = await pipeline.store.influxQl(`SELECT count("${READING_FIELDS.value}") FROM "${READINGS_MEASUREMENT}"`);
  return Number(rows[0]?.values[0]?.[1] ?? 0);
}

/** Bytes under a directory, every file at any depth. */
async function bytesUnder(dir: string): Promise<number> {
  const files = await readdir(dir, { recursive: true, withFileTypes: true });
  const sizes = await Promise.all(files.filter((f) => f.isFile()).map((f) => stat(join(f.parentPath, f.name)).then((s) => s.size)));
  return sizes.reduce((a, b) => a + b, 0);
}

async function rssOf(pipeline: Pipeline): Promise<string> {
  const services = [...pipeline.ingests, ...pipeline.writers];
  const mb = await Promise.all(services.map((s) => procMb(s.pid(), 'VmRSS')));
  return mb.map((v) => (Number.isNaN(v) ? '—' : v.toFixed(0)).padStart(5)).join(' ');
}

async function main() {
  const chaos = await startChaosStack();
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    console.log(line);
  };
  try {
    const manifest = fleetManifest({ enterprises: 4, devicesPerEnterprise: DEVICES / 4, pointsPerDevice: POINTS_PER_DEVICE, prefix: 'soak' });
    const pipeline = await createPipeline(chaos.env, manifest, { instances: 2, logLevel: 'warn', writerEnv: { MTL_INFLUX_URL: chaos.influxProxyUrl } });
    await Promise.all(pipeline.writers.map((w) => w.start()));
    await Promise.all(pipeline.ingests.map((i) => i.start()));
    const fleet = new Fleet(manifest, { seed: 11 });
    const connection = await connectFleet({ url: pipeline.broker.url, deviceIds: fleet.devices.map((d) => d.id), password: devicePassword, reconnect: DEVICE_RECONNECT_BACKOFF, ackTimeoutMs: 300_000 });

    let accepted = 0;
    let refused = 0;
    const inFlight = new Set<Promise<void>>();
    let tick = 0;
    const started = Date.now();
    const endAt = started + MINUTES * 60_000;
    let faultRunning: Promise<void> | undefined;
    let faultIndex = 0;
    const startRss = await rssOf(pipeline);
    say(`minute | fault                                             | accepted r/s | stored total | backlog | writer lag | RSS MB: ingest-1 ingest-2 writer-1 writer-2`);
    say(`     0 | ${''.padEnd(49)} | ${''.padStart(12)} | ${'0'.padStart(12)} | ${'0'.padStart(7)} | ${'0'.padStart(10)} | ${startRss}`);
    let minute = 0;
    let acceptedAtMinute = 0;
    let nextReport = started + 60_000;
    while (Date.now() < endAt) {
      if (Date.now() >= nextReport) {
        minute++;
        nextReport += 60_000;
        let fault = '';
        if (minute % FAULT_EVERY === 0 && minute < MINUTES) {
          if (faultRunning) fault = '(previous fault still running: skipped)';
          else {
            const chosen = FAULTS[faultIndex++ % FAULTS.length]!;
            fault = chosen.name;
            faultRunning = chosen.run(chaos, pipeline).finally(() => (faultRunning = undefined));
          }
        }
        const stored = await storedCount(pipeline).catch(() => NaN);
        const lag = await pipeline.writerLag().catch(() => NaN);
        say(`${String(minute).padStart(6)} | ${fault.padEnd(49)} | ${String(Math.round((accepted - acceptedAtMinute) / 60)).padStart(12)} | ${String(stored).padStart(12)} | ${String(accepted - stored).padStart(7)} | ${String(lag).padStart(10)} | ${await rssOf(pipeline)}`);
        acceptedAtMinute = accepted;
      }
      const due = ((Date.now() - started) / 1000) * RATE;
      if (tick * DEVICES * POINTS_PER_DEVICE >= due || inFlight.size >= IN_FLIGHT) {
        await (inFlight.size >= IN_FLIGHT ? Promise.race(inFlight) : sleep(5));
        continue;
      }
      for (const payload of fleet.tick(Date.UTC(2025, 0, 1) + tick * 60_000, 60_000)) {
        const p = connection.publish(payload).then((o) => {
          if (o.accepted) accepted += payload.readings.length;
          else refused += payload.readings.length;
        });
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
      }
      tick++;
    }
    await Promise.all(inFlight);
    await faultRunning;
    await connection.close();

    // Settled: nothing more stored for 30 s (or everything accepted is stored).
    let stored = await storedCount(pipeline);
    for (let unchangedSince = Date.now(); stored < accepted && Date.now() - unchangedSince < 30_000; ) {
      await sleep(2_000);
      const now = await storedCount(pipeline);
      if (now !== stored) unchangedSince = Date.now();
      stored = now;
    }
    const lag = await pipeline.writerLag();
    say(`settled | readings accepted by the broker ${accepted}, refused ${refused}, stored ${stored}: ${accepted - stored} lost; writer lag ${lag}`);
    say(`RSS MB at the start: ${startRss}; at the end: ${await rssOf(pipeline)} (ingest-1 ingest-2 writer-1 writer-2)`);
    // What a stored reading costs on disk, for the capacity model: the database's TSM files and its write-ahead log.
    const influxDir = join(chaos.env.native.baseDir, 'influxdb');
    const [tsm, wal] = await Promise.all([bytesUnder(join(influxDir, 'data', pipeline.database)), bytesUnder(join(influxDir, 'wal', pipeline.database))]);
    say(`InfluxDB on disk for ${stored} readings: TSM ${(tsm / 1e6).toFixed(1)} MB + WAL ${(wal / 1e6).toFixed(1)} MB = ${((tsm + wal) / Math.max(1, stored)).toFixed(1)} bytes per reading (not yet compacted: a cold shard's full compaction makes less)`);
    await pipeline.close();
  } finally {
    await chaos.stop();
  }
  console.log(`\nbench:soak — ${MINUTES} min at ${RATE} readings/s offered (${DEVICES} devices × ${POINTS_PER_DEVICE} points), a fault every ${FAULT_EVERY} min, all on this machine (${cpus().length} cores)`);
  console.log(lines.join('\n'));
}

await main();
