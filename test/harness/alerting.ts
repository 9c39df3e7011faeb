import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { WebhookBodyV1 } from '@meterline/contracts';
import { createTopics, freePorts, type StackConnection } from '@meterline/local-stack';
import type { Pipeline } from './pipeline.ts';
import { serviceProcess, type ServiceProcess } from './service-process.ts';
import type { ReceivedWebhook } from './webhook-receiver.ts';

export interface AlertingTopics {
  figures: string;
  signals: string;
  notifications: string;
  notificationsDlq: string;
  /** Subscriptions and silences managed through the API (compacted). */
  alerting: string;
}

/** The alerter's topics for one pipeline, next to the pipeline's readings and device status topics. */
export async function alertingTopics(stack: StackConnection, pipeline: Pipeline): Promise<AlertingTopics> {
  const topics = {
    figures: `e2e-${pipeline.id}.figures.v1`,
    signals: `e2e-${pipeline.id}.alert-signals.v1`,
    notifications: `e2e-${pipeline.id}.alert-notifications.v1`,
    notificationsDlq: `e2e-${pipeline.id}.alert-notifications.dlq.v1`,
    alerting: `e2e-${pipeline.id}.alerting.v1`,
  };
  await createTopics(stack.kafka.brokers, [
    { topic: topics.figures, partitions: 6 },
    { topic: topics.signals, partitions: 12 },
    { topic: topics.notifications, partitions: 6 },
    { topic: topics.notificationsDlq, partitions: 3 },
    { topic: topics.alerting, partitions: 3, configs: { 'cleanup.policy': 'compact' } },
  ]);
  return topics;
}

/** Writes the alerting file (rules, subscriptions, silences) the pipeline's alerter reads. */
export async function writeAlertingFile(pipeline: Pipeline, content: object): Promise<string> {
  const file = join(pipeline.workDir, 'alerting.yaml');
  await writeFile(file, stringify(content));
  return file;
}

/** An alerter instance of the pipeline, as a process of its built bundle. */
export async function alerterProcess(
  stack: StackConnection,
  pipeline: Pipeline,
  topics: AlertingTopics,
  options: { instance: string; alertingFile: string; env?: Record<string, string> },
): Promise<ServiceProcess> {
  const [ops] = (await freePorts(1)) as [number];
  const logDir = join(pipeline.workDir, options.instance);
  await mkdir(logDir, { recursive: true });
  return serviceProcess(
    'alerter',
    {
      MTL_KAFKA_BROKERS: stack.kafka.brokers.join(','),
      MTL_READINGS_TOPIC: pipeline.topics.readings,
      MTL_DEVICE_STATUS_TOPIC: pipeline.topics.deviceStatus,
      MTL_DEVICE_SEQUENCE_TOPIC: pipeline.topics.deviceSequence,
      MTL_FIGURES_TOPIC: topics.figures,
      MTL_SIGNALS_TOPIC: topics.signals,
      MTL_NOTIFICATIONS_TOPIC: topics.notifications,
      MTL_NOTIFICATIONS_DLQ_TOPIC: topics.notificationsDlq,
      MTL_OBSERVER_GROUP_ID: `e2e-${pipeline.id}-alerter-observer`,
      MTL_MANAGER_GROUP_ID: `e2e-${pipeline.id}-alerter`,
      MTL_DISPATCHER_GROUP_ID: `e2e-${pipeline.id}-alerter-dispatcher`,
      // A killed instance's partitions move to its successor after this; tests need not wait 30 s.
      MTL_KAFKA_SESSION_TIMEOUT_MS: '10000',
      MTL_INFLUX_URL: stack.influx.url,
      MTL_INFLUX_TOKEN: stack.influx.token,
      MTL_INFLUX_DATABASE: pipeline.database,
      MTL_REGISTRY_FILE: join(pipeline.workDir, 'registry.yaml'),
      MTL_ALERTING_FILE: options.alertingFile,
      MTL_ALERTING_TOPIC: topics.alerting,
      MTL_INSTANCE_ID: options.instance,
      MTL_OPS_PORT: String(ops),
      MTL_LOG_LEVEL: 'info',
      ...options.env,
    },
    logDir,
  );
}

/** Per alert and status (`<alertId>:<status>`), the notifications (idempotency keys) that announced it; repeats of an open alert left out. */
export function announcementsOf(received: ReceivedWebhook[]): Map<string, Set<string>> {
  const announcing = new Map<string, Set<string>>();
  for (const w of received) {
    const body = JSON.parse(w.body) as WebhookBodyV1;
    if (body.repeat) continue;
    for (const a of body.alerts) announcing.set(`${a.alertId}:${a.status}`, (announcing.get(`${a.alertId}:${a.status}`) ?? new Set()).add(w.idempotencyKey));
  }
  return announcing;
}
