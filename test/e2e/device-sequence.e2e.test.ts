// Issue 13, tamper evidence: a device's seq is tracked across the real stack. A device publishes
// payloads with a gap, an identical repeat (as a QoS 1 redelivery), a replay (a seen seq with
// other content) and a reset; the counts are read through the API, the alerter's metric and the
// alert sent to the enterprise's energy manager. The alerter is restarted half-way: what it
// knew of the device (the highest seq, the digests) must come back from the store.
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readingsTopic, type WebhookBodyV1 } from '@meterline/contracts';
import { fleetManifest, formatWithOffset } from '@meterline/simulator';
import { apiProcess } from '../harness/api-process.ts';
import { alerterProcess, alertingTopics, writeAlertingFile, type AlertingTopics } from '../harness/alerting.ts';
import { createPipeline, devicePassword, type Pipeline } from '../harness/pipeline.ts';
import { serviceMetrics } from '../harness/service-metrics.ts';
import type { ServiceProcess } from '../harness/service-process.ts';
import { stackEnv } from '../harness/stack-env.ts';
import { webhookReceiver, type WebhookReceiver } from '../harness/webhook-receiver.ts';

const SECRET = 'e2e-sequence-webhook-secret-0123';
const API_SECRET = 'e2e-sequence-admin-secret';
const manifest = fleetManifest({ enterprises: 1, devicesPerEnterprise: 2, pointsPerDevice: 1, prefix: 'seq' });
const enterprise = manifest.enterprises[0]!;
// The enterprise's other device sends nothing: it must not appear in the counts.
const device = enterprise.devices[0]!.id;
const point = enterprise.devices[0]!.meteringPoints[0]!;

let pipeline: Pipeline;
let topics: AlertingTopics;
let alertingFile: string;
let alerter: ServiceProcess;
let api: ServiceProcess;
let apiUrl: string;
let receiver: WebhookReceiver;
let meter: mqtt.MqttClient;

const alerterInstance = (name: string) => alerterProcess(stackEnv().stack, pipeline, topics, { instance: name, alertingFile, env: { MTL_TICK_SECONDS: '5' } });

beforeAll(async () => {
  const env = stackEnv();
  pipeline = await createPipeline(env, { version: 1, enterprises: [enterprise] });
  topics = await alertingTopics(env.stack, pipeline);
  receiver = await webhookReceiver(SECRET);
  alertingFile = await writeAlertingFile(pipeline, {
    version: 1,
    // Only the rule under test: the other rules would alert on this short-lived fleet too.
    defaults: {
      meterOffline: { enabled: false },
      lowCoverage: { enabled: false },
      suspectCounter: { enabled: false },
      balanceGap: { enabled: false },
      calibration: { enabled: false },
      budget: { enabled: false },
      consumptionThreshold: { enabled: false },
      deviceSequence: { windowMinutes: 60, gapGraceSeconds: 0 },
    },
    subscriptions: [{ id: 'sub-seq', enterpriseId: enterprise.id, url: receiver.url, secret: SECRET }],
  });
  ({ process: api, url: apiUrl } = await apiProcess(env.stack, pipeline, [{ id: 'seq-admin', secret: API_SECRET, role: 'admin' }]));
  alerter = await alerterInstance('seq-alerter-1');
  await pipeline.ingest.start();
  await alerter.start();
  await api.start();
  meter = await mqtt.connectAsync(env.stack.mqtt.url, { protocolVersion: 5, clientId: device, username: device, password: devicePassword(device), reconnectPeriod: 0 });
});

afterAll(async () => {
  await meter?.endAsync();
  await alerter?.stop();
  await api?.stop();
  await receiver?.close();
  await pipeline?.close();
});

let reading = 0;
/** A payload of the device: one reading, a minute after the previous one, at `value` (another value: other content). */
function payload(seq: number, value = 1_000 + seq): Buffer {
  const ts = formatWithOffset(Date.now() - 3_600_000 + ++reading * 60_000, 480);
  return Buffer.from(JSON.stringify({ v: 1, deviceId: device, seq, point, ts, quantity: 'active-energy-import', value, unit: 'kWh' }));
}

/**
 * Publishes at QoS 1 and waits until the device's count of messages reached `counted`. The
 * broker's PUBACK is not enough: ingest's connections share the device's messages, so two
 * published back to back may reach Kafka in either order, and a reset (seq 0, 1) is told from
 * a late arrival only by its order.
 */
async function publishCounted(bytes: Buffer, counted: number): Promise<SequenceCountsView[]> {
  await meter.publishAsync(readingsTopic(device), bytes, { qos: 1 });
  return countsOnceSeen(counted);
}

async function getJson(path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${apiUrl}${path}`, { headers: { authorization: `Bearer ${API_SECRET}` } });
  return { status: response.status, body: await response.json() };
}

interface SequenceCountsView {
  deviceId: string;
  messages: number;
  [count: string]: unknown;
}

/** The API's counts of the enterprise's devices, once the device's count of messages reached `messages`. */
async function countsOnceSeen(messages: number): Promise<SequenceCountsView[]> {
  for (;;) {
    const { status, body } = await getJson(`/v1/enterprises/${enterprise.id}/device-sequences`);
    expect(status).toBe(200);
    const items = (body as { items: SequenceCountsView[] }).items;
    if ((items.find((i) => i.deviceId === device)?.messages ?? 0) >= messages) return items;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The alerter's counter of sequence events of one kind, from its /metrics; 0 when absent. */
async function eventsCounted(service: ServiceProcess, kind: string): Promise<number> {
  const text = await serviceMetrics(service);
  const line = text.split('\n').find((l) => l.startsWith('meterline_device_sequence_events_total{') && l.includes(`kind="${kind}"`));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** The first notification of a firing device-sequence alert the receiver got. */
async function firingNotification(): Promise<WebhookBodyV1> {
  for (;;) {
    const found = receiver.received.map((w) => JSON.parse(w.body) as WebhookBodyV1).find((b) => b.rule === 'device-sequence' && b.status === 'firing');
    if (found) return found;
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('device sequence: gaps, replays and resets tracked per device (issue 13)', () => {
  it('counts them in the API, across an alerter restart, and in the metric, and raises an alert to the energy manager', async () => {
    // A device that has counted for a while.
    await publishCounted(payload(1001), 1);
    await publishCounted(payload(1002), 2);
    // 1003 and 1004 never arrive: a gap of two.
    const gapped = payload(1005);
    expect(await publishCounted(gapped, 3)).toEqual([
      { deviceId: device, lastSeq: 1005, lastAt: expect.any(String) as unknown, messages: 3, duplicates: 0, gaps: 1, lost: 2, late: 0, missing: 2, replays: 0, resets: 0 },
    ]);
    // The gap alone raises the alert (no grace in this file's rule), sent to the energy manager's webhook.
    const firing = await firingNotification();
    expect(firing.alerts.map((a) => [a.subject, a.status])).toEqual([[{ device }, 'firing']]);
    expect(firing.alerts[0]!.summary).toContain('2 missing');
    expect(receiver.received.every((w) => w.verification.ok)).toBe(true);

    // A new alerter: it must know seq 1005 and its bytes from the store, not take the device as new.
    await alerter.stop();
    alerter = await alerterInstance('seq-alerter-2');
    await alerter.start();

    // The same bytes again, as a QoS 1 redelivery would bring them: no anomaly.
    await publishCounted(gapped, 4);
    // Seq 1005 with other content: a replay.
    await publishCounted(payload(1005, 999_999), 5);
    await publishCounted(payload(1006), 6);
    // The device counts again from 0: a reset, then on in order.
    await publishCounted(payload(0), 7);
    const counts = await publishCounted(payload(1), 8);
    expect(counts).toEqual([
      // After the reset the old run's missing seqs stay lost, and no longer missing from the new run.
      { deviceId: device, lastSeq: 1, lastAt: expect.any(String) as unknown, messages: 8, duplicates: 1, gaps: 1, lost: 2, late: 0, missing: 0, replays: 1, resets: 1 },
    ]);

    // The second instance saw the five messages after its start, none of them as a first message.
    expect(await eventsCounted(alerter, 'duplicate')).toBe(1);
    expect(await eventsCounted(alerter, 'replay')).toBe(1);
    expect(await eventsCounted(alerter, 'reset')).toBe(1);
    expect(await eventsCounted(alerter, 'in-order')).toBe(2);
    expect(await eventsCounted(alerter, 'first')).toBe(0);
    expect(await eventsCounted(alerter, 'gap')).toBe(0);

    // One device's events, through the API: the gap, the replay and the reset, oldest first.
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const events = await getJson(`/v1/enterprises/${enterprise.id}/device-sequences/${device}/events?from=${from}&to=${to}`);
    expect(events.status).toBe(200);
    expect((events.body as { items: { kind: string; seq: number }[] }).items.map((e) => [e.kind, e.seq])).toEqual([
      ['gap', 1005],
      ['replay', 1005],
      ['reset', 0],
    ]);

    // The alert stays open while the replay and the reset are within the rule's window.
    const alerts = await getJson(`/v1/enterprises/${enterprise.id}/alerts?rule=device-sequence`);
    expect((alerts.body as { items: { subject: object; status: string }[] }).items.map((a) => [a.subject, a.status])).toEqual([[{ device }, 'firing']]);
  });
});
