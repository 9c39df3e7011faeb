/**
 * bench:ingest — sustained readings/s end to end (published → queryable in InfluxDB),
 * p50/p99 latency and the RSS of ingest and writer, at rising offered rates, for
 * single-reading and 100-readings-per-message payloads; and, in the same run, the raw
 * Mosquitto publish → subscribe rate for the same payloads as the baseline.
 *
 * Everything runs on this one machine: broker, Kafka, InfluxDB, both services and the
 * simulated fleet share its cores. A benchmark, not a test: it prints, it asserts nothing.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import mqtt from 'mqtt';
import { DEV_SERVICE_PASSWORDS, MONITOR_MQTT_USER } from '@meterline/local-stack';
import type { Manifest } from '@meterline/domain';
import { Fleet, connectFleet, fleetManifest, type FleetConnection, type PlannedPayload } from '@meterline/simulator';
import { READING_FIELDS, READINGS_MEASUREMENT } from '@meterline/series';
import { withBenchStack } from '../harness/bench-stack.ts';
import { startLatencyProbe } from '../harness/latency-probe.ts';
import { createPipeline, devicePassword, type Pipeline } from '../harness/pipeline.ts';

const STEP_SECONDS = Number(process.env['BENCH_STEP_SECONDS'] ?? 10);
const ONLY = process.env['BENCH_SHAPE']; // 'single' or 'batch' to run one shape
/** BENCH_SIGNED=1: every device has an Ed25519 key in the registry and signs its payloads, which ingest verifies. */
const SIGNED = process.env['BENCH_SIGNED'] === '1';
const ALL_SHAPES = [
  { name: 'single reading per message', devices: 200, pointsPerDevice: 1, connections: 16, rates: [1_000, 2_000, 4_000] },
  { name: '100 readings per message', devices: 40, pointsPerDevice: 100, connections: 4, rates: [5_000, 10_000, 20_000, 40_000] },
];
const SHAPES = ALL_SHAPES.filter((s) => !ONLY || (ONLY === 'single') === (s.pointsPerDevice === 1));

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);
const rssMb = async (pid: number | undefined) => {
  if (!pid) return NaN;
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

/** Publishes ticks of the fleet paced to `readingsPerSecond` for STEP_SECONDS; returns the payloads with their publish times. */
async function offer(
  fleet: Fleet,
  connection: FleetConnection,
  readingsPerSecond: number,
  startMs: number,
  intervalMs: number,
  onSent: (payload: PlannedPayload, publishedAtMs: number) => void,
) {
  const sent: { payload: PlannedPayload; publishedAtMs: number }[] = [];
  const started = Date.now();
  let tick = 1;
  let readings = 0;
  const inFlight = new Set<Promise<void>>();
  while (Date.now() - started < STEP_SECONDS * 1000) {
    const due = ((Date.now() - started) / 1000) * readingsPerSecond;
    if (readings >= due) {
      await sleep(2);
      continue;
    }
    const payloads = fleet.tick(startMs + tick++ * intervalMs, intervalMs);
    for (const payload of payloads) {
      readings += payload.readings.length;
      const p = connection.publish(payload).then((o) => {
        if (!o.accepted) return;
        sent.push({ payload, publishedAtMs: o.publishedAtMs });
        onSent(payload, o.publishedAtMs);
      });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
    // Bound what the simulator holds in flight, as a real fleet is bounded by its devices.
    while (inFlight.size > 2_000) await Promise.race(inFlight);
  }
  const watchdog = setInterval(() => console.log(`  … waiting for ${inFlight.size} publishes to be acknowledged`), 5_000);
  await Promise.all(inFlight);
  clearInterval(watchdog);
  return sent;
}

async function storedCount(pipeline: Pipeline): Promise<number> {
  const rows = await pipeline.store.influxQl(`SELECT count("${READING_FIELDS.value}") FROM "${READINGS_MEASUREMENT}"`);
  return Number(rows[0]?.values[0]?.[1] ?? 0);
}

async function rawMosquittoRate(url: string, fleet: Fleet, connection: FleetConnection, messages: number) {
  const monitor = await mqtt.connectAsync(url, {
    protocolVersion: 5,
    username: MONITOR_MQTT_USER.username,
    password: DEV_SERVICE_PASSWORDS[MONITOR_MQTT_USER.username] ?? '',
    clientId: `bench-monitor-${Date.now()}`,
  });
  await monitor.subscribeAsync('meterline/v1/+/readings', { qos: 1 });
  let received = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  monitor.on('message', () => {
    received++;
    if (received >= messages) done();
  });
  const payloads: PlannedPayload[] = [];
  for (let t = 0; payloads.length < messages; t++) payloads.push(...fleet.tick(Date.UTC(2025, 0, 1) + t * 60_000, 60_000));
  payloads.length = messages;
  const readingsPer = payloads[0]!.readings.length;
  const started = performance.now();
  const inFlight = new Set<Promise<unknown>>();
  for (const p of payloads) {
    const pr = connection.publish(p);
    inFlight.add(pr);
    void pr.finally(() => inFlight.delete(pr));
    while (inFlight.size > 2_000) await Promise.race(inFlight);
  }
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await monitor.endAsync();
  return { messagesPerSecond: messages / seconds, readingsPerSecond: (messages * readingsPer) / seconds };
}

async function main() {
  const results: string[] = [];
  await withBenchStack(async ({ stack, native }) => {
    for (const shape of SHAPES) {
      const manifest = fleetManifest({ enterprises: 1, devicesPerEnterprise: shape.devices, pointsPerDevice: shape.pointsPerDevice, prefix: `b${shape.pointsPerDevice}` });
      // Session expiry 0: a finished shape's ingest leaves no broker session queueing the next shape's messages.
      const signingKeys = SIGNED ? withDeviceKeys(manifest) : undefined;
      const pipeline = await createPipeline({ stack, native }, manifest, { logLevel: 'warn', sessionExpirySeconds: 0, ingestConnections: shape.connections });
      const fleet = new Fleet(manifest, { seed: 9, ...(signingKeys ? { signingKeys } : {}) });
      const connection = await connectFleet({ url: stack.mqtt.url, deviceIds: fleet.devices.map((d) => d.id), password: devicePassword });

      // Baseline in the same run: the broker alone, same payloads, same publishers.
      const raw = await rawMosquittoRate(stack.mqtt.url, new Fleet(manifest, { seed: 1, ...(signingKeys ? { signingKeys } : {}) }), connection, shape.pointsPerDevice === 1 ? 20_000 : 2_000);
      // The pipeline starts after the baseline, so the broker alone was measured.
      await pipeline.writer.start();
      await pipeline.ingest.start();
      results.push(`\n== ${shape.name} (${shape.devices} devices × ${shape.pointsPerDevice} points, ${shape.connections} ingest connections${SIGNED ? ', signed payloads' : ''}) ==`);
      results.push(`raw Mosquitto publish→subscribe (QoS 1, no pipeline): ${raw.messagesPerSecond.toFixed(0)} msg/s = ${raw.readingsPerSecond.toFixed(0)} readings/s`);
      results.push('offered r/s | achieved r/s | ratio to raw | p50 ms | p99 ms | ingest RSS MB | writer RSS MB');

      let startMs = Date.UTC(2025, 6, 1);
      let peak = 0;
      for (const rate of shape.rates) {
        const before = await storedCount(pipeline);
        let maxIngest = 0;
        let maxWriter = 0;
        const sampler = setInterval(() => {
          void rssMb(pipeline.ingest.pid()).then((v) => (maxIngest = Math.max(maxIngest, v)));
          void rssMb(pipeline.writer.pid()).then((v) => (maxWriter = Math.max(maxWriter, v)));
        }, 250);
        const firstPublish = Date.now();
        const probe = startLatencyProbe(pipeline);
        let publishedPayloads = 0;
        const sent = await offer(fleet, connection, rate, startMs, 60_000, (payload, publishedAtMs) => {
          // About 40 samples a second, whatever the rate: the last reading of every n-th payload.
          if (publishedPayloads++ % Math.max(1, Math.round(rate / payload.readings.length / 40)) !== 0) return;
          const last = payload.readings.at(-1)!;
          probe.add({ point: last.point, tsMs: Date.parse(last.ts), publishedAtMs });
        });
        startMs += 10 * 86_400_000;
        const published = sent.reduce((n, s) => n + s.payload.readings.length, 0);
        console.log(`  offered ${rate} readings/s: ${published} readings published and acknowledged by the broker`);
        // Wait for everything to be queryable; a pipeline that stops making progress for 60 s is reported, not waited for.
        let lastStoredAt = Date.now();
        let stored = 0;
        let progressAt = Date.now();
        for (;;) {
          const now = (await storedCount(pipeline)) - before;
          if (now > stored) progressAt = Date.now();
          stored = now;
          lastStoredAt = Date.now();
          if (stored >= published) break;
          if (Math.floor((Date.now() - firstPublish) / 5_000) !== Math.floor((Date.now() - firstPublish - 100) / 5_000)) console.log(`  … ${stored} of ${published} stored`);
          if (Date.now() - progressAt > 60_000) {
            console.log(`STALLED: ${stored} of ${published} published readings stored after ${Math.round((Date.now() - firstPublish) / 1000)} s`);
            break;
          }
          await sleep(100);
        }
        const latencies = await probe.finish(120_000);
        clearInterval(sampler);
        const achieved = stored / ((lastStoredAt - firstPublish) / 1000);
        peak = Math.max(peak, achieved);
        results.push(
          `${String(rate).padStart(11)} | ${achieved.toFixed(0).padStart(12)} | ${(achieved / raw.readingsPerSecond).toFixed(2).padStart(12)} | ${String(percentile(latencies, 50)).padStart(6)} | ${String(percentile(latencies, 99)).padStart(6)} | ${maxIngest.toFixed(0).padStart(13)} | ${maxWriter.toFixed(0).padStart(13)}`,
        );
        console.log(results.at(-1));
      }
      results.push(`peak sustained end to end ${peak.toFixed(0)} readings/s = ${(peak / raw.readingsPerSecond).toFixed(2)} × the raw broker rate`);
      await connection.close();
      await pipeline.close();
    }
  });
  console.log(`\nbench:ingest — ${STEP_SECONDS} s per step, all services on this machine (${(await import('node:os')).cpus().length} cores)`);
  console.log(results.join('\n'));
}

await main();
