import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { deadLetterCodec, decodeOrThrow, type DeadLetter } from '@meterline/contracts';
import type { Manifest } from '@meterline/domain';
import {
  DEV_SERVICE_PASSWORDS,
  INGEST_MQTT_USER,
  MTL_TOPICS,
  MTL_TOPIC_SPECS,
  createTopics,
  freePorts,
  provisionDeviceAccounts,
  stackBroker,
  type MosquittoDynsecHandle,
  type StackConnection,
} from '@meterline/local-stack';
import type { NativeStackInfo } from './global-setup.ts';
import { InfluxStore } from '@meterline/store-influx';
import { groupLag, readTopic } from './kafka-topics.ts';
import { serviceProcess, type ServiceProcess } from './service-process.ts';

/** The aggregator's announcement topics of a pipeline, as aggregationTopics names them. */
const pipelineFigureTopics = (id: string) => ({ figures: `e2e-${id}.figures.v1`, restatements: `e2e-${id}.restatements.v1` });

/** Test-only device password. */
export const devicePassword = (deviceId: string): string => `${deviceId}-test-secret`;

export interface Pipeline {
  id: string;
  manifest: Manifest;
  /** The first instance of each (`instances` option): what most tests start, kill and watch. */
  ingest: ServiceProcess;
  writer: ServiceProcess;
  /** Every instance, the first included: the same configuration, their own instance ids and ops ports. */
  ingests: ServiceProcess[];
  writers: ServiceProcess[];
  /** `registry`: the pipeline's registry topic, with the `registryTopic` option. */
  topics: { readings: string; deadLetters: string; deviceStatus: string; deviceSequence: string; registry?: string };
  database: string;
  store: InfluxStore;
  workDir: string;
  /** Ingest's MQTT share group, and the instance id its client ids are made of (ingestClientId). */
  mqtt: { shareGroup: string; ingestInstanceId: string };
  /** The shared broker, for fault injection (restarting it affects every client) and provisioning. */
  broker: MosquittoDynsecHandle;
  /** Every record on the dead-letter topic, decoded (as v2, whichever version was written). */
  deadLetters(): Promise<DeadLetter[]>;
  /** Readings not yet committed by the writer group. */
  writerLag(): Promise<number>;
  /**
   * Further InfluxDB replicas (the `influxReplicas` option), each fed from the readings topic by
   * writers of a consumer group of its own (`e2e-<id>-writer-r<n>`), as many as `instances`;
   * with `replicasCopyFigures` they copy the figures announced on the pipeline's figure topics
   * (pipelineFigureTopics) too.
   */
  replicas: { store: InfluxStore; writers: ServiceProcess[]; writerLag(): Promise<number> }[];
  close(): Promise<void>;
}

/**
 * One isolated pipeline on the shared real stack: its own Kafka topics, InfluxDB database,
 * registry file, MQTT share group and device accounts, with ingest and writer as processes.
 * With `registryTopic`, ingest reads the registry from a registry topic of the pipeline's own,
 * which starts empty (the file is still written, and the manifest's devices get accounts).
 * With `registryAsJson`, the file holds the manifest as JSON (YAML 1.2 reads it too), as a
 * generated registry would be: the services read it without building a YAML syntax tree.
 */
export async function createPipeline(
  env: { stack: StackConnection; native: NativeStackInfo | undefined },
  manifest: Manifest,
  options: { instances?: number; influxReplicas?: { url: string; token: string }[]; replicasCopyFigures?: boolean; ingestConnections?: number | 'service-default'; logLevel?: string; sessionExpirySeconds?: number; registryTopic?: boolean; registryAsJson?: boolean; ingestEnv?: Record<string, string>; writerEnv?: Record<string, string>; deadLetterTopicConfigs?: Record<string, string> } = {},
): Promise<Pipeline> {
  const { stack, native } = env;
  const id = randomUUID().slice(0, 8);
  const workDir = await mkdtemp(join(tmpdir(), `meterline-e2e-${id}-`));
  const topics = {
    readings: `e2e-${id}.readings.v1`,
    deadLetters: `e2e-${id}.readings.dlq.v1`,
    deviceStatus: `e2e-${id}.device-status.v1`,
    deviceSequence: `e2e-${id}.device-sequence.v1`,
    ...(options.registryTopic ? { registry: `e2e-${id}.registry.v1` } : {}),
  };
  const database = `e2e_${id}`;

  await createTopics(stack.kafka.brokers, [
    { topic: topics.readings, partitions: 6 },
    { topic: topics.deadLetters, partitions: 3, ...(options.deadLetterTopicConfigs ? { configs: options.deadLetterTopicConfigs } : {}) },
    { topic: topics.deviceStatus, partitions: 3 },
    { topic: topics.deviceSequence, partitions: 3 },
    // Made as the stack makes the registry topic: compacted.
    ...(topics.registry ? [{ ...MTL_TOPIC_SPECS.find((t) => t.topic === MTL_TOPICS.registry)!, topic: topics.registry }] : []),
  ]);
  const store = new InfluxStore({ url: stack.influx.url, token: stack.influx.token, database });
  await store.influxQl(`CREATE DATABASE ${database}`);

  const registryFile = join(workDir, 'registry.yaml');
  await writeFile(registryFile, options.registryAsJson ? JSON.stringify(manifest) : stringify(manifest));
  if (!native) throw new Error('a pipeline needs the native stack: its broker handle is for fault injection');
  const broker = stackBroker({ dir: join(native.baseDir, 'mosquitto'), port: native.ports.mqtt, publishLimit: native.publishLimit });
  // Through the broker's dynamic security plugin, as the API makes them: publish on the device's
  // readings and status only, no subscription, client id bound to the device id.
  const deviceIds = manifest.enterprises.flatMap((e) => e.devices.map((d) => d.id));
  await provisionDeviceAccounts({ url: stack.mqtt.url, admin: stack.mqtt.admin }, deviceIds.map((d) => ({ username: d, password: devicePassword(d) })));

  const mqttNames = { shareGroup: `e2e-${id}`, ingestInstanceId: `e2e-${id}` };
  const instances = options.instances ?? 1;
  const replicaTargets = options.influxReplicas ?? [];
  const opsPorts = await freePorts(2 * instances + replicaTargets.length * instances);
  // Instance n > 1 is `e2e-<id>-<n>`: its own MQTT client ids, the same share group and consumer group.
  const instanceId = (n: number) => (n === 0 ? `e2e-${id}` : `e2e-${id}-${n + 1}`);
  const ingestOf = (n: number) => serviceProcess(
    'ingest',
    {
      MTL_MQTT_URL: stack.mqtt.url,
      MTL_MQTT_USERNAME: INGEST_MQTT_USER.username,
      MTL_MQTT_PASSWORD: DEV_SERVICE_PASSWORDS[INGEST_MQTT_USER.username] ?? '',
      ...(options.ingestConnections === 'service-default' ? {} : { MTL_MQTT_CONNECTIONS: String(options.ingestConnections ?? 4) }),
      MTL_MQTT_SHARE_GROUP: mqttNames.shareGroup,
      MTL_MQTT_SESSION_EXPIRY_SECONDS: String(options.sessionExpirySeconds ?? 600),
      MTL_INSTANCE_ID: instanceId(n),
      MTL_KAFKA_BROKERS: stack.kafka.brokers.join(','),
      MTL_READINGS_TOPIC: topics.readings,
      MTL_DEAD_LETTER_TOPIC: topics.deadLetters,
      MTL_DEVICE_STATUS_TOPIC: topics.deviceStatus,
      MTL_DEVICE_SEQUENCE_TOPIC: topics.deviceSequence,
      ...(topics.registry ? { MTL_REGISTRY_TOPIC: topics.registry } : { MTL_REGISTRY_FILE: registryFile }),
      MTL_OPS_PORT: String(opsPorts[2 * n]),
      MTL_LOG_LEVEL: options.logLevel ?? 'info',
      ...options.ingestEnv,
    },
    workDir,
    n === 0 ? 'ingest' : `ingest-${n + 1}`,
  );
  const figureTopics = pipelineFigureTopics(id);
  const replicaFigureEnv = { MTL_FIGURES_TOPIC: figureTopics.figures, MTL_RESTATEMENTS_TOPIC: figureTopics.restatements };
  /** Writer n of the group feeding `influx` (replica 0: the stack's own InfluxDB). */
  const writerOf = (n: number, replica = 0, influx: { url: string; token: string } = stack.influx) => serviceProcess(
    'writer',
    {
      MTL_KAFKA_BROKERS: stack.kafka.brokers.join(','),
      MTL_READINGS_TOPIC: topics.readings,
      MTL_DEAD_LETTER_TOPIC: topics.deadLetters,
      MTL_GROUP_ID: replica === 0 ? `e2e-${id}-writer` : `e2e-${id}-writer-r${replica + 1}`,
      MTL_INSTANCE_ID: replica === 0 ? instanceId(n) : `${instanceId(n)}-r${replica + 1}`,
      MTL_INFLUX_URL: influx.url,
      MTL_INFLUX_TOKEN: influx.token,
      MTL_INFLUX_DATABASE: database,
      MTL_RETRY_MAX_MS: '2000',
      // A killed writer's successor takes over after this; tests need not wait the 30 s default.
      MTL_KAFKA_SESSION_TIMEOUT_MS: '10000',
      MTL_OPS_PORT: String(replica === 0 ? opsPorts[2 * n + 1] : opsPorts[2 * instances + (replica - 1) * instances + n]),
      MTL_LOG_LEVEL: options.logLevel ?? 'info',
      ...(replica > 0 && options.replicasCopyFigures ? replicaFigureEnv : {}),
      ...options.writerEnv,
    },
    workDir,
    replica > 0 ? `writer-${n + 1}-r${replica + 1}` : n === 0 ? 'writer' : `writer-${n + 1}`,
  );
  const ingests = Array.from({ length: instances }, (_, n) => ingestOf(n));
  const writers = Array.from({ length: instances }, (_, n) => writerOf(n));
  const replicas = await Promise.all(
    replicaTargets.map(async (target, i) => {
      const replicaStore = new InfluxStore({ url: target.url, token: target.token, database });
      await replicaStore.influxQl(`CREATE DATABASE ${database}`);
      const groupId = `e2e-${id}-writer-r${i + 2}`;
      return { store: replicaStore, writers: Array.from({ length: instances }, (_, n) => writerOf(n, i + 1, target)), writerLag: () => groupLag(stack, groupId, topics.readings) };
    }),
  );

  return {
    id,
    manifest,
    ingest: ingests[0]!,
    writer: writers[0]!,
    ingests,
    writers,
    replicas,
    topics,
    database,
    store,
    workDir,
    mqtt: mqttNames,
    broker,
    deadLetters: async () => (await readTopic<unknown>(stack, topics.deadLetters)).map((json) => decodeOrThrow(deadLetterCodec, Buffer.from(JSON.stringify(json)))),
    writerLag: () => groupLag(stack, `e2e-${id}-writer`, topics.readings),
    close: async () => {
      await Promise.allSettled([...ingests, ...writers, ...replicas.flatMap((r) => r.writers)].map((service) => service.stop()));
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
