import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_PUBLISH_LIMIT, readingsTopic, type FigureBatchV1, type MqttReading, type RestatementV1 } from '@meterline/contracts';
import { calendarPeriod, type Manifest } from '@meterline/domain';
import { Fleet, connectFleet, fleetManifest, type PlannedPayload } from '@meterline/simulator';
import {
  accountedMonthFigures,
  aggregationTopics,
  aggregatorEnv,
  aggregatorGroupId,
  aggregatorProcess,
  expectSameFigures,
  jobLog,
  jobsPartitionOf,
  monthJobs,
  requestJobs,
  restatementKey,
  storedFigures,
  type JobLogEntry,
} from '../../harness/aggregation.ts';
import { startChaosStack, type ChaosStack } from '../../harness/chaos-stack.ts';
import { groupLag, partitionShares as sharesOf, readTopic } from '../../harness/kafka-topics.ts';
import { createPipeline, devicePassword, type Pipeline } from '../../harness/pipeline.ts';
import { storedReadings } from '../../harness/scenario.ts';
import type { ServiceProcess } from '../../harness/service-process.ts';

const MONTH = '2026-02';
const TIME_ZONE = 'Asia/Shanghai';
const QUARTER_HOUR = 900_000;
const HOUR = 3_600_000;
/** Seven enterprises, each with one gateway of two points; their ids' jobs fall on seven distinct partitions. */
const FLEET = { enterprises: 7, devicesPerEnterprise: 1, pointsPerDevice: 2, prefix: 'chaos-aggregator' };
/** A local day of a gateway's two points. */
const READINGS_PER_PAYLOAD = 2 * 96;
const JOBS_PARTITIONS = 12;
/** Each way between the aggregators and InfluxDB. */
const INFLUX_LATENCY_MS = 10;
const STREAMS = ['upstream', 'downstream'] as const;
const AGGREGATORS = ['agg-a', 'agg-b'];

let chaos: ChaosStack;
let pipeline: Pipeline | undefined;
const aggregators: ServiceProcess[] = [];
const partitionShares = (groupId: string) => sharesOf(chaos.env.stack, groupId);

beforeAll(async () => {
  chaos = await startChaosStack();
}, 300_000);

afterAll(async () => {
  await Promise.all(aggregators.map((a) => a.kill()));
  await pipeline?.close();
  await chaos?.stop();
}, 120_000);

/**
 * A month of 15-minute readings (an hour either side) as gateways that store and forward send
 * them: a local day of a gateway per payload. The chaos broker keeps the production limit of 20
 * payloads a second per device, which a payload per quarter-hour would spend minutes on.
 */
function monthInDailyBatches(manifest: Manifest): PlannedPayload[] {
  const period = calendarPeriod(MONTH, TIME_ZONE);
  const fleet = new Fleet(manifest, { seed: 18, utcOffsetMinutes: 480 });
  const readingsOf = new Map<string, MqttReading[]>();
  for (let at = period.start - HOUR; at <= period.end + HOUR; at += QUARTER_HOUR) {
    for (const p of fleet.tick(at, QUARTER_HOUR)) {
      if (!readingsOf.has(p.deviceId)) readingsOf.set(p.deviceId, []);
      readingsOf.get(p.deviceId)!.push(...p.readings);
    }
  }
  return [...readingsOf].flatMap(([deviceId, readings]) =>
    Array.from({ length: Math.ceil(readings.length / READINGS_PER_PAYLOAD) }, (_, seq) => {
      const batch = readings.slice(seq * READINGS_PER_PAYLOAD, (seq + 1) * READINGS_PER_PAYLOAD);
      return { deviceId, topic: readingsTopic(deviceId), seq, readings: batch, bytes: Buffer.from(JSON.stringify({ v: 1, deviceId, seq, readings: batch })) };
    }),
  );
}

/** One batch per device at a time, each round paced to the production byte rate; every one acknowledged. */
async function publishPaced(p: Pipeline, batches: PlannedPayload[]): Promise<void> {
  const deviceIds = [...new Set(batches.map((b) => b.deviceId))];
  const queues = deviceIds.map((id) => batches.filter((b) => b.deviceId === id));
  const connection = await connectFleet({ url: p.broker.url, deviceIds, password: devicePassword });
  try {
    for (let round = 0; queues.some((q) => round < q.length); round++) {
      const sent = queues.flatMap((q) => q.slice(round, round + 1));
      const outcomes = await Promise.all(sent.map((b) => connection.publish(b)));
      expect(outcomes.filter((o) => !o.accepted).map((o) => o.refusal)).toEqual([]);
      await sleep((1_000 * Math.max(...sent.map((b) => b.bytes.length))) / DEVICE_PUBLISH_LIMIT.bytesPerSecond);
    }
  } finally {
    await connection.close();
  }
}

/**
 * Once both instances compute and the first figures are stored (a job ended), an instance
 * computing a job at that moment and the job, read from the instances' logs. `timeoutMs` only
 * guards against a hang.
 */
async function computingOnceFiguresStored(instances: ServiceProcess[], timeoutMs: number): Promise<{ instance: ServiceProcess; job: JobLogEntry }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const logs = await Promise.all(instances.map((i) => jobLog(i.logFile)));
    if (logs.every((log) => log.length > 0) && logs.some((log) => log.some((e) => e.msg === 'job ended' && e.completed))) {
      // An instance runs one job at a time: a start not yet followed by an end is the job in hand.
      const busy = logs.findIndex((log) => log.at(-1)?.msg === 'job started');
      if (busy >= 0) return { instance: instances[busy]!, job: logs[busy]!.at(-1)! };
    }
    await sleep(100);
  }
  throw new Error(`no instance computing a job after the first figures were stored, within ${timeoutMs} ms`);
}

/** The runs of a log that did not complete their job: ended cut short, failed, or cut by a kill (no end). */
function cutShortRuns(log: JobLogEntry[]): JobLogEntry[] {
  const runs: JobLogEntry[] = [];
  let open: JobLogEntry | undefined;
  for (const e of log) {
    if (e.msg === 'job started') {
      if (open) runs.push(open);
      open = e;
    } else if (open?.jobId === e.jobId) {
      if (!e.completed) runs.push(open);
      open = undefined;
    }
  }
  return open ? [...runs, open] : runs;
}

/** Completed jobs of a log, at or after `sinceMs`. */
const completedIn = (log: JobLogEntry[], sinceMs = 0) => new Set(log.filter((e) => e.msg === 'job ended' && e.completed && e.time >= sinceMs).map((e) => e.jobId));

describe('chaos on a stack with a three-node Kafka cluster (issue 18): aggregator instances sharing a backfill', () => {
  it('an aggregator SIGKILLed mid-backfill: the other goes on, takes its jobs over after the session timeout and finishes; the figures are what meterline account prints, none doubled', async () => {
    const manifest = fleetManifest(FLEET);
    // More than half the partitions: whichever half each instance is given, both hold enterprises.
    expect(new Set(manifest.enterprises.map((e) => jobsPartitionOf(e.id, JOBS_PARTITIONS))).size).toBeGreaterThan(JOBS_PARTITIONS / 2);
    pipeline = await createPipeline(chaos.env, manifest, { instances: 2 });
    const p = pipeline;
    await Promise.all(p.writers.map((w) => w.start()));
    await Promise.all(p.ingests.map((i) => i.start()));
    const publishedFrom = performance.now();
    const batches = monthInDailyBatches(manifest);
    const readingCount = batches.reduce((n, b) => n + b.readings.length, 0);
    await publishPaced(p, batches);
    await expect.poll(async () => (await storedReadings(p)).size, { timeout: 240_000, interval: 2_000 }).toBe(readingCount);
    console.log(`${readingCount} readings of ${MONTH} published and stored in ${Math.round(performance.now() - publishedFrom)} ms`);

    const topics = await aggregationTopics(chaos.env.stack, p);
    // The aggregators reach InfluxDB through the proxy, 10 ms away each way (another rack): on the
    // loopback a day's job takes ~0.13 s and an instance's share of the month a few seconds, done
    // before the group even notices a kill; so the survivor is still at its own jobs meanwhile.
    const env = { ...aggregatorEnv(chaos.env.stack, p, topics), MTL_INFLUX_URL: chaos.influxProxyUrl };
    for (const stream of STREAMS) await chaos.faults.addToxic('influxdb', { name: `distance-${stream}`, type: 'latency', stream, attributes: { latency: INFLUX_LATENCY_MS } });
    const groupId = aggregatorGroupId(topics);
    for (const name of AGGREGATORS) {
      const instance = await aggregatorProcess(env, topics, name, p.workDir);
      await instance.start();
      aggregators.push(instance);
    }
    // Both in the group before the work arrives: each holds half the jobs partitions.
    await expect.poll(() => partitionShares(groupId), { timeout: 60_000, interval: 500 }).toEqual([JOBS_PARTITIONS / 2, JOBS_PARTITIONS / 2]);

    const jobs = monthJobs(manifest, MONTH, 'chaos-backfill');
    const jobOf = new Map(jobs.map((j) => [j.jobId, j]));
    const requestedAt = performance.now();
    await requestJobs(chaos.env.stack, topics.jobs, jobs);
    const { instance: victim, job: inHand } = await computingOnceFiguresStored(aggregators, 300_000);
    const survivor = aggregators.find((a) => a !== victim)!;
    const killedAt = Date.now();
    await victim.kill();
    const victimLog = await jobLog(victim.logFile);
    // Whose enterprises were whose, as the logs show: each ran only its own partitions' jobs before the kill.
    const victimEnterprises = new Set(victimLog.map((e) => e.enterprise));
    const survivorEnterprises = new Set((await jobLog(survivor.logFile)).filter((e) => e.time < killedAt).map((e) => e.enterprise));
    const doneByVictim = completedIn(victimLog);
    const leftByVictim = jobs.filter((j) => victimEnterprises.has(j.enterpriseId) && !doneByVictim.has(j.jobId)).map((j) => j.jobId);
    expect(leftByVictim).toContain(inHand.jobId);

    // Takeover: once the killed member's session has expired, the group gives the survivor every partition...
    await expect.poll(() => partitionShares(groupId), { timeout: 120_000, interval: 250 }).toEqual([JOBS_PARTITIONS]);
    const takeoverMs = Date.now() - killedAt;
    // ...and it starts a job of an enterprise the killed instance computed (partitions are taken one at a time).
    const takenOver = async () => (await jobLog(survivor.logFile)).find((e) => e.msg === 'job started' && e.time >= killedAt && victimEnterprises.has(e.enterprise));
    await expect.poll(takenOver, { timeout: 300_000, interval: 500 }).toBeDefined();
    const resumedMs = (await takenOver())!.time - killedAt;
    await expect.poll(() => groupLag(chaos.env.stack, groupId, topics.jobs), { timeout: 300_000, interval: 1_000 }).toBe(0);
    const backfillMs = performance.now() - requestedAt;
    expect(await partitionShares(groupId)).toEqual([JOBS_PARTITIONS]);
    for (const stream of STREAMS) await chaos.faults.removeToxic('influxdb', `distance-${stream}`);

    // Every job done; what the killed instance left, done by the survivor after the kill; meanwhile it went on with its own.
    const survivorLog = await jobLog(survivor.logFile);
    expect(jobs.filter((j) => !doneByVictim.has(j.jobId) && !completedIn(survivorLog).has(j.jobId)).map((j) => j.jobId)).toEqual([]);
    const doneAfterKill = completedIn(survivorLog, killedAt);
    expect(leftByVictim.filter((id) => !doneAfterKill.has(id))).toEqual([]);
    const ownDoneAfterKill = jobs.filter((j) => survivorEnterprises.has(j.enterpriseId) && doneAfterKill.has(j.jobId));
    expect(ownDoneAfterKill.length).toBeGreaterThan(0);
    expect(await survivor.health()).toMatchObject({ status: 200, body: { checks: { influxdb: 'ok', kafka: 'ok' } } });

    // The instances also run their own schedules (today's quarter-hours): compared, the month's figures.
    const month = calendarPeriod(MONTH, TIME_ZONE);
    const inMonth = (startMs: number) => startMs >= month.start && startMs < month.end;
    const stored = new Map([...(await storedFigures(p.store))].filter(([, f]) => inMonth(Number(f.key.split('|').at(-1)))));
    expectSameFigures(stored, await accountedMonthFigures(p.store, manifest, MONTH));
    // Nothing restated: whoever ran a job again found the figures already stored equal to its own.
    expect([...stored.values()].filter((f) => f.revision !== 0).map((f) => f.key)).toEqual([]);
    const restatements = await readTopic<RestatementV1>(chaos.env.stack, topics.restatements);
    expect(restatements.filter((r) => inMonth(r.startMs)).map(restatementKey)).toEqual([]);
    // At least once on Kafka: every figure announced; again only within a run that was cut short (announced, not yet stored), once per such run.
    const announced = (await readTopic<FigureBatchV1>(chaos.env.stack, topics.figures)).flatMap((b) => b.figures).filter((f) => inMonth(f.startMs));
    const times = new Map<string, { count: number; enterprise: string; startMs: number }>();
    for (const f of announced) {
      const key = `${f.measurement}|${f.enterpriseId}|${f.periodKind}|${JSON.stringify(f.subject)}|${f.startMs}`;
      times.set(key, { count: (times.get(key)?.count ?? 0) + 1, enterprise: f.enterpriseId, startMs: f.startMs });
    }
    expect(times.size).toBe(stored.size);
    const cutShort = [...cutShortRuns(victimLog), ...cutShortRuns(survivorLog)].flatMap((run) => jobOf.get(run.jobId) ?? []);
    const repeated = [...times].filter(([, t]) => t.count > 1);
    const runsCovering = (t: { enterprise: string; startMs: number }) => cutShort.filter((j) => j.enterpriseId === t.enterprise && t.startMs >= j.fromMs && t.startMs < j.toMs).length;
    expect(repeated.filter(([, t]) => t.count > 1 + runsCovering(t)).map(([key]) => key)).toEqual([]);

    const backfillRuns = [...victimLog, ...survivorLog].filter((e) => e.msg === 'job started' && jobOf.has(e.jobId)).length;
    const names = (enterprises: Set<string>) => [...enterprises].join(',');
    console.log(
      `aggregator ${AGGREGATORS[aggregators.indexOf(victim)]} (${names(victimEnterprises)}) SIGKILLed in ${inHand.jobId}, ${doneByVictim.size} of its jobs done; ` +
        `the survivor (${names(survivorEnterprises)}) held every partition ${takeoverMs} ms later (session timeout 10 s), started the killed one's enterprise ${resumedMs} ms after the kill and did ${ownDoneAfterKill.length} of its own after the kill; ` +
        `the ${jobs.length} jobs done ${Math.round(backfillMs)} ms after they were requested; ${backfillRuns - jobs.length} runs again, ${cutShort.length} cut short; ` +
        `${repeated.length} of ${times.size} figures announced twice`,
    );

    // The killed instance restarted rejoins: the group shares the partitions between both again.
    await victim.start();
    await expect.poll(() => partitionShares(groupId), { timeout: 60_000, interval: 1_000 }).toEqual([JOBS_PARTITIONS / 2, JOBS_PARTITIONS / 2]);
    expect(await victim.health()).toMatchObject({ status: 200, body: { checks: { influxdb: 'ok', kafka: 'ok' } } });
    for (const a of aggregators) expect(await a.stop()).toBe(0);
  });
});
