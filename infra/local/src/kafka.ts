import { randomBytes } from 'node:crypto';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { StackError } from './errors.ts';
import type { Installation } from './install.ts';
import { ensureInstalled } from './install.ts';
import { ManagedProcess } from './managed-process.ts';
import type { ServiceHandle } from './mosquitto.ts';
import { LOOPBACK, tcpAnswers } from './ports.ts';
import { runCommand } from './run-command.ts';

export interface KafkaOptions {
  readonly dir: string;
  readonly port: number;
  readonly controllerPort: number;
  readonly detached?: boolean;
  readonly installation?: Installation;
  readonly startTimeoutMs?: number;
  /** Extra or overriding server.properties entries. */
  readonly properties?: Readonly<Record<string, string | number | boolean>>;
  /** One node of a cluster (kafkaCluster); without it, a single node that is its own quorum. */
  readonly cluster?: ClusterMembership;
  /** Maximum heap; default 768m (a single node), less for each node of a cluster. */
  readonly heap?: string;
  /**
   * A second client listener, `ROUTED`, on `port` but advertised as `advertisedPort`: clients that
   * bootstrap through it are told to reach the node at the advertised port, where a fault proxy
   * forwards to it. The chaos suite partitions one service from Kafka this way while the others,
   * and the replication between nodes, keep the plain listener.
   */
  readonly routedListener?: { readonly port: number; readonly advertisedPort: number };
}

/** A node's place in a cluster of combined broker + controller nodes with a static quorum. */
interface ClusterMembership {
  readonly nodeId: number;
  readonly voters: readonly { readonly nodeId: number; readonly controllerPort: number }[];
  /** Read when the node's storage is formatted: every node of a cluster has the same. */
  readonly clusterId: () => Promise<string>;
}

interface KafkaNodeHandle extends ServiceHandle {
  readonly nodeId: number;
  readonly port: number;
  readonly controllerPort: number;
}

export interface KafkaHandle extends ServiceHandle {
  readonly port: number;
  readonly controllerPort: number;
  /** `['127.0.0.1:<port>', …]`: every node's listener. */
  readonly brokers: readonly string[];
  /** The nodes, for faults that hit one (a single node's handle lists itself). */
  readonly nodes: readonly KafkaNodeHandle[];
  createTopics(topics: readonly TopicSpec[]): Promise<void>;
}

export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  readonly configs?: Readonly<Record<string, string>>;
}

/** JVM flags: the test machines have 2 cores shared by everything, so keep Kafka small. */
const jvmFlags = (heap: string) => [
  '-Xms256m',
  `-Xmx${heap}`,
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:+ExitOnOutOfMemoryError',
  '-Djava.awt.headless=true',
];

/** A cluster's replication: every partition on 3 nodes, a write acknowledged once 2 have it. */
export const CLUSTER_REPLICATION = {
  'default.replication.factor': 3,
  'min.insync.replicas': 2,
  'offsets.topic.replication.factor': 3,
  'transaction.state.log.replication.factor': 3,
  'transaction.state.log.min.isr': 2,
  'share.coordinator.state.topic.replication.factor': 3,
  'share.coordinator.state.topic.min.isr': 2,
} as const;

// One broker: every internal topic has a single replica.
const SINGLE_NODE_REPLICATION = {
  'default.replication.factor': 1,
  'offsets.topic.replication.factor': 1,
  'transaction.state.log.replication.factor': 1,
  'transaction.state.log.min.isr': 1,
  'share.coordinator.state.topic.replication.factor': 1,
  'share.coordinator.state.topic.min.isr': 1,
} as const;

function quorumProperties(options: KafkaOptions): Record<string, string | number> {
  const cluster = options.cluster;
  if (!cluster) return { 'node.id': 1, 'controller.quorum.bootstrap.servers': `${LOOPBACK}:${options.controllerPort}` };
  // A static quorum: every node votes, so the cluster has a controller while 2 of 3 are up.
  return { 'node.id': cluster.nodeId, 'controller.quorum.voters': cluster.voters.map((v) => `${v.nodeId}@${LOOPBACK}:${v.controllerPort}`).join(',') };
}

function listenerProperties(options: KafkaOptions): Record<string, string> {
  const plain = [`PLAINTEXT://${LOOPBACK}:${options.port}`, `CONTROLLER://${LOOPBACK}:${options.controllerPort}`];
  const routed = options.routedListener;
  return {
    listeners: [...plain, ...(routed ? [`ROUTED://${LOOPBACK}:${routed.port}`] : [])].join(','),
    'advertised.listeners': [...plain, ...(routed ? [`ROUTED://${LOOPBACK}:${routed.advertisedPort}`] : [])].join(','),
  };
}

function serverProperties(options: KafkaOptions, dir: string): string {
  const props: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    ...quorumProperties(options),
    ...listenerProperties(options),
    'inter.broker.listener.name': 'PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,ROUTED:PLAINTEXT',
    'log.dirs': join(dir, 'data'),
    'num.partitions': 6,
    // Topics are created explicitly (createTopics): a typo in a topic name must fail, not create a topic.
    'auto.create.topics.enable': false,
    ...(options.cluster ? CLUSTER_REPLICATION : SINGLE_NODE_REPLICATION),
    // 50 offsets partitions (default) take seconds to create on 2 cores at the first group join.
    'offsets.topic.num.partitions': 6,
    'transaction.state.log.num.partitions': 6,
    // Consumers in tests join at once: do not wait 3 s for more members before the first assignment.
    'group.initial.rebalance.delay.ms': 0,
    'num.network.threads': 2,
    'num.io.threads': 4,
    'num.recovery.threads.per.data.dir': 1,
    ...options.properties,
  };
  return `# Generated by @meterline/local-stack.\n${Object.entries(props).map(([k, v]) => `${k}=${String(v)}`).join('\n')}\n`;
}

const LOG4J2 = `# Generated by @meterline/local-stack: everything to stderr, which the launcher appends to kafka.log.
status = warn
appender.stderr.type = Console
appender.stderr.name = STDERR
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stderr.ref = STDERR
logger.statechange.name = state.change.logger
logger.statechange.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
`;

/** A Kafka cluster id: 16 random bytes as unpadded base64url, not starting with '-' (as Kafka's Uuid.randomUuid). */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function kafkaClient(brokers: readonly string[], clientId: string): Kafka {
  return new Kafka({ clientId, brokers: [...brokers], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
}

/** True once the broker answers a metadata request and reports itself as a live broker. */
async function metadataAnswers(brokers: readonly string[]): Promise<boolean> {
  const admin = kafkaClient(brokers, 'meterline-local-stack-probe').admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } finally {
    await admin.disconnect();
  }
}

const LEADERS_TIMEOUT_MS = 30_000;

/**
 * Waits until every partition of the topics has a leader. kafkajs's own `waitForLeaders` retries
 * only LEADER_NOT_AVAILABLE, but a KRaft broker answers a topic just created with
 * UNKNOWN_TOPIC_OR_PARTITION until its metadata has caught up (seen on a loaded machine): both
 * are retriable, so both are waited out here.
 */
async function waitForLeaders(admin: Admin, topics: string[]): Promise<void> {
  const deadline = Date.now() + LEADERS_TIMEOUT_MS;
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      if (found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (cause) {
      // kafkajs marks the errors worth retrying; its error classes are not named exports under Node's ESM loader.
      if ((cause as { retriable?: unknown }).retriable !== true || Date.now() >= deadline) throw cause;
    }
    if (Date.now() >= deadline) throw new Error(`no leader for every partition of ${topics.join(', ')} after ${LEADERS_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Whether every topic is listed before the leaders' timeout. */
async function listedInTime(admin: Admin, topics: string[]): Promise<boolean> {
  const deadline = Date.now() + LEADERS_TIMEOUT_MS;
  for (;;) {
    const listed = new Set(await admin.listTopics());
    if (topics.every((t) => listed.has(t))) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Creates topics and waits for their leaders; existing topics are left as they are. On a cluster
 * of three or more nodes each partition gets three replicas (the nodes' `min.insync.replicas` of
 * 2 then lets one node be down without refusing writes); on a single node, one.
 */
export async function createTopics(brokers: readonly string[], topics: readonly TopicSpec[]): Promise<void> {
  const admin = new Kafka({ clientId: 'meterline-local-stack', brokers: [...brokers], logLevel: logLevel.ERROR }).admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return;
    const replicationFactor = Math.min(3, (await admin.describeCluster()).brokers.length);
    const create = admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((t) => ({
        topic: t.topic,
        numPartitions: t.partitions,
        replicationFactor,
        configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
    await create.catch(async (cause: unknown) => {
      // kafkajs's own wait gives up on the first UNKNOWN_TOPIC_OR_PARTITION, though the topics were
      // created: then they are waited for here, listed and then led. Under load the listing lags
      // the creation too (seen on a busy two-core host). kafkajs's wait stays the first resort, since
      // a lighter one (metadata naming a leader) let a producer's first send be retried into duplicates.
      if ((cause as { retriable?: unknown }).retriable !== true) throw cause;
      if (!(await listedInTime(admin, missing.map((t) => t.topic)))) throw cause;
      await waitForLeaders(admin, missing.map((t) => t.topic));
    });
  } catch (cause) {
    throw new StackError('MTL_STACK_REQUEST_FAILED', `creating Kafka topics ${topics.map((t) => t.topic).join(', ')} failed: ${(cause as Error).message}`, { cause });
  } finally {
    await admin.disconnect();
  }
}

/** One KRaft node (broker + controller in one JVM): its own quorum, or a member of a cluster's. */
function kafkaNode(options: KafkaOptions): KafkaNodeHandle {
  const dir = options.dir;
  const propsFile = join(dir, 'server.properties');
  const log4jFile = join(dir, 'log4j2.properties');
  const logFile = join(dir, 'kafka.log');
  const name = options.cluster ? `kafka-${options.cluster.nodeId}` : 'kafka';
  let installation = options.installation;
  const proc = new ManagedProcess({
    name,
    cwd: dir,
    logFile,
    pidFile: join(dir, 'kafka.pid'),
    cmdlineMarker: propsFile,
    detached: options.detached ?? false,
    ports: [options.port, options.controllerPort, ...(options.routedListener ? [options.routedListener.port] : [])],
  });
  const formatArgs = async (): Promise<string[]> =>
    // A single node is a single-voter (standalone) quorum; a cluster's nodes share an id and the voters in their properties.
    options.cluster ? ['-t', await options.cluster.clusterId()] : ['--standalone', '-t', clusterId()];

  return {
    name,
    dir,
    logFile,
    nodeId: options.cluster?.nodeId ?? 1,
    port: options.port,
    controllerPort: options.controllerPort,
    async start() {
      const install = (installation ??= await ensureInstalled());
      if ((await proc.runningPid()) === undefined) {
        await mkdir(join(dir, 'data'), { recursive: true });
        await writeFile(propsFile, serverProperties(options, dir));
        await writeFile(log4jFile, LOG4J2);
        const formatted = await access(join(dir, 'data', 'meta.properties')).then(
          () => true,
          () => false,
        );
        if (!formatted) {
          // First start in this directory: format the storage.
          await runCommand(
            install.kafka.java,
            ['-Xmx256m', `-Dlog4j2.configurationFile=${log4jFile}`, '-cp', install.kafka.classpath, 'kafka.tools.StorageTool', 'format', ...(await formatArgs()), '-c', propsFile],
            { errorCode: 'MTL_STACK_START_FAILED' },
          );
        }
      }
      const launch = {
        command: install.kafka.java,
        args: [...jvmFlags(options.heap ?? '768m'), `-Dlog4j2.configurationFile=${log4jFile}`, '-cp', install.kafka.classpath, 'kafka.Kafka', propsFile],
      };
      await proc.start(launch, {
        timeoutMs: options.startTimeoutMs ?? 120_000,
        pollMs: 500,
        probe: async () => (await tcpAnswers(options.port)) && (await metadataAnswers([`${LOOPBACK}:${options.port}`])),
      });
    },
    stop: (timeoutMs) => proc.stop(timeoutMs ?? 60_000),
    kill: () => proc.kill(),
    runningPid: () => proc.runningPid(),
  };
}

/** Apache Kafka 4 in KRaft combined mode (broker + controller, one node) as a native JVM process. */
export function kafka(options: KafkaOptions): KafkaHandle {
  const node = kafkaNode(options);
  const brokers = [`${LOOPBACK}:${options.port}`] as const;
  return {
    ...node,
    brokers,
    nodes: [node],
    createTopics: (topics) => createTopics(brokers, topics),
  };
}

export interface KafkaClusterOptions {
  /** Node n keeps its data in `<dir>/node-<n>`. */
  readonly dir: string;
  /** One entry per node: three for a cluster that stays writable with one node down. */
  readonly nodes: readonly { readonly port: number; readonly controllerPort: number; readonly routedListener?: KafkaOptions['routedListener'] }[];
  readonly detached?: boolean;
  readonly installation?: Installation;
  readonly startTimeoutMs?: number;
}

/** The cluster's id, made once and kept in `<dir>/cluster-id`, so a node formatted later joins the same cluster. */
async function sharedClusterId(dir: string): Promise<string> {
  const file = join(dir, 'cluster-id');
  const kept = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    () => undefined,
  );
  if (kept) return kept;
  const id = clusterId();
  await mkdir(dir, { recursive: true });
  await writeFile(file, `${id}\n`, { flag: 'wx' }).catch((error: unknown) => {
    // Another process starting this cluster wrote it first: theirs is read below.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  });
  return (await readFile(file, 'utf8')).trim();
}

/**
 * A Kafka cluster of combined KRaft nodes, each a voter of one static quorum: topics get three
 * replicas, a write needs two (`min.insync.replicas`), so any one node may die. Started, stopped
 * and killed as one service; `nodes` reach a single node for faults.
 */
export function kafkaCluster(options: KafkaClusterOptions): KafkaHandle {
  const voters = options.nodes.map((n, i) => ({ nodeId: i + 1, controllerPort: n.controllerPort }));
  const clusterIdOnce = (() => {
    let id: Promise<string> | undefined;
    return () => (id ??= sharedClusterId(options.dir));
  })();
  const nodes = options.nodes.map((n, i) =>
    kafkaNode({
      dir: join(options.dir, `node-${i + 1}`),
      port: n.port,
      controllerPort: n.controllerPort,
      ...(n.routedListener ? { routedListener: n.routedListener } : {}),
      heap: '512m',
      cluster: { nodeId: i + 1, voters, clusterId: clusterIdOnce },
      ...(options.detached !== undefined ? { detached: options.detached } : {}),
      ...(options.installation !== undefined ? { installation: options.installation } : {}),
      ...(options.startTimeoutMs !== undefined ? { startTimeoutMs: options.startTimeoutMs } : {}),
    }),
  );
  const brokers = options.nodes.map((n) => `${LOOPBACK}:${n.port}`);
  const first = nodes[0];
  if (!first) throw new StackError('MTL_STACK_START_FAILED', 'a Kafka cluster needs at least one node');
  const all = async (act: (node: KafkaNodeHandle) => Promise<void>) => {
    const results = await Promise.allSettled(nodes.map(act));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };
  return {
    name: 'kafka',
    dir: options.dir,
    logFile: first.logFile,
    port: first.port,
    controllerPort: first.controllerPort,
    brokers,
    nodes,
    // In parallel: a node is ready only once the quorum has a leader, which takes a majority.
    start: () => all((node) => node.start()),
    stop: (timeoutMs) => all((node) => node.stop(timeoutMs)),
    kill: () => all((node) => node.kill()),
    runningPid: () => first.runningPid(),
    createTopics: (topics) => createTopics(brokers, topics),
  };
}
