/**
 * bench:flood — what one device publishing as fast as it can does to everyone else. A fleet of
 * 200 single-reading meters publishes at a steady rate; the publish → queryable latency of
 * their readings is measured alone, then with one more device of another enterprise flooding
 * valid payloads (QoS 1, up to 1 000 in flight). In the same run, the baseline: the fleet alone.
 * The broker runs with the default per-device publish limit (DEVICE_PUBLISH_LIMIT), which is
 * what stands between the flooder and the fleet. It prints the fleet's p50/p99 and readings
 * stored in both runs, and what the broker accepted and refused of the flooder's. A benchmark,
 * not a test: it prints, it asserts nothing.
 *
 *   BENCH_STEP_SECONDS  seconds each run publishes (default 20)
 *   BENCH_FLEET_RATE    the fleet's readings/s (default 500)
 */
import { Fleet, connectFleet, fleetManifest, type FleetConnection } from '@meterline/simulator';
import { DEVICE_PUBLISH_LIMIT } from '@meterline/contracts';
import type { Manifest } from '@meterline/domain';
import { READING_FIELDS, READING_TAGS, READINGS_MEASUREMENT } from '@meterline/series';
import { withBenchStack } from '../harness/bench-stack.ts';
import { startLatencyProbe } from '../harness/latency-probe.ts';
import { createPipeline, devicePassword, type Pipeline } from '../harness/pipeline.ts';

const STEP_SECONDS = Number(process.env['BENCH_STEP_SECONDS'] ?? 20);
const FLEET_RATE = Number(process.env['BENCH_FLEET_RATE'] ?? 500);
const FLOOD_IN_FLIGHT = 1_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);

/** The fleet at `FLEET_RATE` for STEP_SECONDS, every reading sampled by the probe as its publish is acknowledged; the readings sent. */
async function runFleet(fleet: Fleet, connection: FleetConnection, startMs: number, probe: ReturnType<typeof startLatencyProbe>) {
  let sent = 0;
  const started = Date.now();
  const inFlight = new Set<Promise<void>>();
  let published = 0;
  for (let tick = 1; Date.now() - started < STEP_SECONDS * 1000; ) {
    if (published >= ((Date.now() - started) / 1000) * FLEET_RATE) {
      await sleep(5);
      continue;
    }
    for (const payload of fleet.tick(startMs + tick++ * 60_000, 60_000)) {
      published += payload.readings.length;
      const p = connection.publish(payload).then((o) => {
        if (!o.accepted) return;
        sent += payload.readings.length;
        for (const r of payload.readings) probe.add({ point: r.point, tsMs: Date.parse(r.ts), publishedAtMs: o.publishedAtMs });
      });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
  }
  await Promise.all(inFlight);
  return sent;
}

/** One device publishing valid single readings as fast as the broker takes them, until `stop` resolves. */
async function flood(fleet: Fleet, connection: FleetConnection, stop: Promise<void>): Promise<{ accepted: number; refused: number; seconds: number }> {
  let stopped = false;
  void stop.then(() => (stopped = true));
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  let accepted = 0;
  let refused = 0;
  for (let tick = 1; !stopped; tick++) {
    for (const payload of fleet.tick(Date.UTC(2025, 0, 1) + tick * 1_000, 1_000)) {
      const p = connection.publish(payload).then((o) => {
        if (o.accepted) accepted++;
        else refused++;
      });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
    while (inFlight.size >= FLOOD_IN_FLIGHT) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return { accepted, refused, seconds: (performance.now() - started) / 1000 };
}

/** The fleet's readings stored from `fromMs` on, once the count has not moved for 15 s. */
async function settledCount(pipeline: Pipeline, enterpriseId: string, fromMs: number): Promise<number> {
  let count = -1;
  for (let unchangedSince = Date.now(); Date.now() - unchangedSince < 15_000; await sleep(1_000)) {
    const rows = await pipeline.store.influxQl(`SELECT count("${READING_FIELDS.value}") FROM "${READINGS_MEASUREMENT}" WHERE "${READING_TAGS.enterprise}" = '${enterpriseId}' AND time >= ${fromMs}ms`);
    const now = Number(rows[0]?.values[0]?.[1] ?? 0);
    if (now !== count) {
      count = now;
      unchangedSince = Date.now();
    }
  }
  return count;
}

async function main() {
  const results: string[] = [];
  await withBenchStack(async ({ stack, native }) => {
    const fleetManifestOf = fleetManifest({ enterprises: 1, devicesPerEnterprise: 200, pointsPerDevice: 1, prefix: 'fleet' });
    const flooderManifest = fleetManifest({ enterprises: 1, devicesPerEnterprise: 1, pointsPerDevice: 1, prefix: 'flood' });
    const manifest: Manifest = { version: 1, enterprises: [...fleetManifestOf.enterprises, ...flooderManifest.enterprises] };
    const pipeline = await createPipeline({ stack, native }, manifest, { logLevel: 'warn', ingestConnections: 16 });
    await pipeline.writer.start();
    await pipeline.ingest.start();
    const fleetEnterprise = fleetManifestOf.enterprises[0]!.id;
    const fleet = new Fleet(fleetManifestOf, { seed: 3 });
    const flooder = new Fleet(flooderManifest, { seed: 4 });
    const fleetConnection = await connectFleet({ url: stack.mqtt.url, deviceIds: fleet.devices.map((d) => d.id), password: devicePassword });
    const floodConnection = await connectFleet({ url: stack.mqtt.url, deviceIds: flooder.devices.map((d) => d.id), password: devicePassword });

    results.push('run              | fleet readings | stored | p50 ms | p99 ms | flooder payloads/s accepted, refused by the broker');
    let startMs = Date.UTC(2025, 6, 1);
    for (const withFlood of [false, true]) {
      let stopFlood!: () => void;
      const floodStopped = new Promise<void>((r) => (stopFlood = r));
      const flooding = withFlood ? flood(flooder, floodConnection, floodStopped) : undefined;
      const probe = startLatencyProbe(pipeline);
      const runStartMs = startMs;
      const sent = await runFleet(fleet, fleetConnection, startMs, probe);
      stopFlood();
      const floodResult = await flooding;
      startMs += 30 * 86_400_000;
      // Every reading of the fleet is a sample: stored ones give their latency, the others count as missing.
      const sorted = await probe.finish(300_000);
      results.push(
        `${(withFlood ? 'fleet + flooder' : 'fleet alone').padEnd(16)} | ${String(sent).padStart(14)} | ${String(sorted.length).padStart(6)} | ${String(percentile(sorted, 50)).padStart(6)} | ${String(percentile(sorted, 99)).padStart(6)} | ${floodResult ? `${(floodResult.accepted / floodResult.seconds).toFixed(0)}, ${(floodResult.refused / floodResult.seconds).toFixed(0)}` : '—'}`,
      );
      console.log(results.at(-1));
      // Let the pipeline drain the flood before the next run: until nothing more is stored for 15 s.
      const finalCount = await settledCount(pipeline, fleetEnterprise, runStartMs);
      results.push(`${''.padEnd(16)}   after the pipeline settled: ${finalCount} of the run's ${sent} fleet readings stored`);
      console.log(results.at(-1));
    }
    await fleetConnection.close();
    await floodConnection.close();
    await pipeline.close();
  });
  const limit = DEVICE_PUBLISH_LIMIT;
  console.log(`\nbench:flood — ${STEP_SECONDS} s per run, fleet of 200 meters at ${FLEET_RATE} readings/s, all services on this machine (${(await import('node:os')).cpus().length} cores)`);
  console.log(`per-device publish limit at the broker: ${limit.messagesPerSecond} messages/s (burst ${limit.messageBurst}), ${limit.bytesPerSecond} bytes/s (burst ${limit.byteBurst})`);
  console.log(results.join('\n'));
}

await main();
