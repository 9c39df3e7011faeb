import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { DEV_INFLUX_ADMIN, freePorts, influx, startStack, toxiproxy, type NativeStack, type StackConnection, type ToxiproxyHandle } from '@meterline/local-stack';
import { fleetManifest } from '@meterline/simulator';
import { alerterProcess, alertingTopics, writeAlertingFile, type AlertingTopics } from './alerting.ts';
import { buildServices } from './build-services.ts';
import type { NativeStackInfo } from './global-setup.ts';
import { partitionShares } from './kafka-topics.ts';
import { createPipeline, type Pipeline } from './pipeline.ts';
import type { ServiceProcess } from './service-process.ts';
import { webhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

export interface ChaosStack {
  /** What createPipeline takes, as the shared test stack's global setup provides it. */
  env: { stack: StackConnection; native: NativeStackInfo };
  /** The cluster and each of its nodes, to kill and start. */
  kafka: NativeStack['services']['kafka'];
  /** The primary InfluxDB (the pipelines' `store`), to kill and start. */
  influx: NativeStack['services']['influx'];
  /** A second InfluxDB, a replica fed from Kafka by writers of its own (createPipeline's `influxReplicas`). */
  influxReplica: ReturnType<typeof influx> & { token: string };
  /**
   * Network faults: the proxy `influxdb` stands between a service given `influxProxyUrl` and
   * InfluxDB; the proxies `kafka-<n>` between a service given `kafkaProxyBrokers` and each Kafka
   * node (its routed listener: the nodes advertise the proxies to clients that come that way).
   */
  faults: ToxiproxyHandle;
  influxProxyUrl: string;
  kafkaProxyBrokers: string;
  /** The names of the Kafka proxies, to partition every node from a service at once. */
  kafkaProxies: string[];
  stop(): Promise<void>;
}

/**
 * A stack of its own for the chaos suite: Mosquitto, InfluxDB and a replica of it, and a
 * three-node Kafka cluster, which its tests kill whole or in part. Not the shared test stack: the other suites must not
 * see these faults. The broker keeps the production per-device publish limit.
 */
export async function startChaosStack(): Promise<ChaosStack> {
  buildServices();
  const baseDir = await mkdtemp(join(tmpdir(), 'meterline-chaos-stack-'));
  const started = performance.now();
  const routedPorts = await freePorts(6);
  const routed = [0, 1, 2].map((i) => ({ port: routedPorts[2 * i]!, advertisedPort: routedPorts[2 * i + 1]! }));
  const stack = await startStack({ baseDir, kafkaNodes: 3, kafkaRoutedListeners: routed });
  // Picked once the stack listens, so none of its ports comes back; the routed ones are not bound yet.
  const [apiPort, influxProxyPort, replicaHttpPort, replicaRpcPort] = (await freePorts(4, routedPorts)) as [number, number, number, number];
  console.log(`chaos stack (Kafka cluster of ${stack.services.kafka.nodes.length}) up in ${Math.round(performance.now() - started)} ms under ${baseDir}`);
  const { mosquitto, kafka, influx: influxdb } = stack.services;
  const faults = toxiproxy({ dir: join(baseDir, 'toxiproxy'), apiPort });
  const replica = influx({ dir: join(baseDir, 'influxdb-replica'), httpPort: replicaHttpPort, rpcPort: replicaRpcPort, admin: DEV_INFLUX_ADMIN });
  try {
    await mkdir(replica.dir, { recursive: true });
    await replica.start();
    await mkdir(faults.dir, { recursive: true });
    await faults.start();
    await faults.proxy('influxdb', influxProxyPort, influxdb.httpPort);
    for (const [i, r] of routed.entries()) await faults.proxy(`kafka-${i + 1}`, r.advertisedPort, r.port);
  } catch (error) {
    // Stopped best-effort: the error that got here is the one to see; a cleanup failure is told beside it.
    for (const cleanup of await Promise.allSettled([replica.stop(), faults.stop(), stack.stop()])) {
      if (cleanup.status === 'rejected') console.error('chaos stack cleanup failed:', cleanup.reason);
    }
    throw error;
  }
  return {
    env: { stack: stack.connection, native: { baseDir, ports: { mqtt: mosquitto.port, kafka: kafka.port, influxHttp: influxdb.httpPort, influxRpc: influxdb.rpcPort } } },
    kafka,
    influx: influxdb,
    influxReplica: Object.assign(replica, { token: `${DEV_INFLUX_ADMIN.username}:${DEV_INFLUX_ADMIN.password}` }),
    faults,
    influxProxyUrl: `http://127.0.0.1:${influxProxyPort}`,
    kafkaProxyBrokers: routed.map((r) => `127.0.0.1:${r.advertisedPort}`).join(','),
    kafkaProxies: routed.map((_, i) => `kafka-${i + 1}`),
    stop: async () => {
      try {
        await Promise.all([faults.stop(), replica.stop()]);
      } finally {
        await stack.stop();
        await rm(baseDir, { recursive: true, force: true });
      }
    },
  };
}

/** The chaos cases' fleet: 20 devices × 10 points per quarter-hour. */
export const CHAOS_FLEET = { enterprises: 2, devicesPerEnterprise: 10, pointsPerDevice: 10 };

/** A pipeline of two instances of ingest and of the writer (and of each replica's writers) on the chaos stack, started as production starts them. */
export async function startedChaosPipeline(
  chaos: ChaosStack,
  prefix: string,
  options: { writerEnv?: Record<string, string>; ingestEnv?: Record<string, string>; fleet?: typeof CHAOS_FLEET; influxReplicas?: { url: string; token: string }[] } = {},
): Promise<Pipeline> {
  const p = await createPipeline(chaos.env, fleetManifest({ ...(options.fleet ?? CHAOS_FLEET), prefix }), {
    instances: 2,
    writerEnv: options.writerEnv ?? {},
    ingestEnv: options.ingestEnv ?? {},
    influxReplicas: options.influxReplicas ?? [],
  });
  await Promise.all([...p.writers, ...p.replicas.flatMap((r) => r.writers)].map((w) => w.start()));
  await Promise.all(p.ingests.map((i) => i.start()));
  return p;
}

export interface ChaosAlerting {
  alerters: [ServiceProcess, ServiceProcess];
  /** Every enterprise's subscription (meter-offline alerts) delivers here. */
  receiver: WebhookReceiver;
  topics: AlertingTopics;
  close(): Promise<void>;
}

const CHAOS_WEBHOOK_SECRET = 'chaos-webhook-secret-0123456789';

/**
 * Two alerter instances for a chaos pipeline, started and sharing the work (the manager's and
 * the dispatcher's groups each split between them), every enterprise subscribed to its
 * meter-offline alerts through one webhook receiver. The scenario's readings are months old, so
 * every point it publishes is overdue at the first tick that judges it.
 */
export async function startedChaosAlerters(chaos: ChaosStack, pipeline: Pipeline): Promise<ChaosAlerting> {
  const topics = await alertingTopics(chaos.env.stack, pipeline);
  const receiver = await webhookReceiver(CHAOS_WEBHOOK_SECRET);
  const alertingFile = await writeAlertingFile(pipeline, {
    version: 1,
    subscriptions: pipeline.manifest.enterprises.map((e) => ({ id: `sub-${e.id}`, enterpriseId: e.id, url: receiver.url, secret: CHAOS_WEBHOOK_SECRET, rules: ['meter-offline'] })),
  });
  const instance = (name: string) =>
    alerterProcess(chaos.env.stack, pipeline, topics, {
      instance: name,
      alertingFile,
      // Retries every ≤ 10 s: 20 attempts outlast a refusing receiver for about a minute and a half.
      env: { MTL_TICK_SECONDS: '5', MTL_DELIVERY_MAX_DELAY_MS: '10000' },
    });
  const alerters: [ServiceProcess, ServiceProcess] = [await instance('alerter-1'), await instance('alerter-2')];
  const close = async () => {
    await Promise.allSettled(alerters.map((a) => a.stop()));
    await receiver.close();
  };
  try {
    await Promise.all(alerters.map((a) => a.start()));
    // Both hold their share before any alert.
    await alertersSharing(chaos, pipeline);
  } catch (error) {
    await close();
    throw error;
  }
  return { alerters, receiver, topics, close };
}

/** Resolves once the two alerters split the signals (enterprises) 6 + 6 and the outbox (subscriptions) 3 + 3. */
export async function alertersSharing(chaos: ChaosStack, pipeline: Pipeline): Promise<void> {
  for (const [groupId, shares] of [[`e2e-${pipeline.id}-alerter`, [6, 6]], [`e2e-${pipeline.id}-alerter-dispatcher`, [3, 3]]] as const) {
    await expect.poll(() => partitionShares(chaos.env.stack, groupId), { timeout: 60_000, interval: 500 }).toEqual(shares);
  }
}
