// Issue 15, item 2, on the real stack: the regulator's data-quality scorecard of an enterprise's
// month, from readings through MQTT, ingest, Kafka and the writer into InfluxDB, judged by the
// aggregator's backfill and stored as quality_rule figures, published on the figures topic, and a
// failed rule alerted to an energy manager's webhook receiver by the alerter.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FIGURE_KINDS, readingsTopic, type FigureBatchV1, type MqttReading, type WebhookBodyV1 } from '@meterline/contracts';
import { calendarPeriod, monthScorecard, type Manifest } from '@meterline/domain';
import { FIGURE_DETAIL_FIELDS as D, FIGURE_TAGS as T, readFigures } from '@meterline/series';
import { Fleet, fleetManifest, type PlannedPayload } from '@meterline/simulator';
import { accountStoredReadings, aggregationTopics, aggregatorEnv, backfillProcess, waitUntilEqual } from '../harness/aggregation.ts';
import { alerterProcess, alertingTopics, writeAlertingFile } from '../harness/alerting.ts';
import { readTopic } from '../harness/kafka-topics.ts';
import { publishAccepted } from '../harness/publish-fleet.ts';
import { createPipeline, type Pipeline } from '../harness/pipeline.ts';
import { storedReadings } from '../harness/scenario.ts';
import type { ServiceProcess } from '../harness/service-process.ts';
import { stackEnv } from '../harness/stack-env.ts';
import { webhookReceiver, type WebhookReceiver } from '../harness/webhook-receiver.ts';

const TZ = 'Asia/Shanghai';
const HOUR = 3_600_000;
const DAY = 86_400_000;
const SECRET = 'e2e-scorecard-secret-0123456789';
const MONTH = '2026-02';
const february = calendarPeriod(MONTH, TZ);

/**
 * One enterprise, one device with two hourly meters (the boundary input and a sub-meter), read
 * on the hour from an hour before February to an hour after it; the main meter is silent from
 * 10 Feb 01:00 to 14 Feb 00:00 (both included): 96 of its readings never come.
 */
function scorecardMonth(): { manifest: Manifest; main: string; payloads: PlannedPayload[]; readingCount: number } {
  const manifest = fleetManifest({ enterprises: 1, devicesPerEnterprise: 1, pointsPerDevice: 2, prefix: 'e2e-sc' });
  const points = manifest.enterprises[0]!.sites[0]!.meteringPoints;
  for (const p of points) p.expectedInterval = 'PT1H';
  const main = points.find((p) => p.topology.role === 'boundary-input')!.id;
  const silent = { after: february.start + 9 * DAY, until: february.start + 13 * DAY };
  const fleet = new Fleet(manifest, { seed: 7, utcOffsetMinutes: 480 });
  const seq = new Map<string, number>();
  const payloads: PlannedPayload[] = [];
  let readingCount = 0;
  for (let at = february.start - HOUR; at <= february.end + HOUR; at += HOUR) {
    for (const planned of fleet.tick(at, HOUR)) {
      const readings: MqttReading[] = planned.readings.filter((r) => !(r.point === main && at > silent.after && at <= silent.until));
      const s = seq.get(planned.deviceId) ?? 0;
      seq.set(planned.deviceId, s + 1);
      payloads.push({ deviceId: planned.deviceId, topic: readingsTopic(planned.deviceId), seq: s, readings, bytes: Buffer.from(JSON.stringify({ v: 1, deviceId: planned.deviceId, seq: s, readings })) });
      readingCount += readings.length;
    }
  }
  return { manifest, main, payloads, readingCount };
}

const data = scorecardMonth();
const enterprise = data.manifest.enterprises[0]!;
let pipeline: Pipeline;
let alerter: ServiceProcess;
let receiver: WebhookReceiver;
let figuresTopic: string;

const bodyOf = (body: string) => JSON.parse(body) as WebhookBodyV1;

describe("the regulator's scorecard on the real stack (issue 15, item 2)", () => {
  beforeAll(async () => {
    const env = stackEnv();
    pipeline = await createPipeline(env, data.manifest);
    // Topics of their own for the aggregator (a suffix: alertingTopics makes a figures topic of the
    // same default name); the alerter reads the aggregator's figures topic.
    const topics = await aggregationTopics(env.stack, pipeline, '-agg');
    figuresTopic = topics.figures;
    const alerting = { ...(await alertingTopics(env.stack, pipeline)), figures: topics.figures };
    receiver = await webhookReceiver(SECRET);
    const off = { enabled: false };
    const alertingFile = await writeAlertingFile(pipeline, {
      version: 1,
      enterprises: {
        [enterprise.id]: { rules: { meterOffline: off, lowCoverage: off, suspectCounter: off, balanceGap: off, calibration: off, budget: off, deviceSequence: off } },
      },
      subscriptions: [{ id: 'sub-scorecard', enterpriseId: enterprise.id, url: receiver.url, secret: SECRET }],
    });
    // February ended months before this run: figures of older periods are history to the alerter
    // unless its window reaches back to them (in service, the month is judged at 00:20 on the 1st).
    const maxAgeHours = Math.ceil((Date.now() - february.end) / HOUR) + 48;
    alerter = await alerterProcess(env.stack, pipeline, alerting, { instance: 'alerter-sc', alertingFile, env: { MTL_TICK_SECONDS: '5', MTL_FIGURE_MAX_AGE_HOURS: String(maxAgeHours) } });

    await pipeline.writer.start();
    await pipeline.ingest.start();
    await alerter.start();
    await publishAccepted(inject('stack').mqtt.url, enterprise.devices.map((d) => d.id), data.payloads);
    await waitUntilEqual('stored readings', async () => (await storedReadings(pipeline)).size, data.readingCount, 180_000);
    const backfill = await backfillProcess(aggregatorEnv(env.stack, pipeline, topics), ['--from', `${MONTH}-01`, '--to', `${MONTH}-28`, '--kinds', 'day,month'], join(pipeline.workDir, 'backfill.log')).exited;
    expect(backfill.stderr).not.toMatch(/failed/);
    expect(backfill.code).toBe(0);
  });

  afterAll(async () => {
    await alerter?.stop();
    await receiver?.close();
    await pipeline?.close();
  });

  it('stores one quality_rule figure per rule: completeness failed (576 of 672 readings), the others as monthScorecard judges meterline account\'s month and days', async () => {
    const stored = (await readFigures(pipeline.store, enterprise.id, february, ['month'])).filter((f) => f.measurement === FIGURE_KINDS.qualityRule);
    const byRule = new Map(stored.map((f) => [f.subject[T.rule]!, f]));
    // 672 hourly readings due in February (28 × 24), 96 silent: 576 of 672 = 85.714… % < 90 %.
    const completeness = byRule.get('completeness')!;
    expect(completeness).toMatchObject({ value: 0, unit: 'pass', periodKey: MONTH, startMs: february.start, endMs: february.end, subject: { [T.region]: enterprise.region, [T.rule]: 'completeness' } });
    expect(completeness.detail).toMatchObject({ [D.ruleFindings]: 1, [D.ruleSummary]: `1 finding(s): ${data.main}: 85.7 % of the readings due` });

    // The other rules as the domain judges the auditor's figures of the same stored readings.
    const months = await accountStoredReadings(pipeline.store, data.manifest, ['--period', MONTH]);
    const days = await accountStoredReadings(pipeline.store, data.manifest, ['--period', MONTH, '--by', 'day']);
    expect(days).toHaveLength(28);
    const card = monthScorecard(enterprise, months[0]!, days);
    expect(stored.map((f) => [f.subject[T.rule], f.value, f.detail[D.ruleSummary]]).sort()).toEqual(card.outcomes.map((o) => [o.rule, o.passed ? 1 : 0, o.detail]).sort());
    // Every day starts at 00:00 and the month on the 1st; no output value or value added was entered.
    expect(Object.fromEntries(stored.map((f) => [f.subject[T.rule], f.value]))).toEqual({
      completeness: 0,
      'daily-monthly-consistency': 1,
      'daily-period-start': 1,
      'monthly-period-start': 1,
      'required-indicators': 0,
    });

    // Published on the figures topic like every figure.
    const announced = (await readTopic<FigureBatchV1>(inject('stack'), figuresTopic)).flatMap((b) => b.figures).filter((f) => f.measurement === FIGURE_KINDS.qualityRule);
    expect(announced.map((f) => `${f.subject[T.rule]}=${f.value}`).sort()).toEqual(stored.map((f) => `${f.subject[T.rule]}=${f.value}`).sort());
  });

  it('alerts quality-rule-failed for completeness (and required indicators) to the webhook receiver, signed', async () => {
    await expect
      .poll(() => new Set(receiver.received.flatMap((w) => bodyOf(w.body).alerts.filter((a) => a.rule === 'quality-rule-failed' && a.status === 'firing').map((a) => a.subject['rule']))), {
        timeout: 120_000,
        interval: 500,
      })
      .toEqual(new Set(['completeness', 'required-indicators']));
    expect(receiver.received.filter((w) => !w.verification.ok)).toEqual([]);
    const alert = receiver.received.flatMap((w) => bodyOf(w.body).alerts).find((a) => a.subject['rule'] === 'completeness')!;
    expect(alert).toMatchObject({
      enterpriseId: enterprise.id,
      severity: 'warning',
      status: 'firing',
      summary: `scorecard rule completeness failed in ${MONTH}: 1 finding(s): ${data.main}: 85.7 % of the readings due`,
      value: 1,
      threshold: 0,
      unit: 'findings',
      startsAt: new Date(february.start).toISOString(),
    });
  });
});
