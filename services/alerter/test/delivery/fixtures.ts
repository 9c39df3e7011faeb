import { InMemoryBus, type BusProducer } from '@meterline/bus';
import type { AlertDeliveryDeadLetterV1, AlertNotificationV1, AlertV1 } from '@meterline/contracts';
import { createLogger, Registry } from '@meterline/service-kit';
import { InMemoryStore } from '@meterline/store';
import { InMemoryWebhookSender, type Responder } from '@meterline/webhook-sender';
import { createDispatcher, createStoreDeliveryLog, type DeliveryPolicy, type WebhookSubscription } from '../../src/delivery/index.ts';
import { VirtualClock } from './virtual-clock.ts';

export const T0 = Date.UTC(2026, 10, 27, 8, 0, 0);
export const NOTIFICATIONS = 'alert-notifications';
export const DLQ = 'alert-notifications-dlq';
export const GROUP = 'alerter-dispatcher';

export function subscription(id: string, overrides: Partial<WebhookSubscription> = {}): WebhookSubscription {
  return {
    id,
    enterpriseId: 'ent-1',
    url: `https://hooks.example.com/${id}`,
    secret: `secret-of-${id}`,
    format: 'meterline',
    rateLimit: { perMinute: 600, burst: 100 },
    ...overrides,
  };
}

function alert(i: number, overrides: Partial<AlertV1> = {}): AlertV1 {
  return {
    alertId: `alert-${i}`,
    dedupKey: `ent-1/meter-offline/point=mp-${i},site=site-1`,
    enterpriseId: 'ent-1',
    rule: 'meter-offline',
    severity: 'critical',
    subject: { site: 'site-1', point: `mp-${i}` },
    status: 'firing',
    startsAt: new Date(T0 - 3_600_000).toISOString(),
    summary: `No reading from mp-${i} for 60 min`,
    value: 60,
    threshold: 30,
    unit: 'min',
    ...overrides,
  };
}

export function notification(subscriptionId: string, i: number, overrides: Partial<AlertNotificationV1> = {}): AlertNotificationV1 {
  return {
    v: 1,
    notificationId: `${subscriptionId}-n${i}`,
    subscriptionId,
    enterpriseId: 'ent-1',
    rule: 'meter-offline',
    status: 'firing',
    groupKey: 'ent-1/meter-offline',
    repeat: false,
    createdAt: new Date(T0).toISOString(),
    alerts: [alert(i)],
    ...overrides,
  };
}

export interface SetupOptions {
  respond: Responder;
  subscriptions?: WebhookSubscription[];
  policy?: Partial<DeliveryPolicy>;
  clock?: VirtualClock;
  random?: () => number;
  bus?: InMemoryBus;
  store?: InMemoryStore;
  deadLetterProducer?: BusProducer;
}

/** A dispatcher on the in-memory bus, the sender twin and the in-memory store, in virtual time. */
export function setup(options: SetupOptions) {
  const bus = options.bus ?? new InMemoryBus();
  const clock = options.clock ?? new VirtualClock(T0);
  const sender = new InMemoryWebhookSender({ respond: options.respond, now: clock.now, sleep: clock.sleep });
  const store = options.store ?? new InMemoryStore();
  const metrics = new Registry();
  const log = createLogger('alerter-delivery-test', 'silent');
  const deliveryLog = createStoreDeliveryLog({ store, log, metrics });
  const subscriptions = new Map((options.subscriptions ?? [subscription('sub-a')]).map((s) => [s.id, s]));
  const dispatcher = createDispatcher({
    consumer: bus.consumer({ groupId: GROUP, topics: [NOTIFICATIONS], fromBeginning: true }),
    deadLetterProducer: options.deadLetterProducer ?? bus.producer(),
    deadLetterTopic: DLQ,
    subscriptions: { subscription: (id) => subscriptions.get(id) },
    sender,
    deliveryLog,
    log,
    metrics,
    policy: { baseDelayMs: 1_000, maxDelayMs: 60_000, maxAttempts: 15, ...options.policy },
    clock,
    random: options.random ?? (() => 0.5),
  });
  const lagProbe = bus.consumer({ groupId: GROUP, topics: [NOTIFICATIONS] });
  return {
    bus,
    clock,
    sender,
    store,
    metrics,
    deliveryLog,
    dispatcher,
    subscriptions,
    /** Publishes notifications keyed by their subscription (or by `key`). */
    publish: (notifications: AlertNotificationV1[], key?: string) =>
      bus.producer().send(NOTIFICATIONS, notifications.map((n) => ({ key: key ?? n.subscriptionId, value: Buffer.from(JSON.stringify(n)) }))),
    /** Resolves once every published record is committed by the dispatcher's group. */
    committed: async () => {
      while ((await lagProbe.lag()) > 0) await new Promise((resolve) => setTimeout(resolve, 2));
    },
    lag: () => lagProbe.lag(),
    deadLetters: () => bus.messagesOf(DLQ).map((m) => ({ key: m.key, headers: m.headers, letter: JSON.parse(m.value.toString('utf8')) as AlertDeliveryDeadLetterV1 })),
    metric: async (name: string, labels: Record<string, string> = {}) => {
      const found = (await metrics.getMetricsAsJSON()).find((m) => m.name === name);
      const values = (found?.values ?? []) as { value: number; labels: Record<string, string | number>; metricName?: string }[];
      return values
        .filter((v) => (v.metricName === undefined || v.metricName === name || v.metricName === `${name}_count`) && Object.entries(labels).every(([k, l]) => v.labels[k] === l))
        .reduce((sum, v) => sum + v.value, 0);
    },
  };
}

/** A small deterministic generator of uniform [0, 1) numbers (a linear congruential generator). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}
