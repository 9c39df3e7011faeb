import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AggregationJobV1, FigureBatchV1, RestatementV1 } from '@meterline/contracts';
import { calendarPeriod, subPeriods } from '@meterline/domain';
import { RESTATEMENT_FIELDS, RESTATEMENT_MEASUREMENT, READINGS_MEASUREMENT, restatementTags } from '@meterline/series';
import { connectFleet, type PlannedPayload } from '@meterline/simulator';
import { Kafka, logLevel } from 'kafkajs';
import { InfluxStore } from '@meterline/store-influx';
import {
  accountedMonthFigures,
  aggregationTopics,
  aggregatorEnv,
  aggregatorProcess,
  backfillProcess,
  expectSameFigures,
  restatementKey,
  storedFigures,
  type AggregationTopics,
  type StoredFigure,
  waitUntilEqual,
} from '../harness/aggregation.ts';
import { groupLag, readTopic } from '../harness/kafka-topics.ts';
import { monthDataset, type MonthDataset } from '../harness/month-dataset.ts';
import { createPipeline, devicePassword, type Pipeline } from '../harness/pipeline.ts';
import { storedReadings } from '../harness/scenario.ts';
import { stackEnv } from '../harness/stack-env.ts';
import type { ServiceProcess } from '../harness/service-process.ts';

const TZ = 'Asia/Shanghai';
let pipeline: Pipeline;
let data: MonthDataset;
let topics: AggregationTopics;
let env: Record<string, string>;

async function publish(payloads: PlannedPayload[]): Promise<void> {
  const devices = [...new Set(data.manifest.enterprises.flatMap((e) => e.devices.map((d) => d.id)))];
  const connection = await connectFleet({ url: inject('stack').mqtt.url, deviceIds: devices, password: devicePassword });
  try {
    // In windows of 200 payloads: the order of the late batch (last) is kept.
    for (let i = 0; i < payloads.length; i += 200) {
      const outcomes = await Promise.all(payloads.slice(i, i + 200).map((p) => connection.publish(p)));
      expect(outcomes.filter((o) => !o.accepted).map((o) => o.refusal)).toEqual([]);
    }
  } finally {
    await connection.close();
  }
}

/** `meterline account` on the stored readings, every period of the month: the figures an auditor gets. */
const accountedFigures = () => accountedMonthFigures(pipeline.store, data.manifest, data.month);

describe('aggregator: a month of three enterprises, faults included', () => {
  beforeAll(async () => {
    data = monthDataset('e2e-agg');
    pipeline = await createPipeline(stackEnv(), data.manifest);
    topics = await aggregationTopics(inject('stack'), pipeline);
    env = aggregatorEnv(inject('stack'), pipeline, topics);
    await pipeline.writer.start();
    await pipeline.ingest.start();
    const started = performance.now();
    await publish(data.payloads);
    await waitUntilEqual('stored readings', async () => (await storedReadings(pipeline)).size, data.readingCount, 240_000);
    console.log(`aggregation e2e: ${data.readingCount} readings of ${data.month} stored in ${Math.round(performance.now() - started)} ms`);
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  it('backfill SIGKILLed mid-way and run again stores exactly the figures meterline account prints, nothing doubled', async () => {
    const args = ['--from', `${data.month}-01`, '--to', `${data.month}-28`];
    const first = backfillProcess(env, args, join(pipeline.workDir, 'backfill-1.log'));
    await Promise.race([first.progressed(30), first.exited]);
    first.kill();
    const killed = await first.exited;
    // On failure, what the backfill printed is in the diff.
    expect({ signal: killed.signal, stderr: killed.signal === 'SIGKILL' ? '' : killed.stderr }).toEqual({ signal: 'SIGKILL', stderr: '' });
    const started = performance.now();
    const second = await backfillProcess(env, args, join(pipeline.workDir, 'backfill-2.log')).exited;
    expect(second.stderr).not.toMatch(/failed/);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/backfill complete/);
    console.log(`aggregation e2e: backfill rerun ${Math.round(performance.now() - started)} ms\n${second.stdout}`);

    const stored = await storedFigures(pipeline.store);
    const expected = await accountedFigures();
    // 3 enterprises x (1 month + 28 days + 672 hours + 2688 quarter-hours) accountings.
    expect(new Set([...expected.keys()].map((k) => k.split('|').slice(1, 3).join('|') + '|' + k.split('|')[4])).size).toBe(3 * (1 + 28 + 672 + 2688));
    expectSameFigures(stored, expected);
    // Nothing restated: the rerun found the killed run's figures equal to its own.
    expect(await readTopic<RestatementV1>(inject('stack'), topics.restatements)).toEqual([]);
    // At least once on Kafka: every figure announced, repeats only for the enterprise-day the kill interrupted.
    const announced = (await readTopic<FigureBatchV1>(inject('stack'), topics.figures)).flatMap((b) => b.figures);
    const distinct = new Set(announced.map((f) => `${f.measurement}|${f.enterpriseId}|${f.periodKind}|${JSON.stringify(f.subject)}|${f.startMs}`));
    expect(distinct.size).toBe(stored.size);
    const figuresPerAccounting = expected.size / (3 * (1 + 28 + 672 + 2688));
    expect(announced.length - distinct.size).toBeLessThanOrEqual((96 + 24 + 1) * figuresPerAccounting);
  });

  it('a late reading restates exactly the periods it changes, each record with old and new value', async () => {
    const before = await accountedFigures();
    await publish(data.lateReadings);
    const lateCount = data.lateReadings.reduce((n, p) => n + p.readings.length, 0);
    await expect.poll(async () => (await storedReadings(pipeline)).size, { timeout: 60_000, interval: 1_000 }).toBe(data.readingCount + lateCount);
    const lastDay = subPeriods(calendarPeriod(data.month, TZ), 'day').at(-1)!.key;
    const rerun = await backfillProcess(env, ['--from', lastDay, '--to', lastDay], join(pipeline.workDir, 'backfill-3.log')).exited;
    expect(rerun.code).toBe(0);

    const after = await accountedFigures();
    const changed = [...after.values()].filter((a) => {
      const b = before.get(a.key)!;
      return a.value !== b.value || a.expandedU !== b.expandedU || a.coverage !== b.coverage || a.completeness !== b.completeness || a.flags !== b.flags;
    });
    const kinds = new Set(changed.map((c) => c.key.split('|')[2]));
    expect(kinds).toEqual(new Set(['quarter-hour', 'hour', 'day', 'month']));

    const restatements = await readTopic<RestatementV1>(inject('stack'), topics.restatements);
    expect(restatements.map(restatementKey).sort()).toEqual(changed.map((c) => c.key).sort());
    for (const r of restatements) {
      const key = restatementKey(r);
      expect({ key, old: r.old.value, new: r.new.value, reason: r.reason }).toEqual({ key, old: before.get(key)!.value, new: after.get(key)!.value, reason: 'READINGS_CHANGED' });
    }
    // Queryable in InfluxDB too, one record per restated figure.
    const records = await pipeline.store.readSeries({
      measurement: RESTATEMENT_MEASUREMENT,
      tags: restatementTags(data.manifest.enterprises[0]!.id),
      fromMs: 0,
      toMs: Date.UTC(2200, 0, 1),
      fields: [RESTATEMENT_FIELDS.oldValue, RESTATEMENT_FIELDS.newValue, RESTATEMENT_FIELDS.reason],
    });
    expect(records.length).toBe(restatements.length);
    expectSameFigures(await storedFigures(pipeline.store), after);
  });

  it('two aggregator instances sharing the jobs compute the same figures as one, never one enterprise at once', async () => {
    // A second database with the same readings, and a fresh jobs topic for the two instances.
    const database = `${pipeline.database}_two`;
    await pipeline.store.influxQl(`CREATE DATABASE ${database}`);
    await pipeline.store.influxQl(`SELECT * INTO "${database}"."autogen"."${READINGS_MEASUREMENT}" FROM "${READINGS_MEASUREMENT}" GROUP BY *`);
    const twoTopics = await aggregationTopics(inject('stack'), pipeline, '-two');
    const twoEnv = aggregatorEnv(inject('stack'), pipeline, twoTopics, database);
    const instances: ServiceProcess[] = [];
    for (const name of ['agg-a', 'agg-b']) {
      const instance = await aggregatorProcess(twoEnv, twoTopics, name, pipeline.workDir);
      await instance.start();
      instances.push(instance);
    }
    const month = calendarPeriod(data.month, TZ);
    const jobs: AggregationJobV1[] = data.manifest.enterprises.flatMap((e) => [
      ...subPeriods(month, 'day').map((d) => ({
        v: 1 as const,
        jobId: `e2e:${e.id}:${d.key}`,
        enterpriseId: e.id,
        kinds: ['quarter-hour' as const, 'hour' as const, 'day' as const],
        fromMs: d.start,
        toMs: d.end,
        origin: 'on-demand' as const,
        requestedAt: new Date().toISOString(),
      })),
      { v: 1 as const, jobId: `e2e:${e.id}:${month.key}`, enterpriseId: e.id, kinds: ['month' as const], fromMs: month.start, toMs: month.end, origin: 'on-demand' as const, requestedAt: new Date().toISOString() },
    ]);
    const kafka = new Kafka({ clientId: 'e2e-jobs', brokers: [...inject('stack').kafka.brokers], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: twoTopics.jobs, messages: jobs.map((j) => ({ key: j.enterpriseId, value: JSON.stringify(j) })) });
    await producer.disconnect();
    const groupId = `aggregators-${twoTopics.jobs}`;
    await expect.poll(() => groupLag(inject('stack'), groupId, twoTopics.jobs), { timeout: 300_000, interval: 2_000 }).toBe(0);
    for (const instance of instances) expect(await instance.stop()).toBe(0);

    // The instances also run their own schedule ('recent' jobs at minutes 1, 16, 31 and 46 over the
    // last 6 hours): a tick during the test adds figures of today's hours, which the one-instance
    // run never computes. Compared: the figures of the month the jobs asked for.
    const inMonth = (key: string) => {
      const startMs = Number(key.split('|').at(-1));
      return startMs >= month.start && startMs < month.end;
    };
    const ofMonth = (figures: Map<string, StoredFigure>) => new Map([...figures].filter(([key]) => inMonth(key)));
    const one = ofMonth(await storedFigures(pipeline.store));
    const two = ofMonth(await storedFigures(new InfluxStore({ url: inject('stack').influx.url, token: inject('stack').influx.token, database })));
    expect([...two.keys()].sort()).toEqual([...one.keys()].sort());
    const differing = [...one.values()].filter((f) => {
      const t = two.get(f.key)!;
      return t.value !== f.value || t.expandedU !== f.expandedU || t.coverage !== f.coverage || t.completeness !== f.completeness || t.flags !== f.flags;
    });
    expect(differing.slice(0, 5)).toEqual([]);

    // From the instances' logs: when each ran which enterprise; no two overlap for one enterprise.
    const spans: { instance: string; enterprise: string; start: number; end: number }[] = [];
    for (const instance of instances) {
      const open = new Map<string, number>();
      // The log file also holds the process's stderr: Node's own warnings (on Node 24 the Influx
      // client's url.parse() deprecation, DEP0169) are lines that are not the service's JSON log.
      for (const line of (await readFile(instance.logFile, 'utf8')).split('\n').filter((l) => l.startsWith('{'))) {
        const entry = JSON.parse(line) as { msg: string; time: number; enterprise?: string; jobId?: string };
        if (entry.msg === 'job started') open.set(entry.jobId!, entry.time);
        if (entry.msg === 'job ended' && open.has(entry.jobId!)) spans.push({ instance: instance.logFile, enterprise: entry.enterprise!, start: open.get(entry.jobId!)!, end: entry.time });
      }
    }
    const overlapping = spans.filter((a) => spans.some((b) => a !== b && a.instance !== b.instance && a.enterprise === b.enterprise && a.start < b.end && b.start < a.end));
    expect(overlapping).toEqual([]);
    const share = new Map<string, Set<string>>();
    for (const s of spans) share.set(s.instance, (share.get(s.instance) ?? new Set()).add(s.enterprise));
    console.log(`aggregation e2e: ${spans.length} jobs run; enterprises per instance: ${[...share.values()].map((s) => [...s].join(',')).join(' | ')}`);
  });
});
