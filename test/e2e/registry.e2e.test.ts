import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { stringify } from 'yaml';
import type { AggregationJobV1, DeadLetter, RegistryEntryV1 } from '@meterline/contracts';
import type { PeriodKind } from '@meterline/domain';
import { FIGURE_FIELDS as F, FIGURE_MEASUREMENTS, FIGURE_TAGS as T } from '@meterline/series';
import { Fleet, connectFleet, fleetManifest, type PlannedPayload } from '@meterline/simulator';
import { aggregationTopics, aggregatorEnv, aggregatorProcess, type AggregationTopics } from '../harness/aggregation.ts';
import { groupLag, readTopic } from '../harness/kafka-topics.ts';
import { createPipeline, devicePassword, type Pipeline } from '../harness/pipeline.ts';
import { QUARTER_HOUR, START_MS, storedReadings } from '../harness/scenario.ts';
import type { ServiceProcess } from '../harness/service-process.ts';
import { stackEnv } from '../harness/stack-env.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const QUARTER_HOUR_KIND = 'quarter-hour' satisfies PeriodKind;

// Two enterprises of one device with two points each; the registry topic first holds only the first.
const manifest = fleetManifest({ enterprises: 2, devicesPerEnterprise: 1, pointsPerDevice: 2, prefix: 'e2e-reg' });
const [known, added] = manifest.enterprises as [(typeof manifest.enterprises)[number], (typeof manifest.enterprises)[number]];
const addedDevice = added.devices[0]!.id;
const addedPoints = added.devices[0]!.meteringPoints;

let pipeline: Pipeline;
let topics: AggregationTopics;
let aggregator: ServiceProcess;
let fleet: Fleet;
/** Each tick's payloads of every device, planned once, in order (registers only go up). */
const ticks: PlannedPayload[][] = [];

/** `meterline registry push` as its own process, as an operator runs it. */
function registryPush(file: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'packages', 'cli', 'src', 'main.ts'), 'registry', 'push', file, '--topic', pipeline.topics.registry!, '--by', 'e2e-operator', ...args],
    { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', MTL_KAFKA_BROKERS: inject('stack').kafka.brokers.join(',') }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

/** Publishes one tick's payloads of the given devices; returns whether the broker accepted each (PUBACK). */
async function publishTick(tick: number, deviceIds: string[]): Promise<boolean[]> {
  const connection = await connectFleet({ url: inject('stack').mqtt.url, deviceIds, password: devicePassword });
  try {
    const outcomes = await Promise.all(ticks[tick]!.filter((p) => deviceIds.includes(p.deviceId)).map((p) => connection.publish(p)));
    return outcomes.map((o) => o.accepted);
  } finally {
    await connection.close();
  }
}

/** The JSON lines of a service's log. */
async function logLines(service: ServiceProcess): Promise<Record<string, unknown>[]> {
  const text = await readFile(service.logFile, 'utf8');
  return text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function sendJob(jobId: string): Promise<void> {
  const job: AggregationJobV1 = {
    v: 1,
    jobId,
    enterpriseId: added.id,
    kinds: ['quarter-hour'],
    fromMs: START_MS + QUARTER_HOUR,
    toMs: START_MS + 2 * QUARTER_HOUR,
    origin: 'on-demand',
    requestedAt: new Date().toISOString(),
  };
  const producer = new Kafka({ clientId: 'e2e-registry-jobs', brokers: [...inject('stack').kafka.brokers], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  await producer.send({ topic: topics.jobs, messages: [{ key: job.enterpriseId, value: JSON.stringify(job) }] });
  await producer.disconnect();
  await expect.poll(() => groupLag(inject('stack'), `aggregators-${topics.jobs}`, topics.jobs), { timeout: 120_000, interval: 500 }).toBe(0);
}

const storedOf = async (points: readonly string[]) => [...(await storedReadings(pipeline)).keys()].filter((k) => points.some((p) => k.startsWith(`${p}@`))).sort();

describe('registry on its topic (issue 6): uploaded with meterline registry push, followed by ingest and the aggregator without restarts', () => {
  beforeAll(async () => {
    // Broker accounts for both devices; ingest reads the pipeline's (empty) registry topic.
    pipeline = await createPipeline(stackEnv(), manifest, { registryTopic: true });
    fleet = new Fleet(manifest, { seed: 6 });
    for (let t = 0; t < 3; t++) ticks.push(fleet.tick(START_MS + t * QUARTER_HOUR, QUARTER_HOUR));

    await writeFile(join(pipeline.workDir, 'first.yaml'), stringify({ version: 1, enterprises: [known] }));
    const first = await registryPush(join(pipeline.workDir, 'first.yaml'));
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`  ${known.id}: new, version 1\n`);

    topics = await aggregationTopics(inject('stack'), pipeline);
    const { MTL_REGISTRY_FILE: _file, ...env } = aggregatorEnv(inject('stack'), pipeline, topics);
    aggregator = await aggregatorProcess({ ...env, MTL_REGISTRY_TOPIC: pipeline.topics.registry! }, topics, 'agg-registry', pipeline.workDir);
    await Promise.all([pipeline.writer.start(), pipeline.ingest.start(), aggregator.start()]);
  });
  afterAll(async () => {
    await aggregator?.stop();
    await pipeline?.close();
  });

  it('before the upload, a device not in the registry is dead-lettered UNKNOWN_DEVICE and the aggregator skips its enterprise', async () => {
    // The broker accepts both (the accounts exist); ingest stores one and dead-letters the other.
    expect(await publishTick(0, [known.devices[0]!.id, addedDevice])).toEqual([true, true]);
    await expect.poll(() => pipeline.deadLetters(), { timeout: 60_000, interval: 500 }).toHaveLength(1);
    const [letter] = (await pipeline.deadLetters()) as [DeadLetter];
    expect({ reason: letter.reason, device: letter.topicDeviceId, detail: letter.detail }).toEqual({
      reason: 'UNKNOWN_DEVICE',
      device: addedDevice,
      detail: `device "${addedDevice}" is not in the registry`,
    });
    await expect.poll(() => storedOf(known.devices[0]!.meteringPoints), { timeout: 60_000, interval: 500 }).toHaveLength(2);

    await sendJob('e2e-registry:before-upload');
    // The log reaches its file through a pipe: poll it.
    const skipped = async () => (await logLines(aggregator)).filter((l) => l['msg'] === 'job for an enterprise not in the registry: skipped').map((l) => [l['jobId'], l['enterprise']]);
    await expect.poll(skipped, { timeout: 30_000, interval: 250 }).toEqual([['e2e-registry:before-upload', added.id]]);
  });

  it('meterline registry push publishes only the enterprise that changed', async () => {
    await writeFile(join(pipeline.workDir, 'full.yaml'), stringify(manifest));
    const dryRun = await registryPush(join(pipeline.workDir, 'full.yaml'), '--dry-run');
    expect(dryRun.stdout).toContain('dry run: 1 entry would be published');

    const push = await registryPush(join(pipeline.workDir, 'full.yaml'));
    expect(push.stderr).toBe('');
    expect(push.code).toBe(0);
    expect(push.stdout).toContain(`  ${known.id}: unchanged (version 1)\n  ${added.id}: new, version 1\n`);
    expect(push.stdout).toContain(`published 1 entry to ${pipeline.topics.registry} as e2e-operator`);
    const entries = await readTopic<RegistryEntryV1>(inject('stack'), pipeline.topics.registry!);
    expect(entries.map((e) => [e.enterpriseId, e.version, e.uploadedBy]).sort()).toEqual([
      [known.id, 1, 'e2e-operator'],
      [added.id, 1, 'e2e-operator'],
    ]);
  });

  it("ingest admits the device's next payload without a restart", async () => {
    const ingestPid = pipeline.ingest.pid();
    // Ingest logs each entry it applies once caught up: wait for it rather than for time.
    await expect
      .poll(async () => (await logLines(pipeline.ingest)).some((l) => l['msg'] === 'registry entry applied' && l['enterprise'] === added.id), { timeout: 60_000, interval: 250 })
      .toBe(true);
    expect(await publishTick(1, [addedDevice])).toEqual([true]);
    await expect.poll(() => storedOf(addedPoints), { timeout: 60_000, interval: 500 }).toEqual(addedPoints.map((p) => `${p}@${START_MS + QUARTER_HOUR}`).sort());
    expect(await pipeline.deadLetters()).toHaveLength(1);
    expect(pipeline.ingest.pid()).toBe(ingestPid);
  });

  it("the aggregator computes the added enterprise with the uploaded entry: its figures name the entry's hash", async () => {
    const aggregatorPid = aggregator.pid();
    expect(await publishTick(2, [addedDevice])).toEqual([true]);
    await expect.poll(() => storedOf(addedPoints), { timeout: 60_000, interval: 500 }).toHaveLength(4);
    await expect
      .poll(async () => (await logLines(aggregator)).some((l) => l['msg'] === 'registry entry applied' && l['enterprise'] === added.id), { timeout: 60_000, interval: 250 })
      .toBe(true);

    await sendJob('e2e-registry:after-upload');
    const ended = async () => (await logLines(aggregator)).filter((l) => l['msg'] === 'job ended' && l['jobId'] === 'e2e-registry:after-upload').map((l) => l['completed']);
    await expect.poll(ended, { timeout: 30_000, interval: 250 }).toEqual([true]);
    const entry = (await readTopic<RegistryEntryV1>(inject('stack'), pipeline.topics.registry!)).find((e) => e.enterpriseId === added.id)!;
    // The job's quarter-hour only: scheduled jobs of the recent past may store figures of their own.
    const from = new Date(START_MS + QUARTER_HOUR).toISOString();
    const to = new Date(START_MS + 2 * QUARTER_HOUR).toISOString();
    const series = await pipeline.store.influxQl(
      `SELECT "${F.registryVersion}" FROM "${FIGURE_MEASUREMENTS.consumption}" WHERE "${T.enterprise}" = '${added.id}' AND "${T.period}" = '${QUARTER_HOUR_KIND}' AND time >= '${from}' AND time < '${to}' GROUP BY "${T.point}"`,
    );
    expect(series.map((s) => [s.tags?.[T.point], s.values.map((v) => v[1])]).sort()).toEqual(addedPoints.map((p) => [p, [entry.registryHash.slice(0, 16)]]).sort());
    expect(aggregator.pid()).toBe(aggregatorPid);
  });
});
