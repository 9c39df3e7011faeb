import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import type { AggregationJobV1, FigureBatchV1, RestatementV1 } from '@meterline/contracts';
import { calendarPeriod, localDate, type PeriodKind } from '@meterline/domain';
import { landedMarks, READING_FIELDS, READING_TAGS, READINGS_MEASUREMENT, readingTags } from '@meterline/series';
import { fleetManifest } from '@meterline/simulator';
import type { SeriesPoint } from '@meterline/store';
import { aggregationTopics, aggregatorEnv, aggregatorProcess, waitUntilEqual, type AggregationTopics } from '../harness/aggregation.ts';
import { groupLag, readTopic } from '../harness/kafka-topics.ts';
import { createPipeline, type Pipeline } from '../harness/pipeline.ts';
import type { ServiceProcess } from '../harness/service-process.ts';
import { stackEnv } from '../harness/stack-env.ts';

/**
 * Incremental aggregation (issue 17, item 3) through the aggregator service: readings stored
 * with their landing marks, as the writer stores them (the same `landedMarks` in the same
 * write), are computed once; a scheduled run with nothing landed computes and publishes
 * nothing; a late reading is found from its mark within seconds and restates its own
 * periods only, of its own enterprise and day.
 */
const manifest = fleetManifest({ enterprises: 2, devicesPerEnterprise: 1, pointsPerDevice: 3, prefix: 'e2e-incr' });
const [late, other] = manifest.enterprises as [(typeof manifest.enterprises)[number], (typeof manifest.enterprises)[number]];
const TZ = late.timeZone;
const QUARTER = 900_000;
const HOUR = 3_600_000;
const KINDS: PeriodKind[] = ['quarter-hour', 'hour', 'day'];

// The three local days before yesterday: closed, and recent enough for the late-landing watch.
const today = calendarPeriod(localDate(Date.now(), TZ), TZ);
const dayBefore = (d: { start: number }) => calendarPeriod(localDate(d.start - 1, TZ), TZ);
const d3 = dayBefore(dayBefore(today));
const d2 = dayBefore(d3);
const d1 = dayBefore(d2);
const range = { start: d1.start, end: d3.end };
const heldPoint = late.sites[0]!.meteringPoints[1]!.id;
const heldAt = d2.start + 13 * HOUR;

let pipeline: Pipeline;
let topics: AggregationTopics;
let aggregator: ServiceProcess;
let held: SeriesPoint;

/** Stores readings as the writer does: the readings and their landing marks in one write. */
async function land(points: SeriesPoint[]) {
  const marks = landedMarks(READINGS_MEASUREMENT, points.map((p) => ({ enterpriseId: p.tags[READING_TAGS.enterprise]!, tsMs: p.timestampMs })), Date.now());
  await pipeline.store.write([...points, ...marks]);
}

async function sendJobs(jobs: AggregationJobV1[]) {
  const producer = new Kafka({ clientId: 'e2e-incremental-jobs', brokers: [...inject('stack').kafka.brokers], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  await producer.send({ topic: topics.jobs, messages: jobs.map((j) => ({ key: j.enterpriseId, value: JSON.stringify(j) })) });
  await producer.disconnect();
  await waitUntilEqual('jobs done', () => groupLag(inject('stack'), `aggregators-${topics.jobs}`, topics.jobs), 0, 180_000);
}

const job = (enterpriseId: string, jobId: string, origin: AggregationJobV1['origin']): AggregationJobV1 => ({
  v: 1,
  jobId,
  enterpriseId,
  kinds: KINDS,
  fromMs: range.start,
  toMs: range.end,
  origin,
  requestedAt: new Date().toISOString(),
});

async function jobEnded(jobId: string): Promise<Record<string, unknown> | undefined> {
  const lines = (await readFile(aggregator.logFile, 'utf8')).split('\n').filter((l) => l.startsWith('{'));
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e['msg'] === 'job ended' && e['jobId'] === jobId);
}

const figuresOf = async () => (await readTopic<FigureBatchV1>(inject('stack'), topics.figures)).flatMap((b) => b.figures);

describe('incremental aggregation (issue 17, item 3): only what landed is computed', () => {
  beforeAll(async () => {
    pipeline = await createPipeline(stackEnv(), manifest);
    topics = await aggregationTopics(inject('stack'), pipeline);
    // 15-minute registers of every point over the three days and an hour either side; one held back.
    const points: SeriesPoint[] = [];
    for (const e of manifest.enterprises) {
      e.sites[0]!.meteringPoints.forEach((p, i) => {
        let register = 1_000 * (i + 1);
        for (let at = range.start - HOUR; at <= range.end + HOUR; at += QUARTER) {
          register += 2 + ((at / QUARTER) % 5) * (i + 1);
          const point = { measurement: READINGS_MEASUREMENT, tags: readingTags(e.id, p.id), fields: { [READING_FIELDS.value]: register }, timestampMs: at };
          if (p.id === heldPoint && at === heldAt) held = point;
          else points.push(point);
        }
      });
    }
    await land(points);
    aggregator = await aggregatorProcess({ ...aggregatorEnv(inject('stack'), pipeline, topics), MTL_LANDED_POLL_SECONDS: '2' }, topics, 'agg-incremental', pipeline.workDir);
    await aggregator.start();
    await sendJobs(manifest.enterprises.map((e) => job(e.id, `e2e-incr:first:${e.id}`, 'on-demand')));
  });
  afterAll(async () => {
    await aggregator?.stop();
    await pipeline?.close();
  });

  it('a scheduled run with nothing landed since computes, reads back and publishes nothing', async () => {
    // Only the three days: the service's own `recent` schedule may announce today's quarter-hours meanwhile.
    const announced = async () => (await figuresOf()).filter((f) => f.startMs >= range.start && f.startMs < range.end).length;
    const before = await announced();
    expect(before).toBeGreaterThan(0);
    await sendJobs(manifest.enterprises.map((e) => job(e.id, `e2e-incr:unchanged:${e.id}`, 'schedule')));
    for (const e of manifest.enterprises) {
      expect(await jobEnded(`e2e-incr:unchanged:${e.id}`)).toMatchObject({ completed: true, units: 0, skipped: { days: 3, months: 0 } });
    }
    expect(await announced()).toBe(before);
    expect(await readTopic<RestatementV1>(inject('stack'), topics.restatements)).toEqual([]);
  });

  it('a late reading is restated within its enterprise and day only, found from its landing mark without a job asked for', async () => {
    await land([held]);
    await expect.poll(async () => (await readTopic<RestatementV1>(inject('stack'), topics.restatements)).length, { timeout: 120_000, interval: 1_000 }).toBeGreaterThan(0);
    // Let the job finish: every restatement of the run is published before it ends.
    await expect.poll(() => groupLag(inject('stack'), `aggregators-${topics.jobs}`, topics.jobs), { timeout: 120_000, interval: 500 }).toBe(0);
    const restated = await readTopic<RestatementV1>(inject('stack'), topics.restatements);
    expect(new Set(restated.map((r) => r.enterpriseId))).toEqual(new Set([late.id]));
    expect(restated.every((r) => r.startMs >= d2.start && r.startMs < d2.end && r.reason === 'READINGS_CHANGED')).toBe(true);
    // The held reading's quarter-hours (on either side of it), their hour and the day.
    const kinds = new Set(restated.map((r) => r.periodKind));
    expect(kinds).toEqual(new Set(['quarter-hour', 'hour', 'day']));
    const quarterHours = new Set(restated.filter((r) => r.periodKind === 'quarter-hour').map((r) => r.startMs));
    expect([...quarterHours].sort()).toEqual([heldAt - QUARTER, heldAt]);
    expect(restated.some((r) => r.enterpriseId === other.id)).toBe(false);
    const log = (await readFile(aggregator.logFile, 'utf8')).split('\n').filter((l) => l.includes('late readings landed'));
    expect(log.length).toBeGreaterThan(0);
  });
});
