import { describe, expect, it } from 'vitest';
import { InMemoryBus, type BusConsumer, type BatchHandler, type BusProducer, type ConsumedBatch } from '@meterline/bus';
import { compileValidator, verifyWebhook, WebhookBodyV1, WEBHOOK_HEADERS, type AlertNotificationV1 } from '@meterline/contracts';
import { readDeliveries } from '@meterline/series';
import { createLogger, Registry } from '@meterline/service-kit';
import { InMemoryStore } from '@meterline/store';
import { InMemoryWebhookSender, type RecordedRequest, type ScriptedReply } from '@meterline/webhook-sender';
import { createDispatcher, createStoreDeliveryLog, DeliveryAbandonedError } from '../../src/delivery/index.ts';
import { DLQ, notification, NOTIFICATIONS, seededRandom, setup, subscription, T0 } from './fixtures.ts';
import { VirtualClock } from './virtual-clock.ts';

const ok: ScriptedReply = { status: 200 };
const unavailable: ScriptedReply = { status: 503, body: 'maintenance' };
const header = (r: RecordedRequest, name: string) => r.headers[name];
const verify = (r: RecordedRequest, secret: string, nowMs = r.atMs) =>
  verifyWebhook({ secret, body: r.body, timestampHeader: header(r, WEBHOOK_HEADERS.timestamp), signatureHeader: header(r, WEBHOOK_HEADERS.signature), nowMs });
const idOf = (r: RecordedRequest) => header(r, WEBHOOK_HEADERS.idempotencyKey);
const gaps = (requests: RecordedRequest[]) => requests.slice(1).map((r, i) => r.atMs - requests[i]!.atMs);
const everything = { fromMs: 0, toMs: Number.MAX_SAFE_INTEGER };

describe('dispatcher: a delivered notification', () => {
  it('POSTs the Meterline body, signed, with the idempotency key, content type and user agent; commits; logs the attempt', async () => {
    const t = setup({ respond: () => ok });
    const n = notification('sub-a', 1);
    await t.dispatcher.start();
    await t.publish([n]);
    await t.committed();
    await t.dispatcher.close();
    await t.deliveryLog.flush();

    expect(t.sender.requests).toHaveLength(1);
    const [request] = t.sender.requests;
    expect(request!.url).toBe('https://hooks.example.com/sub-a');
    expect(request!.timeoutMs).toBe(10_000);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['user-agent']).toMatch(/^Meterline/);
    expect(idOf(request!)).toBe(n.notificationId);
    expect(header(request!, WEBHOOK_HEADERS.timestamp)).toBe(String(T0 / 1000));
    expect(verify(request!, 'secret-of-sub-a')).toEqual({ ok: true, timestampSeconds: T0 / 1000 });
    expect(verify(request!, 'another-secret')).toEqual({ ok: false, reason: 'SIGNATURE_MISMATCH' });

    const body = JSON.parse(request!.body) as unknown;
    expect(compileValidator(WebhookBodyV1).validate(body).ok).toBe(true);
    expect(body).toEqual({
      version: 'meterline.webhook.v1',
      notificationId: n.notificationId,
      enterpriseId: 'ent-1',
      rule: 'meter-offline',
      status: 'firing',
      groupKey: 'ent-1/meter-offline',
      repeat: false,
      createdAt: n.createdAt,
      alerts: n.alerts,
    });

    expect(t.deadLetters()).toEqual([]);
    expect(await readDeliveries(t.store, { enterpriseId: 'ent-1', ...everything }, (row) => expect.fail(row.reason))).toEqual([
      { enterpriseId: 'ent-1', subscriptionId: 'sub-a', notificationId: n.notificationId, rule: 'meter-offline', status: 'firing', attempt: 1, outcome: 'delivered', atMs: T0, durationMs: 0, httpStatus: 200, alerts: 1 },
    ]);
    expect(await t.metric('meterline_alerter_webhook_attempts_total', { outcome: 'delivered' })).toBe(1);
    expect(await t.metric('meterline_alerter_webhook_delivery_seconds')).toBe(1);
  });

  it('sends the Alertmanager webhook format to a subscription that asks for it', async () => {
    const t = setup({ respond: () => ok, subscriptions: [subscription('am', { format: 'alertmanager' })] });
    const resolvedAt = new Date(T0 - 60_000).toISOString();
    const n = notification('am', 1, {
      status: 'resolved',
      alerts: [
        { ...notification('am', 1).alerts[0]!, status: 'resolved', endsAt: resolvedAt },
        { ...notification('am', 2).alerts[0]!, status: 'resolved', endsAt: resolvedAt },
      ],
    });
    await t.dispatcher.start();
    await t.publish([n]);
    await t.committed();
    await t.dispatcher.close();

    const [request] = t.sender.requests;
    expect(verify(request!, 'secret-of-am').ok).toBe(true);
    const body = JSON.parse(request!.body) as Record<string, unknown>;
    expect(body).toEqual({
      version: '4',
      groupKey: '{}:{alertname="meter-offline", enterprise="ent-1"}',
      truncatedAlerts: 0,
      status: 'resolved',
      receiver: 'am',
      groupLabels: { alertname: 'meter-offline', enterprise: 'ent-1' },
      commonLabels: { alertname: 'meter-offline', enterprise: 'ent-1', severity: 'critical', site: 'site-1' },
      commonAnnotations: { threshold: '30', unit: 'min', value: '60' },
      externalURL: '',
      alerts: [1, 2].map((i) => ({
        status: 'resolved',
        labels: { alertname: 'meter-offline', enterprise: 'ent-1', severity: 'critical', site: 'site-1', point: `mp-${i}` },
        annotations: { summary: `No reading from mp-${i} for 60 min`, alert_id: `alert-${i}`, dedup_key: `ent-1/meter-offline/point=mp-${i},site=site-1`, value: '60', threshold: '30', unit: 'min' },
        startsAt: new Date(T0 - 3_600_000).toISOString(),
        endsAt: resolvedAt,
        generatorURL: '',
        fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) as unknown,
      })),
    });
    const [first, second] = body['alerts'] as { fingerprint: string }[];
    expect(first!.fingerprint).not.toBe(second!.fingerprint);
  });

  it('gives a firing alert Alertmanager\'s zero endsAt, and lets no subject member override the identifying labels', async () => {
    const t = setup({ respond: () => ok, subscriptions: [subscription('am', { format: 'alertmanager' })] });
    const firing = notification('am', 1);
    firing.alerts[0]!.subject = { severity: 'low', alertname: 'x', node: 'n-1' };
    await t.dispatcher.start();
    await t.publish([firing]);
    await t.committed();
    await t.dispatcher.close();
    const body = JSON.parse(t.sender.requests[0]!.body) as { alerts: { endsAt: string; labels: Record<string, string> }[] };
    expect(body.alerts[0]!.endsAt).toBe('0001-01-01T00:00:00Z');
    expect(body.alerts[0]!.labels).toEqual({ alertname: 'meter-offline', enterprise: 'ent-1', severity: 'critical', node: 'n-1' });
  });

  it('signs with both secrets while one is rotated', async () => {
    const t = setup({ respond: () => ok, subscriptions: [subscription('sub-a', { secret: 'new-secret', previousSecret: 'old-secret' })] });
    await t.dispatcher.start();
    await t.publish([notification('sub-a', 1)]);
    await t.committed();
    await t.dispatcher.close();
    const [request] = t.sender.requests;
    expect(header(request!, WEBHOOK_HEADERS.signature)).toMatch(/^v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(verify(request!, 'new-secret').ok).toBe(true);
    expect(verify(request!, 'old-secret').ok).toBe(true);
  });
});

describe('dispatcher: retries', () => {
  it('retries a failing receiver with the same body and key, signing each attempt anew, until it takes it', async () => {
    const t = setup({ respond: (_r, i) => (i < 3 ? unavailable : i === 3 ? { fail: 'reset' } : ok) });
    const n = notification('sub-a', 1);
    await t.dispatcher.start();
    await t.publish([n]);
    await t.committed();
    await t.dispatcher.close();
    await t.deliveryLog.flush();

    const requests = t.sender.requests;
    expect(requests).toHaveLength(5);
    expect(new Set(requests.map((r) => r.body)).size).toBe(1);
    expect(requests.map(idOf)).toEqual(Array(5).fill(n.notificationId));
    for (const r of requests) expect(verify(r, 'secret-of-sub-a').ok).toBe(true);
    // Each attempt is signed at its own time: the timestamps move with the retries.
    const stamps = requests.map((r) => Number(header(r, WEBHOOK_HEADERS.timestamp)));
    expect(stamps).toEqual(requests.map((r) => Math.floor(r.atMs / 1000)));
    expect(new Set(stamps).size).toBeGreaterThan(1);

    const log = await readDeliveries(t.store, { enterpriseId: 'ent-1', subscriptionId: 'sub-a', ...everything }, (row) => expect.fail(row.reason));
    expect(log.map((a) => [a.attempt, a.outcome, a.httpStatus])).toEqual([
      [1, 'retrying', 503],
      [2, 'retrying', 503],
      [3, 'retrying', 503],
      [4, 'retrying', undefined],
      [5, 'delivered', 200],
    ]);
    expect(log[0]!.error).toBe('HTTP 503: maintenance');
    expect(log[3]!.error).toMatch(/ECONNRESET/);
    expect(log.map((a) => a.atMs)).toEqual(requests.map((r) => r.atMs));
    expect(t.deadLetters()).toEqual([]);
    expect(await t.metric('meterline_alerter_webhook_attempts_total', { outcome: 'retrying' })).toBe(4);
  });

  it('waits between attempts by exponential backoff with full jitter: each wait within [0, min(cap, base·2^(n-1))]', async () => {
    const policy = { baseDelayMs: 1_000, maxDelayMs: 16_000, maxAttempts: 9 };
    const ceilings = [1_000, 2_000, 4_000, 8_000, 16_000, 16_000, 16_000, 16_000];
    for (const seed of [1, 2, 3, 4, 5]) {
      const t = setup({ respond: () => unavailable, policy, random: seededRandom(seed) });
      await t.dispatcher.start();
      await t.publish([notification('sub-a', 1)]);
      await t.committed();
      await t.dispatcher.close();
      const waits = gaps(t.sender.requests);
      expect(waits).toHaveLength(8);
      waits.forEach((w, i) => {
        expect(w).toBeGreaterThanOrEqual(0);
        expect(w).toBeLessThanOrEqual(ceilings[i]!);
      });
    }
    // The bounds are reached: the largest random number waits the whole ceiling, the smallest not at all.
    const highest = setup({ respond: () => unavailable, policy, random: () => 1 - 2 ** -52 });
    const lowest = setup({ respond: () => unavailable, policy, random: () => 0 });
    for (const t of [highest, lowest]) {
      await t.dispatcher.start();
      await t.publish([notification('sub-a', 1)]);
      await t.committed();
      await t.dispatcher.close();
    }
    expect(gaps(highest.sender.requests)).toEqual(ceilings);
    expect(gaps(lowest.sender.requests)).toEqual(Array(8).fill(0));
  });

  it('dead-letters ATTEMPTS_EXHAUSTED after the last attempt, with the notification, then commits', async () => {
    const t = setup({ respond: () => unavailable, policy: { maxAttempts: 4 } });
    const n = notification('sub-a', 1);
    await t.dispatcher.start();
    await t.publish([n, notification('sub-a', 2)]);
    await t.committed();
    await t.dispatcher.close();
    await t.deliveryLog.flush();

    expect(t.sender.requests.map(idOf)).toEqual([...Array<string>(4).fill('sub-a-n1'), ...Array<string>(4).fill('sub-a-n2')]);
    const letters = t.deadLetters();
    expect(letters.map((l) => l.letter.reason)).toEqual(['ATTEMPTS_EXHAUSTED', 'ATTEMPTS_EXHAUSTED']);
    expect(letters[0]).toEqual({
      key: 'sub-a',
      headers: { schema: 'meterline.alert-delivery-dead-letter.v1', reason: 'ATTEMPTS_EXHAUSTED' },
      letter: { v: 1, reason: 'ATTEMPTS_EXHAUSTED', detail: 'attempt 4: HTTP 503: maintenance', attempts: 4, deadAt: expect.any(String) as unknown, notification: n },
    });
    const log = await readDeliveries(t.store, { enterpriseId: 'ent-1', ...everything }, (row) => expect.fail(row.reason));
    expect(log.filter((a) => a.notificationId === 'sub-a-n1').map((a) => a.outcome)).toEqual(['retrying', 'retrying', 'retrying', 'dead']);
    expect(await t.metric('meterline_alerter_webhook_dead_letters_total', { reason: 'ATTEMPTS_EXHAUSTED' })).toBe(2);
  });

  it('honours Retry-After as the least wait, up to maxRetryAfterMs', async () => {
    const t = setup({
      respond: (_r, i) => (i === 0 ? { status: 429, headers: { 'retry-after': '30' } } : i === 1 ? { status: 503, headers: { 'retry-after': '86400' } } : ok),
      policy: { baseDelayMs: 1_000, maxRetryAfterMs: 120_000 },
      random: () => 0,
    });
    await t.dispatcher.start();
    await t.publish([notification('sub-a', 1)]);
    await t.committed();
    await t.dispatcher.close();
    expect(gaps(t.sender.requests)).toEqual([30_000, 120_000]);
  });

  it.each([
    [{ status: 400, body: 'unknown field' }, /^attempt 1: HTTP 400: unknown field$/],
    [{ status: 410 }, /^attempt 1: HTTP 410$/],
    [{ status: 302, headers: { location: 'https://elsewhere.example.com/' } }, /HTTP 302.*redirects are not followed/],
  ] as [ScriptedReply, RegExp][])('dead-letters REJECTED after one attempt when the receiver refuses for good (%o)', async (reply, detail) => {
    const t = setup({ respond: () => reply });
    await t.dispatcher.start();
    await t.publish([notification('sub-a', 1)]);
    await t.committed();
    await t.dispatcher.close();
    await t.deliveryLog.flush();
    expect(t.sender.requests).toHaveLength(1);
    const [dead] = t.deadLetters();
    expect(dead!.letter).toMatchObject({ reason: 'REJECTED', attempts: 1 });
    expect(dead!.letter.detail).toMatch(detail);
    const log = await readDeliveries(t.store, { enterpriseId: 'ent-1', ...everything }, (row) => expect.fail(row.reason));
    expect(log.map((a) => a.outcome)).toEqual(['dead']);
  });
});

describe('dispatcher: subscriptions', () => {
  it('dead-letters SUBSCRIPTION_UNKNOWN without a request: not configured, another enterprise\'s, or unusable', async () => {
    const t = setup({
      respond: () => ok,
      subscriptions: [subscription('other', { enterpriseId: 'ent-2' }), subscription('unsigned', { secret: '' }), subscription('sub-a')],
    });
    await t.dispatcher.start();
    await t.publish([notification('gone', 1), notification('other', 1), notification('unsigned', 1), notification('sub-a', 1)]);
    await t.committed();
    await t.dispatcher.close();
    await t.deliveryLog.flush();
    expect(t.sender.requests.map(idOf)).toEqual(['sub-a-n1']);
    const letters = t.deadLetters().sort((a, b) => String(a.key).localeCompare(String(b.key)));
    expect(letters.map((l) => [l.key, l.letter.reason, l.letter.attempts])).toEqual([
      ['gone', 'SUBSCRIPTION_UNKNOWN', 0],
      ['other', 'SUBSCRIPTION_UNKNOWN', 0],
      ['unsigned', 'SUBSCRIPTION_UNKNOWN', 0],
    ]);
    expect(letters.map((l) => l.letter.detail)).toEqual([
      'subscription gone is not configured',
      'subscription other belongs to another enterprise than ent-1',
      'subscription unsigned has no secret (webhooks are never sent unsigned)',
    ]);
    const log = await readDeliveries(t.store, { enterpriseId: 'ent-1', subscriptionId: 'gone', ...everything }, (row) => expect.fail(row.reason));
    expect(log).toMatchObject([{ attempt: 0, outcome: 'dead', error: 'SUBSCRIPTION_UNKNOWN: subscription gone is not configured' }]);
  });
});

describe('dispatcher: rate limit', () => {
  it('spaces 20 notifications to a subscription with perMinute 6 and burst 2 by the bucket: 2 at once, then one every 10 s, none dropped', async () => {
    const t = setup({ respond: () => ok, subscriptions: [subscription('sub-a', { rateLimit: { perMinute: 6, burst: 2 } })] });
    const sent = Array.from({ length: 20 }, (_, i) => notification('sub-a', i));
    await t.dispatcher.start();
    await t.publish(sent);
    await t.committed();
    await t.dispatcher.close();
    const requests = t.sender.requests;
    expect(requests.map(idOf)).toEqual(sent.map((n) => n.notificationId));
    expect(requests.map((r) => r.atMs - T0)).toEqual([0, 0, ...Array.from({ length: 18 }, (_, i) => (i + 1) * 10_000)]);
    expect(await t.metric('meterline_alerter_webhook_rate_limit_waits_total')).toBe(18);
    expect(await t.metric('meterline_alerter_webhook_rate_limit_wait_seconds_total')).toBe(180);
    expect(t.deadLetters()).toEqual([]);
  });

  it('counts retries against the same bucket', async () => {
    const t = setup({ respond: (_r, i) => (i < 2 ? unavailable : ok), subscriptions: [subscription('sub-a', { rateLimit: { perMinute: 60, burst: 1 } })], random: () => 0 });
    await t.dispatcher.start();
    await t.publish([notification('sub-a', 1)]);
    await t.committed();
    await t.dispatcher.close();
    // Backoff would retry at once (random 0); the bucket holds each retry back a second.
    expect(gaps(t.sender.requests)).toEqual([1_000, 1_000]);
  });
});

describe('dispatcher: order and concurrency', () => {
  it('keeps one subscription\'s notifications in order while another subscription\'s go on concurrently', async () => {
    // Every record under one key, so they share a partition and a batch.
    const t = setup({
      respond: (r) => (r.url.endsWith('/slow') && t.sender.requests.filter((x) => idOf(x) === idOf(r)).length <= 3 ? unavailable : ok),
      subscriptions: [subscription('slow'), subscription('fast')],
    });
    const slow = Array.from({ length: 5 }, (_, i) => notification('slow', i));
    const fast = Array.from({ length: 5 }, (_, i) => notification('fast', i));
    await t.dispatcher.start();
    await t.publish(slow.flatMap((s, i) => [s, fast[i]!]), 'ent-1');
    await t.committed();
    await t.dispatcher.close();

    const delivered = (prefix: string) => t.sender.requests.filter((r, i) => r.url.endsWith(prefix) && (prefix === '/fast' || t.sender.requests.slice(i + 1).every((x) => idOf(x) !== idOf(r))));
    expect(delivered('/slow').map(idOf)).toEqual(slow.map((n) => n.notificationId));
    expect(delivered('/fast').map(idOf)).toEqual(fast.map((n) => n.notificationId));
    // The fast subscriber had everything at the start, while the slow one was still retrying its first.
    expect(delivered('/fast').every((r) => r.atMs === T0)).toBe(true);
    const slowFirstDone = delivered('/slow')[0]!.atMs;
    expect(slowFirstDone).toBeGreaterThan(T0);
  });
});

describe('dispatcher: unreadable records', () => {
  it('dead-letters a record that is not JSON or not a notification, as its bytes with its offset and key, and goes on', async () => {
    const t = setup({ respond: () => ok });
    await t.dispatcher.start();
    const invalid = { ...notification('sub-a', 9), rule: 'no-such-rule' };
    await t.bus.producer().send(NOTIFICATIONS, [
      { key: 'sub-a', value: Buffer.from('{"v":1,') },
      { key: 'sub-a', value: Buffer.from(JSON.stringify(invalid)) },
      { key: 'sub-a', value: Buffer.from(JSON.stringify(notification('sub-a', 1))) },
    ]);
    await t.committed();
    await t.dispatcher.close();
    expect(t.sender.requests.map(idOf)).toEqual(['sub-a-n1']);
    const letters = t.deadLetters();
    expect(letters).toHaveLength(2);
    const [notJson, notNotification] = letters;
    expect(notJson!.key).toBe('sub-a');
    expect(notJson!.letter).toMatchObject({ v: 1, reason: 'NOTIFICATION_UNREADABLE', attempts: 0, payloadBase64: Buffer.from('{"v":1,').toString('base64') });
    expect(notJson!.letter.detail).toMatch(/^not JSON/);
    expect(notJson!.letter).toHaveProperty('source', expect.stringMatching(new RegExp(`^${NOTIFICATIONS}/\\d/0$`)) as unknown);
    expect(notNotification!.letter).toMatchObject({ reason: 'NOTIFICATION_UNREADABLE', source: expect.stringMatching(/\/1$/) as unknown });
    expect(notNotification!.letter.detail).toMatch(/^does not match meterline\.alert-notification\.v1: \/rule/);
    expect(Buffer.from((notNotification!.letter as { payloadBase64: string }).payloadBase64, 'base64').toString()).toBe(JSON.stringify(invalid));
    expect(await t.metric('meterline_alerter_webhook_dead_letters_total', { reason: 'NOTIFICATION_UNREADABLE' })).toBe(2);
  });

  it('keeps producing a dead letter the bus refuses, without sending the webhook again', async () => {
    const bus = new InMemoryBus();
    let refusals = 0;
    const flaky: BusProducer = {
      send: async (topic, messages) => {
        if (refusals++ < 3) throw new Error('not enough in-sync replicas');
        await bus.producer().send(topic, messages);
      },
      close: () => Promise.resolve(),
    };
    const t = setup({ bus, respond: () => ({ status: 404 }), deadLetterProducer: flaky });
    await t.dispatcher.start();
    await t.publish([notification('sub-a', 1)]);
    await t.committed();
    await t.dispatcher.close();
    expect(t.sender.requests).toHaveLength(1);
    expect(t.deadLetters().map((l) => l.letter.reason)).toEqual(['REJECTED']);
    expect(refusals).toBe(4);
  });
});

describe('dispatcher: handing a batch back', () => {
  it('closing mid-backoff stops waiting at once, leaves the batch uncommitted, and the next dispatcher delivers it', async () => {
    const bus = new InMemoryBus();
    const clock = new VirtualClock(T0, false);
    const first = setup({ bus, clock, respond: () => unavailable });
    await first.dispatcher.start();
    await first.publish([notification('sub-a', 1)]);
    await first.sender.waitForRequests(1);
    await clock.waitForSleepers(1);
    await first.dispatcher.close();
    expect(await first.lag()).toBe(1);
    expect(bus.messagesOf(DLQ)).toHaveLength(0);
    expect(first.sender.requests).toHaveLength(1);
    expect(await first.metric('meterline_alerter_webhook_batches_abandoned_total')).toBe(1);

    const second = setup({ bus, respond: () => ok });
    await second.dispatcher.start();
    await second.committed();
    await second.dispatcher.close();
    expect(second.sender.requests.map(idOf)).toEqual(['sub-a-n1']);
    expect(second.sender.requests[0]!.body).toBe(first.sender.requests[0]!.body);
    expect(bus.messagesOf(DLQ)).toHaveLength(0);
  });

  it('closing while waiting for the rate limit hands the batch back too', async () => {
    const bus = new InMemoryBus();
    const clock = new VirtualClock(T0, false);
    const t = setup({ bus, clock, respond: () => ok, subscriptions: [subscription('sub-a', { rateLimit: { perMinute: 1, burst: 1 } })] });
    await t.dispatcher.start();
    await t.publish([notification('sub-a', 1), notification('sub-a', 2)]);
    await clock.waitForSleepers(1);
    await t.dispatcher.close();
    expect(t.sender.requests.map(idOf)).toEqual(['sub-a-n1']);
    expect(await t.lag()).toBe(2);
  });
});

/** Our own consumer interface, driven by hand: the test owns the batch (isActive, heartbeat). */
function handDrivenConsumer() {
  let handler: BatchHandler | undefined;
  const consumer: BusConsumer = {
    start: (h) => { handler = h; return Promise.resolve(); },
    close: () => Promise.resolve(),
    lag: () => Promise.resolve(-1),
    lastHeardAt: () => undefined,
  };
  return { consumer, run: (batch: ConsumedBatch) => handler!(batch) };
}

function handBatch(notifications: AlertNotificationV1[]) {
  const state = { active: true, heartbeats: 0 };
  const batch: ConsumedBatch = {
    topic: NOTIFICATIONS,
    partition: 0,
    messages: notifications.map((n, i) => ({ key: n.subscriptionId, value: Buffer.from(JSON.stringify(n)), offset: String(i), timestamp: T0 })),
    heartbeat: () => { state.heartbeats++; return Promise.resolve(); },
    isActive: () => state.active,
  };
  return { batch, state };
}

function handDispatcher(respond: (r: RecordedRequest) => ScriptedReply, clock: VirtualClock) {
  const driven = handDrivenConsumer();
  const bus = new InMemoryBus();
  const sender = new InMemoryWebhookSender({ respond, now: clock.now });
  const metrics = new Registry();
  const log = createLogger('alerter-delivery-test', 'silent');
  const dispatcher = createDispatcher({
    consumer: driven.consumer,
    deadLetterProducer: bus.producer(),
    deadLetterTopic: DLQ,
    subscriptions: { subscription: (id) => subscription(id) },
    sender,
    deliveryLog: createStoreDeliveryLog({ store: new InMemoryStore(), log, metrics }),
    log,
    metrics,
    policy: { baseDelayMs: 60_000, maxDelayMs: 60_000, heartbeatEveryMs: 3_000 },
    clock,
    random: () => 1 - 2 ** -52,
  });
  return { dispatcher, sender, run: driven.run };
}

describe('dispatcher: holding a batch while waiting', () => {
  it('heartbeats through a backoff, and gives the batch up as soon as it is no longer active', async () => {
    const clock = new VirtualClock(T0, false);
    const { dispatcher, sender, run } = handDispatcher(() => unavailable, clock);
    await dispatcher.start();
    const { batch, state } = handBatch([notification('sub-a', 1)]);
    const handled = run(batch);
    await clock.waitForSleepers(1);
    for (let i = 0; i < 5; i++) {
      clock.advance(3_000);
      await clock.waitForSleepers(1);
    }
    expect(state.heartbeats).toBe(5);
    state.active = false;
    clock.advance(3_000);
    await expect(handled).rejects.toBeInstanceOf(DeliveryAbandonedError);
    expect(sender.requests).toHaveLength(1);
  });

  it('does not send again what a handed-back batch had delivered when the batch comes again', async () => {
    const clock = new VirtualClock(T0, false);
    let slowUp = false;
    const { dispatcher, sender, run } = handDispatcher((r) => (r.url.endsWith('/slow') && !slowUp ? unavailable : ok), clock);
    await dispatcher.start();
    const notifications = [notification('fast', 1), notification('slow', 1), notification('fast', 2)];
    const first = handBatch(notifications);
    const handled = run(first.batch);
    await sender.waitForRequests(3);
    await clock.waitForSleepers(1);
    first.state.active = false;
    clock.advance(3_000);
    await expect(handled).rejects.toBeInstanceOf(DeliveryAbandonedError);
    expect(sender.requests.map(idOf)).toEqual(['fast-n1', 'slow-n1', 'fast-n2']);

    slowUp = true;
    await run(handBatch(notifications).batch);
    expect(sender.requests.map(idOf)).toEqual(['fast-n1', 'slow-n1', 'fast-n2', 'slow-n1']);
  });
});
