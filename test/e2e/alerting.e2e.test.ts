import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import mqtt from 'mqtt';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  FIGURE_KINDS,
  readingsTopic,
  statusTopic,
  verifyWebhook,
  WEBHOOK_HEADERS,
  type AlertDeliveryDeadLetterV1,
  type FigureBatchV1,
  type FigureV1,
  type ReadingMessageV1,
  type WebhookBodyV1,
} from '@meterline/contracts';
import { calendarPeriod, localDate, type Manifest } from '@meterline/domain';
import { FIGURE_FIELDS, FIGURE_MEASUREMENTS, FIGURE_TAGS, figureTags, STANDARD_COAL_BASES, STANDARD_COAL_LEVELS } from '@meterline/series';
import { fleetManifest, formatWithOffset } from '@meterline/simulator';
import { alerterProcess, alertingTopics, writeAlertingFile, type AlertingTopics } from '../harness/alerting.ts';
import { readTopic } from '../harness/kafka-topics.ts';
import { createPipeline, devicePassword, type Pipeline } from '../harness/pipeline.ts';
import type { ServiceProcess } from '../harness/service-process.ts';
import { serviceMetrics } from '../harness/service-metrics.ts';
import { stackEnv } from '../harness/stack-env.ts';
import { webhookReceiver, type ReceivedWebhook, type WebhookReceiver } from '../harness/webhook-receiver.ts';

const SECRET = 'e2e-webhook-secret-0123456789';
const HOUR = 3_600_000;
const MIN = 60_000;

// Four enterprises, one per concern, so the tests of this file do not see each other's alerts.
const rules = fleetManifest({ enterprises: 1, devicesPerEnterprise: 2, pointsPerDevice: 2, prefix: 'alr' }).enterprises[0]!;
const outage = fleetManifest({ enterprises: 1, devicesPerEnterprise: 4, pointsPerDevice: 5, prefix: 'alo' }).enterprises[0]!;
const crash = fleetManifest({ enterprises: 1, devicesPerEnterprise: 2, pointsPerDevice: 5, prefix: 'alk' }).enterprises[0]!;
const fleet = fleetManifest({ enterprises: 1, devicesPerEnterprise: 100, pointsPerDevice: 10, prefix: 'alf' }).enterprises[0]!;
const manifest: Manifest = { version: 1, enterprises: [rules, outage, crash, fleet] };
const TZ = 'Asia/Shanghai';
// One certificate of the rules enterprise ends in 10 days: within the 30-day lead time.
const calibrated = rules.sites[0]!.meteringPoints[3]!;
calibrated.calibration.validUntil = localDate(Date.now() + 10 * 86_400_000, TZ);
const pointsOf = (e: Manifest['enterprises'][number]) => e.sites.flatMap((s) => s.meteringPoints.map((p) => ({ site: s.id, point: p.id })));

let pipeline: Pipeline;
let topics: AlertingTopics;
/** Two instances share the work throughout: the groups give each enterprise's alerts and each subscriber to one of them. */
let alerters: [ServiceProcess, ServiceProcess];
const receivers: Record<'rules' | 'outage' | 'crash' | 'fleet', WebhookReceiver> = {} as never;
let kafka: Kafka;
let fleetLastReadingMs: number;
const producer = () => kafka.producer();

beforeAll(async () => {
  const env = stackEnv();
  pipeline = await createPipeline(env, manifest);
  topics = await alertingTopics(env.stack, pipeline);
  for (const name of ['rules', 'outage', 'crash', 'fleet'] as const) receivers[name] = await webhookReceiver(SECRET);
  const subscription = (id: string, enterpriseId: string, receiver: WebhookReceiver, extra: object = {}) => ({ id, enterpriseId, url: receiver.url, secret: SECRET, ...extra });
  const onlyCoverage = { rules: { meterOffline: { enabled: false }, calibration: { enabled: false } } };
  const alertingFile = await writeAlertingFile(pipeline, {
    version: 1,
    // Only the last will can take a point offline within this file's run, except in the fleet.
    defaults: { meterOffline: { afterMinutes: 120 } },
    enterprises: {
      [rules.id]: { thresholds: [{ points: [pointsOf(rules)[2]!.point], period: 'hour', measure: 'energy', max: 100 }], budgets: { tceMonthly: 100 } },
      [outage.id]: onlyCoverage,
      [crash.id]: onlyCoverage,
      [fleet.id]: { rules: { meterOffline: { afterMinutes: 1 }, lowCoverage: { enabled: false }, calibration: { enabled: false } } },
    },
    subscriptions: [
      subscription('sub-rules', rules.id, receivers.rules),
      subscription('sub-outage', outage.id, receivers.outage),
      subscription('sub-crash', crash.id, receivers.crash),
      subscription('sub-fleet', fleet.id, receivers.fleet, { rules: ['meter-offline'], rateLimit: { perMinute: 6, burst: 3 } }),
    ],
  });
  const instance = (name: string) =>
    alerterProcess(env.stack, pipeline, topics, {
      instance: name,
      alertingFile,
      // Short waits so a test sees a retry soon after its receiver is back.
      env: { MTL_TICK_SECONDS: '5', MTL_DELIVERY_MAX_DELAY_MS: '4000' },
    });
  alerters = [await instance('alerter-1'), await instance('alerter-2')];
  kafka = new Kafka({ clientId: `e2e-alerting-${pipeline.id}`, brokers: [...inject('stack').kafka.brokers], logLevel: logLevel.NOTHING });
  fleetLastReadingMs = Date.now();
  await publishFleetReadings(fleetLastReadingMs);
  await pipeline.ingest.start();
  for (const a of alerters) await a.start();
});

afterAll(async () => {
  for (const a of alerters ?? []) await a.stop();
  for (const r of Object.values(receivers)) await r.close();
  await pipeline?.close();
});

async function publish(topic: string, messages: { key: string; value: object }[]) {
  const p = producer();
  await p.connect();
  await p.send({ topic, messages: messages.map((m) => ({ key: m.key, value: JSON.stringify(m.value) })) });
  await p.disconnect();
}

/** An hour's consumption figure of a point as the aggregator publishes it. */
function hourFigure(enterpriseId: string, site: string, point: string, startMs: number, coveragePercent: number, over: Partial<FigureV1> = {}): FigureV1 {
  return {
    measurement: FIGURE_KINDS.consumption,
    enterpriseId,
    subject: { site, point, carrier: 'electricity', quantity: 'active-energy-import', role: 'sub-meter' },
    periodKind: 'hour',
    periodKey: formatWithOffset(startMs, 480),
    startMs,
    endMs: startMs + HOUR,
    value: 42,
    unit: 'kWh',
    expandedUncertainty: 0.5,
    coveragePercent,
    estimated: 0,
    flags: coveragePercent < 100 ? ['gap'] : [],
    factorSet: 'cn-2023@1.0.0',
    registryVersion: 'e2e',
    revision: 0,
    detail: {},
    ...over,
  };
}
const figureBatch = (enterpriseId: string, figures: FigureV1[]): { key: string; value: FigureBatchV1 } => ({
  key: enterpriseId,
  value: { v: 1, enterpriseId, computedAt: new Date().toISOString(), figures },
});

/** The fleet's last readings, one per point, as ingest puts them on the readings topic; then the fleet falls silent. */
async function publishFleetReadings(atMs: number) {
  await publish(
    pipeline.topics.readings,
    pointsOf(fleet).map(({ site, point }, i) => {
      const reading: ReadingMessageV1 = {
        v: 1,
        readingId: `${point}:1:0`,
        deviceId: fleet.devices[Math.floor(i / 10)]!.id,
        seq: 1,
        index: i % 10,
        enterpriseId: fleet.id,
        siteId: site,
        pointId: point,
        carrier: 'electricity',
        quantity: 'active-energy-import',
        value: 1_000,
        unit: 'kWh',
        sourceValue: 1_000,
        sourceUnit: 'kWh',
        ts: new Date(atMs).toISOString(),
        tsMs: atMs,
        quality: 'good',
        receivedAt: new Date(atMs).toISOString(),
      };
      return { key: point, value: reading };
    }),
  );
}

/** The instance that logged delivering to the subscription last. */
async function deliveringInstance(subscriptionId: string): Promise<ServiceProcess> {
  const { readFile } = await import('node:fs/promises');
  const mentions = await Promise.all(alerters.map(async (a) => (await readFile(a.logFile, 'utf8')).lastIndexOf(`"subscription":"${subscriptionId}"`)));
  return mentions[0]! >= mentions[1]! ? alerters[0] : alerters[1];
}

const bodyOf = (w: ReceivedWebhook) => JSON.parse(w.body) as WebhookBodyV1;
/** Per alert id and status, once arrived. */
const arrivedAlerts = (received: ReceivedWebhook[]) => new Set(received.flatMap((w) => bodyOf(w).alerts.map((a) => `${a.alertId}:${a.status}`)));

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 240_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The notifications received, one per idempotency key (a repeat of a key is the same notification). */
const distinctNotifications = (received: ReceivedWebhook[]) => new Map(received.map((w) => [w.idempotencyKey, bodyOf(w)]));

/** Every request's signature verified; the same idempotency key always carried the same body. */
function expectSignedAndIdempotent(received: ReceivedWebhook[]) {
  expect(received.filter((w) => !w.verification.ok)).toEqual([]);
  const bodies = new Map<string, Set<string>>();
  for (const w of received) bodies.set(w.idempotencyKey, (bodies.get(w.idempotencyKey) ?? new Set()).add(w.body));
  expect([...bodies.values()].filter((b) => b.size > 1)).toEqual([]);
}

describe('alerter on the real stack: Kafka, InfluxDB, Mosquitto and ingest, webhooks to a real HTTP receiver', () => {
  it("fires each rule once and resolves it once: a last will through MQTT, published figures (a target at risk and a limit exceeded among them, issue 16), the month's figures in InfluxDB, a renewed certificate", async () => {
    const d1 = rules.devices[1]!;
    const connect = (will: boolean) =>
      mqtt.connectAsync(inject('stack').mqtt.url, {
        protocolVersion: 5,
        clientId: d1.id,
        username: d1.id,
        password: devicePassword(d1.id),
        reconnectPeriod: 0,
        ...(will ? { will: { topic: statusTopic(d1.id), payload: Buffer.from('offline'), qos: 1 as const } } : {}),
      });
    const readingsNow = (seq: number) => ({
      v: 1,
      deviceId: d1.id,
      seq,
      readings: d1.meteringPoints.map((point) => ({ point, ts: new Date().toISOString(), quantity: 'active-energy-import', value: 1_000 + seq, unit: 'kWh' })),
    });
    const device = await connect(true);
    await device.publishAsync(readingsTopic(d1.id), JSON.stringify(readingsNow(1)), { qos: 1 });
    // The power fails: no DISCONNECT, the broker publishes the will.
    device.stream.destroy();
    device.end(true);
    const offline = await until('meter-offline firing', () => receivers.rules.received.find((w) => bodyOf(w).rule === 'meter-offline' && bodyOf(w).status === 'firing'));
    expect(bodyOf(offline).alerts.map((a) => a.subject.point).sort()).toEqual([...d1.meteringPoints].sort());
    expect(bodyOf(offline).alerts[0]!.summary).toContain('last will');

    // The meter comes back and reads again: resolved.
    const back = await connect(false);
    await back.publishAsync(statusTopic(d1.id), 'online', { qos: 1 });
    await back.publishAsync(readingsTopic(d1.id), JSON.stringify(readingsNow(2)), { qos: 1 });
    await back.endAsync();
    await until('meter-offline resolved', () => receivers.rules.received.find((w) => bodyOf(w).rule === 'meter-offline' && bodyOf(w).status === 'resolved'));

    // Coverage: the aggregator publishes an hour at 60 %, then the next at 100 %.
    const [p] = pointsOf(rules);
    const hour = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
    await publish(topics.figures, [figureBatch(rules.id, [hourFigure(rules.id, p!.site, p!.point, hour, 60)])]);
    await until('low-coverage firing', () => receivers.rules.received.find((w) => bodyOf(w).rule === 'low-coverage' && bodyOf(w).status === 'firing'));
    await publish(topics.figures, [figureBatch(rules.id, [hourFigure(rules.id, p!.site, p!.point, hour + HOUR, 100)])]);
    await until('low-coverage resolved', () => receivers.rules.received.find((w) => bodyOf(w).rule === 'low-coverage' && bodyOf(w).status === 'resolved'));

    // One hour's figures: a register ran backwards, a point above its threshold, the main node off balance; the next hour clean.
    const [, suspect, heavy] = pointsOf(rules) as [unknown, { site: string; point: string }, { site: string; point: string }];
    const site = suspect.site;
    const balance = (startMs: number, gap: number) =>
      hourFigure(rules.id, site, 'x', startMs, 100, { measurement: FIGURE_KINDS.energyBalance, subject: { site, node: pointsOf(rules)[0]!.point, carrier: 'electricity' }, value: gap, expandedUncertainty: 5 });
    const h = hour - 2 * HOUR;
    await publish(topics.figures, [
      figureBatch(rules.id, [
        hourFigure(rules.id, site, suspect.point, h, 100, { flags: ['suspect-drop'] }),
        hourFigure(rules.id, site, heavy.point, h, 100, { value: 150 }),
        balance(h, 40),
      ]),
    ]);
    const announced = (rule: string, status: string) => () => receivers.rules.received.find((w) => bodyOf(w).rule === rule && bodyOf(w).status === status);
    for (const rule of ['suspect-counter', 'consumption-threshold', 'balance-gap']) await until(`${rule} firing`, announced(rule, 'firing'));
    await publish(topics.figures, [figureBatch(rules.id, [hourFigure(rules.id, site, suspect.point, h + HOUR, 100), hourFigure(rules.id, site, heavy.point, h + HOUR, 100), balance(h + HOUR, 2)])]);
    for (const rule of ['suspect-counter', 'consumption-threshold', 'balance-gap']) await until(`${rule} resolved`, announced(rule, 'resolved'));

    // Issue 16: this month a dual-control target at risk and the clinker clearly above its limit
    // year to date; next month the target on track and the clinker clearly below.
    const thisMonth = localDate(Date.now(), TZ).slice(0, 7);
    const [y, m] = thisMonth.split('-').map(Number) as [number, number];
    const nextMonth = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
    const monthFigure = (key: string, over: Partial<FigureV1>): FigureV1 => {
      const period = calendarPeriod(key, TZ);
      return hourFigure(rules.id, site, 'x', period.start, 100, { periodKind: 'month', periodKey: key, startMs: period.start, endMs: period.end, ...over });
    };
    const target = (key: string, status: string, projection: number) =>
      monthFigure(key, { measurement: FIGURE_KINDS.targetProgress, subject: { region: 'CN-CQ', metric: 'energy-total', basis: 'equivalent' }, value: projection, unit: 'tce', expandedUncertainty: 20, detail: { verdict: status, ceiling: 1_000 } });
    const clinker = (key: string, value: number, verdict: string) =>
      monthFigure(key, {
        measurement: FIGURE_KINDS.limitCompliance,
        subject: { region: 'CN-CQ', product: 'clinker', standard: 'cement-clinker', span: 'year-to-date', site },
        value,
        unit: 'kgce/t',
        expandedUncertainty: 3,
        detail: { verdict, binding_grade: 'limit', limit_value: 117 },
      });
    // 1 010 ± 20 tce projected against a ceiling of 1 000: at risk; 121 ± 3 kgce/t, at least 118 > 117: clearly above.
    await publish(topics.figures, [figureBatch(rules.id, [target(thisMonth, 'at-risk', 1_010), clinker(thisMonth, 121, 'clearly-above')])]);
    for (const rule of ['target-at-risk', 'limit-exceeded']) await until(`${rule} firing`, announced(rule, 'firing'));
    const opened = (rule: string) => bodyOf(announced(rule, 'firing')()!).alerts[0]!;
    expect(opened('target-at-risk')).toMatchObject({ severity: 'warning', subject: { metric: 'energy-total', basis: 'equivalent' }, value: 1_010, threshold: 1_000, unit: 'tce' });
    expect(opened('limit-exceeded')).toMatchObject({ severity: 'critical', subject: { product: 'clinker', standard: 'cement-clinker', site }, value: 121, threshold: 117, unit: 'kgce/t' });
    // 980 ± 20 tce: on track; 110 ± 3 kgce/t, at most 113 < 117: clearly below.
    await publish(topics.figures, [figureBatch(rules.id, [target(nextMonth, 'on-track', 980), clinker(nextMonth, 110, 'clearly-below')])]);
    for (const rule of ['target-at-risk', 'limit-exceeded']) await until(`${rule} resolved`, announced(rule, 'resolved'));

    // The month's budget: the aggregator's first day figure of the month projects 10 tce a day, then it is restated to 1.
    const month = calendarPeriod(thisMonth, TZ);
    const dayFigure = (tce: number) => ({
      measurement: FIGURE_MEASUREMENTS.standardCoal,
      tags: { ...figureTags(rules.id, 'day'), [FIGURE_TAGS.region]: 'CN-CQ', [FIGURE_TAGS.level]: STANDARD_COAL_LEVELS.enterprise, [FIGURE_TAGS.basis]: STANDARD_COAL_BASES.equivalent },
      fields: { [FIGURE_FIELDS.value]: tce },
      timestampMs: month.start,
    });
    await pipeline.store.write([dayFigure(10)]);
    await until('budget-overrun firing', announced('budget-overrun', 'firing'));
    await pipeline.store.write([dayFigure(1)]);
    await until('budget-overrun resolved', announced('budget-overrun', 'resolved'));

    // The certificate expiring in 10 days (announced since the first tick) is renewed in the registry.
    await until('calibration-expiring firing', announced('calibration-expiring', 'firing'));
    const renewed = structuredClone(manifest);
    renewed.enterprises[0]!.sites[0]!.meteringPoints[3]!.calibration.validUntil = '2031-12-31';
    await writeFile(join(pipeline.workDir, 'registry.yaml'), stringify(renewed));
    await until('calibration-expiring resolved', announced('calibration-expiring', 'resolved'));

    // Once each, across the ticks that came since (every 5 s), whichever instance judged them.
    await new Promise((r) => setTimeout(r, 12_000));
    const perRuleAndStatus = [...distinctNotifications(receivers.rules.received).values()].map((b) => `${b.rule} ${b.status} ${b.alerts.length}`).sort();
    expect(perRuleAndStatus).toEqual(
      [
        ...['balance-gap', 'budget-overrun', 'calibration-expiring', 'consumption-threshold', 'limit-exceeded', 'low-coverage', 'suspect-counter', 'target-at-risk'].flatMap((r) => [
          `${r} firing 1`,
          `${r} resolved 1`,
        ]),
        'meter-offline firing 2',
        'meter-offline resolved 2',
      ].sort(),
    );
    expectSignedAndIdempotent(receivers.rules.received);
  });

  it('delivers every alert after its receiver was down for over 30 s; repeats carry the same idempotency key; tampered and replayed requests fail verification', async () => {
    const receiver = receivers.outage;
    await receiver.down();
    const downAt = Date.now();
    const hour = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
    // 20 points lose coverage, in 5 separate figure batches: at least 5 notifications.
    const points = pointsOf(outage);
    for (let i = 0; i < points.length; i += 4) {
      await publish(topics.figures, [figureBatch(outage.id, points.slice(i, i + 4).map(({ site, point }) => hourFigure(outage.id, site, point, hour, 50)))]);
    }
    while (Date.now() - downAt < 32_000) await new Promise((r) => setTimeout(r, 1_000));
    expect(receiver.received).toEqual([]);
    await receiver.up();
    const firing = await until('all 20 alerts after the outage', () => {
      const arrived = [...arrivedAlerts(receiver.received)].filter((k) => k.endsWith(':firing'));
      return arrived.length === points.length ? arrived : undefined;
    });
    expect(firing).toHaveLength(20);
    expectSignedAndIdempotent(receiver.received);
    expect(receiver.received.every((w) => w.receivedAtMs - downAt >= 30_000)).toBe(true);

    // A receiver following the docs refuses a changed body and an old request sent again.
    const sample = receiver.received[0]!;
    const header = (name: string) => sample.headers[name] as string;
    const check = (body: string, nowMs: number) =>
      verifyWebhook({ secret: SECRET, body, timestampHeader: header(WEBHOOK_HEADERS.timestamp), signatureHeader: header(WEBHOOK_HEADERS.signature), nowMs });
    expect(check(sample.body, sample.receivedAtMs)).toMatchObject({ ok: true });
    expect(check(sample.body.replace('"status":"firing"', '"status":"resolved"'), sample.receivedAtMs)).toEqual({ ok: false, reason: 'SIGNATURE_MISMATCH' });
    expect(check(sample.body, sample.receivedAtMs + 10 * MIN)).toEqual({ ok: false, reason: 'STALE_TIMESTAMP' });
  });

  it('loses nothing when the alerter is SIGKILLed mid-delivery and started again', async () => {
    const receiver = receivers.crash;
    receiver.failWith(503);
    const hour = Math.floor(Date.now() / HOUR) * HOUR - 4 * HOUR;
    const points = pointsOf(crash);
    for (const { site, point } of points) await publish(topics.figures, [figureBatch(crash.id, [hourFigure(crash.id, site, point, hour, 40)])]);
    // Deliveries are being tried and refused.
    await until('attempts refused', () => receiver.refused() >= 3);
    // Kill the instance delivering to this subscriber (the one whose log names it), the other keeps running.
    const delivering = await deliveringInstance('sub-crash');
    await delivering.kill();
    receiver.failWith(undefined);
    await delivering.start();
    const arrived = await until('all 10 alerts after the restart', () => {
      const keys = [...arrivedAlerts(receiver.received)].filter((k) => k.endsWith(':firing'));
      return keys.length === points.length ? keys : undefined;
    });
    expect(arrived).toHaveLength(points.length);
    expectSignedAndIdempotent(receiver.received);
    const dead = await readTopic<AlertDeliveryDeadLetterV1>(stackEnv().stack, topics.notificationsDlq);
    expect(dead).toEqual([]);
  });

  it('reports 1 000 meters falling silent at once as a few grouped notifications, within the subscriber rate limit', async () => {
    const receiver = receivers.fleet;
    const points = pointsOf(fleet);
    const all = await until('1 000 offline alerts', () => {
      const offline = receiver.received.flatMap((w) => bodyOf(w).alerts).filter((a) => a.rule === 'meter-offline' && a.status === 'firing');
      return offline.length >= points.length ? offline : undefined;
    });
    expect(new Set(all.map((a) => a.subject.point)).size).toBe(1_000);
    // Each was seen, then overdue a minute after its last reading: all at once.
    expect(new Set(all.map((a) => a.startsAt))).toEqual(new Set([new Date(fleetLastReadingMs + MIN).toISOString()]));
    expect(all.filter((a) => a.summary.includes('never seen'))).toEqual([]);
    const calls = receiver.received.filter((w) => bodyOf(w).rule === 'meter-offline');
    // 250 alerts per notification: 4 calls, not 1 000.
    expect(calls).toHaveLength(4);
    expect(distinctNotifications(calls).size).toBe(4);
    // Rate limit 6 a minute with a burst of 3: the 4th call waits for a token, 10 s after the first.
    const times = calls.map((c) => c.receivedAtMs).sort((a, b) => a - b);
    expect(times[3]! - times[0]!).toBeGreaterThanOrEqual(9_500);
    expectSignedAndIdempotent(receiver.received);
  });

  it('never announced one alert twice across the two instances: each alert opened in one notification, and both instances did work', async () => {
    const announcing = new Map<string, Set<string>>();
    for (const receiver of Object.values(receivers)) {
      for (const [key, body] of distinctNotifications(receiver.received)) {
        if (body.repeat) continue;
        for (const a of body.alerts) announcing.set(`${a.alertId}:${a.status}`, (announcing.get(`${a.alertId}:${a.status}`) ?? new Set()).add(key));
      }
    }
    expect(announcing.size).toBeGreaterThan(1_000);
    expect([...announcing].filter(([, keys]) => keys.size > 1)).toEqual([]);
    for (const a of alerters) expect(await serviceMetrics(a)).toMatch(/meterline_alerter_ticks_total\{outcome="evaluated"[^}]*\} [1-9]/);
  });
});
