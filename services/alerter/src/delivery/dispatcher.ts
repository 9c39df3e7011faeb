import type { BusConsumer, BusProducer, ConsumedBatch, ConsumedMessage } from '@meterline/bus';
import { alertDeliveryDeadLetterCodec, alertNotificationCodec, type AlertDeliveryDeadLetterV1, type AlertNotificationV1, type DecodedRecord, type DeliveryFailureReason } from '@meterline/contracts';
import type { DeliveryAttempt } from '@meterline/series';
import type { Logger, Registry } from '@meterline/service-kit';
import type { WebhookSender } from '@meterline/webhook-sender';
import type { DeliveryLog } from './delivery-log.ts';
import { createDeliveryMetrics } from './delivery-metrics.ts';
import { ensureHeld, holdBatchFor, systemClock, type Clock } from './hold.ts';
import { deliveryPolicy, retryDelayMs, type DeliveryPolicy } from './retry-policy.ts';
import type { SubscriptionDirectory, WebhookSubscription } from './subscription.ts';
import { TokenBucket } from './token-bucket.ts';
import { renderWebhookBody, WEBHOOK_USER_AGENT, webhookHeaders } from './webhook-request.ts';

export interface DispatcherDeps {
  /** Reads the notifications topic (AlertNotificationV1, keyed by subscription). */
  consumer: BusConsumer;
  /** Takes dead letters (AlertDeliveryDeadLetterV1, keyed by subscription). */
  deadLetterProducer: BusProducer;
  deadLetterTopic: string;
  subscriptions: SubscriptionDirectory;
  sender: WebhookSender;
  deliveryLog: DeliveryLog;
  log: Logger;
  metrics: Registry;
  /** Retry schedule and deadlines; unset members take DEFAULT_DELIVERY_POLICY's. */
  policy?: Partial<DeliveryPolicy>;
  /** Alertmanager-format bodies: their externalURL and each alert's generatorURL ('' when unset). */
  externalUrl?: string;
  userAgent?: string;
  /** Time and waiting; tests pass a virtual clock to run the retry schedule without waiting. */
  clock?: Clock;
  /** Uniform in [0, 1): the retry jitter. */
  random?: () => number;
}

export interface Dispatcher {
  start(): Promise<void>;
  /**
   * Stops waiting at once (backoff, rate limit), lets a request in flight finish (at most
   * the request timeout), hands the undelivered rest of the batch back uncommitted, and closes
   * the consumer. The producer, sender and delivery log are the caller's to close after it.
   */
  close(): Promise<void>;
}

/** Handled offsets of batches not yet committed, kept so a batch that comes again skips them. */
const MAX_REMEMBERED_OFFSETS = 100_000;

interface Item {
  message: ConsumedMessage;
  /** topic/partition/offset */
  source: string;
  decoded: DecodedRecord<AlertNotificationV1>;
}

/** The notification's subscription when it can be delivered to, or why not. */
function usableSubscription(n: AlertNotificationV1, subscription: WebhookSubscription | undefined): { ok: true; subscription: WebhookSubscription } | { ok: false; detail: string } {
  const id = n.subscriptionId;
  if (!subscription) return { ok: false, detail: `subscription ${id} is not configured` };
  // A record naming another enterprise's subscription must not send that enterprise's alerts there.
  if (subscription.enterpriseId !== n.enterpriseId) return { ok: false, detail: `subscription ${id} belongs to another enterprise than ${n.enterpriseId}` };
  if (!subscription.secret) return { ok: false, detail: `subscription ${id} has no secret (webhooks are never sent unsigned)` };
  const { perMinute, burst } = subscription.rateLimit;
  if (!(perMinute > 0 && Number.isFinite(perMinute)) || !(burst >= 1 && Number.isFinite(burst))) {
    return { ok: false, detail: `subscription ${id} has an invalid rate limit (perMinute ${perMinute}, burst ${burst})` };
  }
  return { ok: true, subscription };
}

/**
 * Delivers alert notifications to their subscribers' webhooks.
 *
 * A batch's notifications are grouped by subscription: the groups proceed concurrently, the
 * notifications of one group in order. Each notification is signed anew per attempt over
 * the same body, rate-limited per subscription (waiting for a token, never dropping) and
 * retried with exponential backoff and full jitter; a refusal, the last failed attempt or an
 * unknown subscription dead-letters it. The batch is committed only when every notification
 * in it is delivered or dead-lettered: one that cannot finish (closing, partition lost) hands
 * the batch back, and it comes again — receivers dedup by the idempotency key.
 */
export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const policy = deliveryPolicy(deps.policy);
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? Math.random;
  const userAgent = deps.userAgent ?? WEBHOOK_USER_AGENT;
  const externalUrl = deps.externalUrl ?? '';
  const metrics = createDeliveryMetrics(deps.metrics);
  const log = deps.log;
  const closing = new AbortController();
  const buckets = new Map<string, TokenBucket>();
  const handled = new Set<string>();

  const record = (attempt: DeliveryAttempt) => {
    try {
      deps.deliveryLog.record(attempt);
    } catch (error) {
      metrics.deliveryLogErrors.inc();
      log.error({ err: error, notificationId: attempt.notificationId }, 'delivery log refused an attempt; delivery goes on');
    }
  };

  const attemptOf = (n: AlertNotificationV1, rest: Pick<DeliveryAttempt, 'attempt' | 'outcome' | 'atMs' | 'durationMs'> & Partial<DeliveryAttempt>): DeliveryAttempt => ({
    enterpriseId: n.enterpriseId,
    subscriptionId: n.subscriptionId,
    notificationId: n.notificationId,
    rule: n.rule,
    status: n.status,
    alerts: n.alerts.length,
    ...rest,
  });

  /** Produces a dead letter, retrying while the bus refuses: a notification given up is never dropped. */
  const deadLetter = async (batch: ConsumedBatch, stop: AbortSignal, key: string | null, letter: AlertDeliveryDeadLetterV1) => {
    const record = alertDeliveryDeadLetterCodec.encode(letter, key);
    for (let attempt = 1; ; attempt++) {
      ensureHeld(batch, stop);
      try {
        await deps.deadLetterProducer.send(deps.deadLetterTopic, [record]);
        metrics.deadLetters.inc({ reason: letter.reason });
        return;
      } catch (error) {
        log.error({ err: error, attempt, reason: letter.reason }, 'dead letter not accepted by the bus; retrying');
        await holdBatchFor(retryDelayMs(attempt, policy, random), batch, stop, clock, policy.heartbeatEveryMs);
      }
    }
  };

  const giveUp = async (batch: ConsumedBatch, stop: AbortSignal, n: AlertNotificationV1, reason: DeliveryFailureReason, detail: string, attempts: number) => {
    log.warn({ notificationId: n.notificationId, subscription: n.subscriptionId, enterprise: n.enterpriseId, reason, detail, attempts }, 'notification dead-lettered');
    await deadLetter(batch, stop, n.subscriptionId, { v: 1, reason, detail, attempts, deadAt: new Date(clock.now()).toISOString(), notification: n });
  };

  /** Waits (heartbeating) until the subscription's bucket gives a token. */
  const takeToken = async (subscription: WebhookSubscription, batch: ConsumedBatch, stop: AbortSignal) => {
    const { perMinute, burst } = subscription.rateLimit;
    let bucket = buckets.get(subscription.id);
    if (!bucket || bucket.perMinute !== perMinute || bucket.burst !== burst) {
      bucket = new TokenBucket(perMinute, burst, clock.now());
      buckets.set(subscription.id, bucket);
    }
    let waitedMs = 0;
    for (let wait = bucket.take(clock.now()); wait > 0; wait = bucket.take(clock.now())) {
      waitedMs += wait;
      await holdBatchFor(wait, batch, stop, clock, policy.heartbeatEveryMs);
    }
    if (waitedMs > 0) {
      metrics.rateLimitWaits.inc();
      metrics.rateLimitWaitSeconds.inc(waitedMs / 1000);
    }
  };

  const deliver = async (batch: ConsumedBatch, stop: AbortSignal, n: AlertNotificationV1) => {
    const found = usableSubscription(n, deps.subscriptions.subscription(n.subscriptionId));
    if (!found.ok) {
      record(attemptOf(n, { attempt: 0, outcome: 'dead', atMs: clock.now(), durationMs: 0, error: `SUBSCRIPTION_UNKNOWN: ${found.detail}` }));
      await giveUp(batch, stop, n, 'SUBSCRIPTION_UNKNOWN', found.detail, 0);
      return;
    }
    const { subscription } = found;
    const body = renderWebhookBody(n, subscription, externalUrl);
    let firstAttemptMs: number | undefined;
    for (let attempt = 1; ; attempt++) {
      await takeToken(subscription, batch, stop);
      ensureHeld(batch, stop);
      const atMs = clock.now();
      firstAttemptMs ??= atMs;
      const headers = webhookHeaders({ notificationId: n.notificationId, subscription, body, nowMs: atMs, userAgent });
      const outcome = await deps.sender.send({ url: subscription.url, headers, body, timeoutMs: policy.requestTimeoutMs });
      if (outcome.kind === 'delivered') {
        record(attemptOf(n, { attempt, outcome: 'delivered', atMs, durationMs: outcome.durationMs, httpStatus: outcome.status }));
        metrics.attempts.inc({ outcome: 'delivered', failure: 'none' });
        metrics.deliverySeconds.observe((clock.now() - firstAttemptMs) / 1000);
        log.debug({ notificationId: n.notificationId, subscription: subscription.id, attempt, status: outcome.status }, 'webhook delivered');
        return;
      }
      const dead = !outcome.retryable || attempt >= policy.maxAttempts;
      const failure = { httpStatus: outcome.status, error: outcome.error };
      record(attemptOf(n, { attempt, outcome: dead ? 'dead' : 'retrying', atMs, durationMs: outcome.durationMs, ...failure }));
      metrics.attempts.inc({ outcome: dead ? 'dead' : 'retrying', failure: outcome.failure });
      if (dead) {
        const reason = outcome.retryable ? 'ATTEMPTS_EXHAUSTED' : 'REJECTED';
        await giveUp(batch, stop, n, reason, `attempt ${attempt}: ${outcome.error}`, attempt);
        return;
      }
      const delayMs = retryDelayMs(attempt, policy, random, outcome.retryAfterMs);
      log.info({ notificationId: n.notificationId, subscription: subscription.id, attempt, failure: outcome.failure, error: outcome.error, delayMs }, 'webhook attempt failed; retrying');
      await holdBatchFor(delayMs, batch, stop, clock, policy.heartbeatEveryMs);
    }
  };

  const handle = async (batch: ConsumedBatch, stop: AbortSignal, item: Item) => {
    ensureHeld(batch, stop);
    if (item.decoded.ok) return deliver(batch, stop, item.decoded.value);
    // Not a notification: kept whole in the dead-letter topic, under the key it came with.
    const { detail } = item.decoded;
    log.warn({ source: item.source, offset: item.message.offset, key: item.message.key, detail }, 'unreadable record on the notifications topic; dead-lettered');
    await deadLetter(batch, stop, item.message.key, {
      v: 1,
      reason: 'NOTIFICATION_UNREADABLE',
      detail,
      attempts: 0,
      deadAt: new Date(clock.now()).toISOString(),
      source: item.source,
      payloadBase64: item.message.value.toString('base64'),
    });
  };

  const handleBatch = async (batch: ConsumedBatch): Promise<void> => {
    const stopBatch = new AbortController();
    const stop = AbortSignal.any([closing.signal, stopBatch.signal]);
    const lanes = new Map<string, Item[]>();
    for (const message of batch.messages) {
      const source = `${batch.topic}/${batch.partition}/${message.offset}`;
      if (handled.has(source)) continue;
      const decoded = alertNotificationCodec.decode(message.value);
      const lane = decoded.ok ? `subscription:${decoded.value.subscriptionId}` : `unreadable:${message.key ?? ''}`;
      const items = lanes.get(lane) ?? [];
      items.push({ message, source, decoded });
      lanes.set(lane, items);
    }
    const results = await Promise.allSettled(
      [...lanes.values()].map(async (items) => {
        try {
          for (const item of items) {
            await handle(batch, stop, item);
            if (handled.size >= MAX_REMEMBERED_OFFSETS) handled.clear();
            handled.add(item.source);
          }
        } catch (error) {
          // One notification that cannot finish hands the whole batch back: stop the others' waiting too.
          stopBatch.abort();
          throw error;
        }
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      metrics.abandonedBatches.inc();
      log.info({ topic: batch.topic, partition: batch.partition, err: failed.reason }, 'batch handed back undelivered; it comes again');
      throw failed.reason;
    }
    for (const message of batch.messages) handled.delete(`${batch.topic}/${batch.partition}/${message.offset}`);
  };

  return {
    start: () => deps.consumer.start(handleBatch),
    close: async () => {
      closing.abort();
      await deps.consumer.close();
    },
  };
}
