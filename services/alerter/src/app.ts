import type { BusConsumer, BusProducer } from '@meterline/bus';
import { alertSignalCodec, type AlertSignalV1 } from '@meterline/contracts';
import type { RegistrySource } from '@meterline/feeds';
import type { Scheduler } from '@meterline/scheduler';
import { kafkaConsumerCheck, type HealthReport, type Logger } from '@meterline/service-kit';
import type { TimeSeriesStore } from '@meterline/store';
import { createAlertManager } from './alert-manager.ts';
import type { AlertingConfig } from './alerting-config.ts';
import type { AlerterMetrics } from './metrics.ts';
import { createObserver, type ObserverTopics } from './observer.ts';

export interface AlerterAppDeps {
  /** Group member on readings, device status, device sequence and figures (the observer). */
  inputs: BusConsumer;
  /** Group member on the signals topic: who owns which enterprise's alerts. */
  signals: BusConsumer;
  /** Sends the outbox (notifications) to subscribers; started and closed with the app. */
  dispatcher: { start(): Promise<void>; close(): Promise<void> };
  producer: BusProducer;
  topics: ObserverTopics & { notifications: string };
  store: TimeSeriesStore;
  registry: RegistrySource;
  alerting: () => Promise<AlertingConfig>;
  scheduler: Scheduler;
  /** How often the time-driven rules run; divides a minute. */
  tickSeconds: number;
  figureMaxAgeMs: number;
  maxFiguresPerSignal: number;
  clock: () => Date;
  log: Logger;
  metrics: AlerterMetrics;
}

/**
 * The alerter: an observer turning inputs into state and enterprise-keyed signals, a manager
 * owning each enterprise's alerts and writing due notifications to the outbox, a dispatcher
 * delivering the outbox, and a schedule publishing ticks so the time-driven rules run.
 */
export function createAlerterApp(deps: AlerterAppDeps) {
  const observer = createObserver({ ...deps, figureMaxAgeMs: deps.figureMaxAgeMs });
  const manager = createAlertManager({ ...deps, notificationsTopic: deps.topics.notifications });
  const tickMs = deps.tickSeconds * 1000;

  /** Every instance publishes the same ticks (the same instants); the owner judges each instant once. */
  const publishTicks = async (firedAt: Date) => {
    const at = Math.floor(firedAt.getTime() / tickMs) * tickMs;
    const { enterprises } = await deps.registry.current();
    const messages = enterprises.map((e) => {
      const tick: AlertSignalV1 = { v: 1, kind: 'tick', enterpriseId: e.id, tickMs: at };
      return alertSignalCodec.encode(tick, e.id);
    });
    await deps.producer.send(deps.topics.signals, messages);
  };

  return {
    async start() {
      await deps.signals.start(manager);
      await deps.inputs.start(observer);
      await deps.dispatcher.start();
      const expression = deps.tickSeconds === 60 ? '0 * * * * *' : `*/${deps.tickSeconds} * * * * *`;
      deps.scheduler.add({ name: 'alert-tick', expression, timeZone: 'UTC', task: publishTicks });
    },
    async close() {
      await deps.scheduler.close();
      await deps.inputs.close();
      await deps.signals.close();
      await deps.dispatcher.close();
    },
    async health(): Promise<HealthReport> {
      const storeUp = await deps.store.ping();
      // The observer's and the manager's consumers; what is wrong with either is what health says.
      const now = Date.now();
      const kafka = [deps.inputs, deps.signals].map((c) => kafkaConsumerCheck(c.lastHeardAt(), now)).find((check) => check !== 'ok') ?? 'ok';
      return { healthy: storeUp && kafka === 'ok', checks: { influxdb: storeUp ? 'ok' : 'down', kafka } };
    },
  };
}
