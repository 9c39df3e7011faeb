import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KafkaBus } from '@meterline/bus-kafka';
import { verifyWebhook, WEBHOOK_HEADERS, DEFAULT_SIGNATURE_TOLERANCE_SECONDS, type AlertNotificationV1, type WebhookVerification } from '@meterline/contracts';
import { createTopics, freePort } from '@meterline/local-stack';
import { readDeliveries } from '@meterline/series';
import { createLogger, Registry } from '@meterline/service-kit';
import { InfluxStore } from '@meterline/store-influx';
import { UndiciWebhookSender } from '@meterline/webhook-sender-undici';
import { createDispatcher, createStoreDeliveryLog, type Dispatcher, type WebhookSubscription } from '../../src/delivery/index.ts';
import { notification } from './fixtures.ts';

interface Received {
  atMs: number;
  headers: Record<string, string>;
  body: string;
  answered: number;
  verification: WebhookVerification;
}

/**
 * A real HTTP receiver on a fixed loopback port with three states: `refusing` (nothing
 * listens: connection refused), `unavailable` (listens, answers 503) and `up` (verifies the
 * signature as docs/alert-webhooks.md says and answers 204, or 401 when it does not verify).
 */
function flakyReceiver(port: number, secrets: Map<string, string>) {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  let state: 'refusing' | 'unavailable' | 'up' = 'refusing';
  let server: Server | undefined;
  let onAccepted: (() => void) | undefined;

  return {
    received,
    accepted: () => received.filter((r) => r.answered === 204),
    async set(next: 'unavailable' | 'up') {
      state = next;
      if (server) return;
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
          const body = Buffer.concat(chunks).toString('utf8');
          const verification = verifyWebhook({
            secret: secrets.get(req.url ?? '') ?? '',
            body,
            timestampHeader: headers[WEBHOOK_HEADERS.timestamp],
            signatureHeader: headers[WEBHOOK_HEADERS.signature],
            nowMs: Date.now(),
          });
          const answered = state === 'unavailable' ? 503 : verification.ok ? 204 : 401;
          received.push({ atMs: Date.now(), headers, body, answered, verification });
          res.writeHead(answered).end();
          if (answered === 204) onAccepted?.();
        });
      });
      server.on('connection', (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, '127.0.0.1', resolve);
      });
    },
    /** Resolves once every one of `keys` was accepted at least once. */
    acceptedAll(keys: string[]): Promise<void> {
      const check = () => keys.every((k) => received.some((r) => r.answered === 204 && r.headers[WEBHOOK_HEADERS.idempotencyKey] === k));
      return new Promise((resolve) => {
        if (check()) return resolve();
        onAccepted = () => {
          if (check()) resolve();
        };
      });
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
    },
  };
}

const realSleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const DOWN_REFUSING_MS = 15_000;
const DOWN_TOTAL_MS = 32_000;

describe('dispatcher on real Kafka and real HTTP: a receiver down for more than 30 s', () => {
  const stack = inject('stack');
  const id = randomUUID();
  const topic = `alert-notifications-${id}`;
  const dlq = `alert-notifications-dlq-${id}`;
  const groupId = `dispatcher-${id}`;
  const bus = new KafkaBus({ brokers: [...stack.kafka.brokers], clientId: `dispatcher-int-${id}` });
  const database = `alerter_delivery_${id.replace(/-/g, '')}`;
  const store = new InfluxStore({ url: stack.influx.url, token: stack.influx.token, database });
  const log = createLogger('alerter-delivery-int', 'silent');
  const metrics = new Registry();
  const sender = new UndiciWebhookSender();
  const deliveryLog = createStoreDeliveryLog({ store, log, metrics });
  let receiver: ReturnType<typeof flakyReceiver>;
  let dispatcher: Dispatcher;
  let subscriptions: WebhookSubscription[];
  let notifications: AlertNotificationV1[];
  let startedAtMs = 0;
  let upAtMs = 0;
  const producers: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    await createTopics(stack.kafka.brokers, [
      { topic, partitions: 3 },
      { topic: dlq, partitions: 1 },
    ]);
    await store.influxQl(`CREATE DATABASE ${database}`);
    const port = await freePort();
    subscriptions = ['ops-chat', 'maintenance', 'am-bridge'].map((sub) => ({
      id: sub,
      enterpriseId: 'ent-1',
      url: `http://127.0.0.1:${port}/hooks/${sub}`,
      secret: `secret-${sub}-${id}`,
      format: sub === 'am-bridge' ? 'alertmanager' : 'meterline',
      rateLimit: { perMinute: 600, burst: 20 },
    }));
    receiver = flakyReceiver(port, new Map(subscriptions.map((s) => [new URL(s.url).pathname, s.secret])));
    notifications = subscriptions.flatMap((s, k) => Array.from({ length: 4 }, (_, i) => notification(s.id, k * 10 + i)));
    const deadLetterProducer = await bus.producer();
    producers.push(deadLetterProducer);
    dispatcher = createDispatcher({
      consumer: await bus.consumer({ groupId, topics: [topic], fromBeginning: true }),
      deadLetterProducer,
      deadLetterTopic: dlq,
      subscriptions: { subscription: (s) => subscriptions.find((x) => x.id === s) },
      sender,
      deliveryLog,
      log,
      metrics,
      // A window far longer than the outage: the expected span of 60 attempts is about 2 minutes.
      policy: { baseDelayMs: 500, maxDelayMs: 4_000, maxAttempts: 60, requestTimeoutMs: 2_000, heartbeatEveryMs: 1_000 },
    });
  });

  afterAll(async () => {
    await dispatcher?.close();
    for (const p of producers) await p.close();
    await sender.close();
    await deliveryLog.flush();
    await receiver?.close();
    await bus.close();
    await store.influxQl(`DROP DATABASE ${database}`);
  });

  it('delivers every notification once the receiver is back, signed, with duplicates only under the same idempotency key', async () => {
    startedAtMs = Date.now();
    await dispatcher.start();
    const producer = await bus.producer();
    producers.push(producer);
    await producer.send(topic, notifications.map((n) => ({ key: n.subscriptionId, value: Buffer.from(JSON.stringify(n)) })));

    // Down: first nothing listens (connection refused), then it answers 503; more than 30 s in all.
    await realSleep(DOWN_REFUSING_MS);
    await receiver.set('unavailable');
    await realSleep(DOWN_TOTAL_MS - (Date.now() - startedAtMs));
    upAtMs = Date.now();
    await receiver.set('up');
    expect(upAtMs - startedAtMs).toBeGreaterThanOrEqual(30_000);

    const keys = notifications.map((n) => n.notificationId);
    await receiver.acceptedAll(keys);
    while ((await bus.groupLag(groupId, [topic])) > 0) await realSleep(200);
    await dispatcher.close();

    // Retried through the outage (the refused connections are in the delivery log, below). Not
    // every subscription need have met the 503s: the Kafka adapter hands over one partition's
    // batch at a time, so a partition's batch waits while another's is being retried.
    expect(receiver.received.filter((r) => r.answered === 503).length).toBeGreaterThan(0);

    // Every notification arrived after the receiver came back, and nothing else was accepted.
    const accepted = receiver.accepted();
    expect(new Set(accepted.map((r) => r.headers[WEBHOOK_HEADERS.idempotencyKey]))).toEqual(new Set(keys));
    expect(accepted.every((r) => r.atMs >= upAtMs)).toBe(true);
    expect(receiver.received.filter((r) => r.answered === 401)).toEqual([]);

    // Every request is signed, and one key always carries one body (duplicates are copies).
    for (const r of receiver.received) expect(r.verification.ok).toBe(true);
    const bodiesByKey = new Map<string, Set<string>>();
    for (const r of receiver.received) {
      const key = r.headers[WEBHOOK_HEADERS.idempotencyKey]!;
      bodiesByKey.set(key, (bodiesByKey.get(key) ?? new Set()).add(r.body));
    }
    for (const bodies of bodiesByKey.values()) expect(bodies.size).toBe(1);
    const keyByBody = new Map([...bodiesByKey].map(([key, bodies]) => [[...bodies][0]!, key]));
    expect(keyByBody.size).toBe(keys.length);
    for (const r of receiver.received) {
      const body = JSON.parse(r.body) as { version: string; notificationId?: string; receiver?: string };
      if (body.version === 'meterline.webhook.v1') expect(body.notificationId).toBe(r.headers[WEBHOOK_HEADERS.idempotencyKey]);
      else expect(body).toMatchObject({ version: '4', receiver: 'am-bridge' });
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['user-agent']).toMatch(/^Meterline/);
    }

    // Nothing dead-lettered: a group that never committed lags by every record of the topic.
    expect(await bus.groupLag(`dlq-probe-${id}`, [dlq])).toBe(0);
  });

  it('a tampered body and a replayed request fail verification', () => {
    const [sample] = receiver.accepted();
    expect(sample).toBeDefined();
    const secret = subscriptions.find((s) => sample!.headers[WEBHOOK_HEADERS.idempotencyKey]!.startsWith(s.id))!.secret;
    const check = (body: string, nowMs: number) =>
      verifyWebhook({ secret, body, timestampHeader: sample!.headers[WEBHOOK_HEADERS.timestamp], signatureHeader: sample!.headers[WEBHOOK_HEADERS.signature], nowMs });
    expect(check(sample!.body, sample!.atMs)).toEqual({ ok: true, timestampSeconds: Number(sample!.headers[WEBHOOK_HEADERS.timestamp]) });
    expect(check(sample!.body.replace('"firing"', '"resolved"'), sample!.atMs)).toEqual({ ok: false, reason: 'SIGNATURE_MISMATCH' });
    // The same request replayed once its timestamp is older than the tolerance.
    const replayedAtMs = Number(sample!.headers[WEBHOOK_HEADERS.timestamp]) * 1000 + (DEFAULT_SIGNATURE_TOLERANCE_SECONDS + 1) * 1000;
    expect(check(sample!.body, replayedAtMs)).toEqual({ ok: false, reason: 'STALE_TIMESTAMP' });
  });

  it('logged every attempt in InfluxDB: refused connections and 503s as retrying, then one delivered per notification', async () => {
    await deliveryLog.flush();
    const attempts = await readDeliveries(store, { enterpriseId: 'ent-1', fromMs: startedAtMs - 60_000, toMs: Date.now() + 60_000 }, (row) => expect.fail(row.reason));
    const delivered = attempts.filter((a) => a.outcome === 'delivered');
    expect(new Set(delivered.map((a) => a.notificationId))).toEqual(new Set(notifications.map((n) => n.notificationId)));
    // An attempt is logged at its start: one begun just before the receiver came back may have been taken.
    expect(delivered.every((a) => a.httpStatus === 204 && a.atMs >= upAtMs - 2_000)).toBe(true);
    const retrying = attempts.filter((a) => a.outcome === 'retrying');
    expect(retrying.some((a) => a.httpStatus === undefined && /ECONNREFUSED/.test(a.error ?? ''))).toBe(true);
    expect(retrying.some((a) => a.httpStatus === 503)).toBe(true);
    expect(attempts.filter((a) => a.outcome === 'dead')).toEqual([]);
    // One point per attempt: as many as the receiver and the refused connections saw.
    const atReceiver = receiver.received.length;
    expect(attempts.length).toBeGreaterThanOrEqual(atReceiver);
    expect(attempts.filter((a) => a.httpStatus !== undefined)).toHaveLength(atReceiver);
  });
});
