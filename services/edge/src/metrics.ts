import { Counter, Gauge, type Registry } from '@meterline/service-kit';
import type { PayloadQueue } from './queue.ts';

/** The agent's metrics (services/edge/README.md lists them), next to the process ones of the registry. */
export function edgeMetrics(registry: Registry, queue: PayloadQueue, now: () => number) {
  const registers = [registry];
  return {
    queueDepth: new Gauge({
      name: 'meterline_edge_queue_depth',
      help: 'Payloads in the local queue, not yet acknowledged by the broker',
      registers,
      collect() {
        this.set(queue.stats().depth);
      },
    }),
    oldestAge: new Gauge({
      name: 'meterline_edge_queue_oldest_age_seconds',
      help: 'Age of the oldest payload in the local queue (0 when empty): how far behind the broker is',
      registers,
      collect() {
        const oldest = queue.stats().oldestEnqueuedAtMs;
        this.set(oldest === undefined ? 0 : Math.max(0, (now() - oldest) / 1000));
      },
    }),
    polls: new Counter({ name: 'meterline_edge_polls_total', help: 'Polls of each meter, by outcome (ok, failed)', labelNames: ['meter', 'outcome'] as const, registers }),
    skipped: new Counter({ name: 'meterline_edge_values_skipped_total', help: 'Values polled but not sent, by reason (not-finite, not-exact, meter-error)', labelNames: ['meter', 'reason'] as const, registers }),
    readingsQueued: new Counter({ name: 'meterline_edge_readings_queued_total', help: 'Readings stored in the local queue', registers }),
    payloadsQueued: new Counter({ name: 'meterline_edge_payloads_queued_total', help: 'Payloads stored in the local queue', registers }),
    published: new Counter({ name: 'meterline_edge_payloads_published_total', help: 'Payloads the broker acknowledged (PUBACK), and removed from the queue', registers }),
    sendFailures: new Counter({ name: 'meterline_edge_publish_failures_total', help: 'Publishes not acknowledged, each sent again: refused (a reason code) or failed (no PUBACK)', labelNames: ['kind'] as const, registers }),
    mqttConnected: new Gauge({ name: 'meterline_edge_mqtt_connected', help: '1 while the MQTT connection is up', registers }),
  };
}
