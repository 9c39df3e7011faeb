import type { TopicSpec } from './kafka.ts';

/** Kafka topics of contract v1, created by `stack up` (and by tests that want the real names). */
export const MTL_TOPICS = Object.freeze({
  readings: 'meterline.readings.v1',
  readingsDlq: 'meterline.readings.dlq.v1',
  figures: 'meterline.figures.v1',
  restatements: 'meterline.restatements.v1',
  aggregationJobs: 'meterline.aggregation-jobs.v1',
  registry: 'meterline.registry.v1',
  deviceStatus: 'meterline.device-status.v1',
  deviceSequence: 'meterline.device-sequence.v1',
  alertSignals: 'meterline.alert-signals.v1',
  alertNotifications: 'meterline.alert-notifications.v1',
  alertNotificationsDlq: 'meterline.alert-notifications.dlq.v1',
  alerting: 'meterline.alerting.v1',
  factorSets: 'meterline.factor-sets.v1',
} as const);

export const MTL_TOPIC_SPECS: readonly TopicSpec[] = Object.freeze([
  // Keyed by metering point; partitions bound how many writers share the load.
  { topic: MTL_TOPICS.readings, partitions: 6 },
  { topic: MTL_TOPICS.readingsDlq, partitions: 3 },
  { topic: MTL_TOPICS.figures, partitions: 6 },
  { topic: MTL_TOPICS.restatements, partitions: 3 },
  // Keyed by enterprise: partitions bound how many aggregators share the work.
  { topic: MTL_TOPICS.aggregationJobs, partitions: 12 },
  // The registry is a changelog keyed by entity: keep the latest value per key.
  { topic: MTL_TOPICS.registry, partitions: 6, configs: { 'cleanup.policy': 'compact' } },
  // Keyed by device: a device's statuses stay in order.
  { topic: MTL_TOPICS.deviceStatus, partitions: 6 },
  // Keyed by device: one device's seqs reach one alerter at a time, in the order ingest sent them.
  { topic: MTL_TOPICS.deviceSequence, partitions: 6 },
  { topic: MTL_TOPICS.alertSignals, partitions: 12 },
  { topic: MTL_TOPICS.alertNotifications, partitions: 6 },
  { topic: MTL_TOPICS.alertNotificationsDlq, partitions: 3 },
  // Subscriptions and silences managed through the API, keyed subscription/<id> or silence/<id>: the latest value per key.
  { topic: MTL_TOPICS.alerting, partitions: 3, configs: { 'cleanup.policy': 'compact' } },
  // Custom factor sets, keyed name@version; a published set never changes.
  { topic: MTL_TOPICS.factorSets, partitions: 1, configs: { 'cleanup.policy': 'compact' } },
]);
