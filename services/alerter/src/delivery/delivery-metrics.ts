import { Counter, Histogram, type Registry } from '@meterline/service-kit';

export function createDeliveryMetrics(registry: Registry) {
  return {
    attempts: new Counter({
      name: 'meterline_alerter_webhook_attempts_total',
      help: 'Webhook attempts by outcome (delivered, retrying, dead) and failure (none, status, redirect, network, timeout, aborted, invalid-request)',
      labelNames: ['outcome', 'failure'],
      registers: [registry],
    }),
    deliverySeconds: new Histogram({
      name: 'meterline_alerter_webhook_delivery_seconds',
      help: 'From the first attempt of a notification to the receiver taking it',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
      registers: [registry],
    }),
    deadLetters: new Counter({ name: 'meterline_alerter_webhook_dead_letters_total', help: 'Notifications and unreadable records dead-lettered, by reason', labelNames: ['reason'], registers: [registry] }),
    rateLimitWaits: new Counter({ name: 'meterline_alerter_webhook_rate_limit_waits_total', help: 'Attempts that waited for a subscription\'s rate limit', registers: [registry] }),
    rateLimitWaitSeconds: new Counter({ name: 'meterline_alerter_webhook_rate_limit_wait_seconds_total', help: 'Time attempts waited for a subscription\'s rate limit', registers: [registry] }),
    deliveryLogErrors: new Counter({ name: 'meterline_alerter_delivery_log_record_errors_total', help: 'Attempts the delivery log could not take (the delivery went on)', registers: [registry] }),
    abandonedBatches: new Counter({ name: 'meterline_alerter_webhook_batches_abandoned_total', help: 'Batches handed back undelivered (closing, partition lost, or a dead letter not accepted): they come again', registers: [registry] }),
  };
}
