import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DEV_BROKER_ADMIN, DEV_INFLUX_ADMIN, devDevices, devServiceUsers } from './dev-credentials.ts';
import type { Installation, InstallOptions } from './install.ts';
import { ensureInstalled } from './install.ts';
import type { InfluxAdmin, InfluxHandle } from './influx.ts';
import { influx } from './influx.ts';
import type { KafkaHandle } from './kafka.ts';
import { kafka, kafkaCluster } from './kafka.ts';
import type { MosquittoDynsecHandle } from './mosquitto-dynsec.ts';
import { mosquittoDynsec } from './mosquitto-dynsec.ts';
import type { MqttUser } from './mosquitto.ts';
import type { DevicePublishLimit } from '@meterline/contracts';
import { freePorts } from './ports.ts';

export interface StackPorts {
  readonly mqtt: number;
  readonly kafka: number;
  readonly kafkaController: number;
  readonly influxHttp: number;
  readonly influxRpc: number;
  /** The listener and controller ports of Kafka's further nodes (kafkaNodes > 1); picked free when left out. */
  readonly kafkaFurtherNodes?: readonly { readonly port: number; readonly controllerPort: number }[];
}

/** Where to reach the services: plain data, safe to hand to tests through vitest's `provide()`. */
export interface StackConnection {
  /**
   * `users`: the service accounts and the dev devices; `admin`: the dynamic security plugin's
   * admin, with which tests provision device accounts of their own (provisionDeviceAccounts).
   */
  readonly mqtt: { readonly url: string; readonly host: string; readonly port: number; readonly users: readonly MqttUser[]; readonly admin: MqttUser };
  readonly kafka: { readonly brokers: readonly string[] };
  readonly influx: { readonly url: string; readonly token: string; readonly username: string; readonly password: string; readonly org: '' };
}

/** What both launchers (native processes, containers) return. */
export interface StackHandle {
  readonly connection: StackConnection;
  stop(): Promise<void>;
}

export interface NativeStack extends StackHandle {
  readonly services: { readonly mosquitto: MosquittoDynsecHandle; readonly kafka: KafkaHandle; readonly influx: InfluxHandle };
}

export interface StackOptions {
  /** Each service gets `<baseDir>/<service>` as its data directory. */
  readonly baseDir: string;
  /** Fixed ports; any port left out is picked free. */
  readonly ports?: Partial<StackPorts>;
  /** Device accounts made once the broker is up; default: 20 dev devices (devDevices). */
  readonly devices?: readonly MqttUser[];
  readonly influxAdmin?: InfluxAdmin;
  /** What each device may publish at the broker; default DEVICE_PUBLISH_LIMIT (benchmarks raise it for their synthetic gateways). */
  readonly devicePublishLimit?: DevicePublishLimit;
  /** Kafka nodes: 1 (default), or 3 for a replicated cluster (kafkaCluster) that survives losing one. */
  readonly kafkaNodes?: 1 | 3;
  /** Per node of a cluster, a second client listener reached through a fault proxy (KafkaOptions.routedListener). */
  readonly kafkaRoutedListeners?: readonly { readonly port: number; readonly advertisedPort: number }[];
  /** Keep the services running after this process exits (the CLI). */
  readonly detached?: boolean;
  readonly install?: InstallOptions;
}

/** Every account of the stack's broker but its admin: the dev service accounts and the devices. */
export function stackMqttUsers(devices: readonly MqttUser[] = devDevices(20)): MqttUser[] {
  return [...devServiceUsers().map(({ username, password }) => ({ username, password })), ...devices];
}

/**
 * The stack's broker in `dir`: Mosquitto with the dynamic security plugin, seeded with the dev
 * admin and service accounts at its first start. Handles made on the same directory and port
 * (the CLI's, a test pipeline's) adopt the running broker.
 */
export function stackBroker(options: {
  readonly dir: string;
  readonly port: number;
  readonly detached?: boolean;
  readonly installation?: Installation | undefined;
  readonly publishLimit?: DevicePublishLimit | undefined;
}): MosquittoDynsecHandle {
  return mosquittoDynsec({
    dir: options.dir,
    port: options.port,
    admin: DEV_BROKER_ADMIN,
    serviceUsers: devServiceUsers(),
    detached: options.detached ?? false,
    ...(options.publishLimit !== undefined ? { publishLimit: options.publishLimit } : {}),
    ...(options.installation !== undefined ? { installation: options.installation } : {}),
  });
}

async function resolvePorts(ports: Partial<StackPorts> = {}, kafkaNodes = 1, taken: readonly number[] = []): Promise<StackPorts> {
  const free = await freePorts(5 + 2 * (kafkaNodes - 1), taken);
  const pick = (given: number | undefined, i: number): number => given ?? free[i]!;
  return {
    mqtt: pick(ports.mqtt, 0),
    kafka: pick(ports.kafka, 1),
    kafkaController: pick(ports.kafkaController, 2),
    influxHttp: pick(ports.influxHttp, 3),
    influxRpc: pick(ports.influxRpc, 4),
    kafkaFurtherNodes: ports.kafkaFurtherNodes ?? Array.from({ length: kafkaNodes - 1 }, (_, i) => ({ port: free[5 + 2 * i]!, controllerPort: free[6 + 2 * i]! })),
  };
}

function stackKafka(options: StackOptions & { readonly ports: StackPorts; readonly installation?: Installation | undefined }): KafkaHandle {
  const common = { installation: options.installation, detached: options.detached ?? false };
  const dir = join(options.baseDir, 'kafka');
  const first = { port: options.ports.kafka, controllerPort: options.ports.kafkaController };
  if ((options.kafkaNodes ?? 1) === 1) return kafka({ ...common, dir, ...first });
  const further = options.ports.kafkaFurtherNodes ?? [];
  if (further.length + 1 !== options.kafkaNodes) throw new Error(`a Kafka cluster of ${options.kafkaNodes} nodes needs the ports of ${(options.kafkaNodes ?? 1) - 1} further nodes`);
  const routed = options.kafkaRoutedListeners ?? [];
  const nodes = [first, ...further].map((node, i) => (routed[i] ? { ...node, routedListener: routed[i] } : node));
  return kafkaCluster({ ...common, dir, nodes });
}

/** The handles for a stack in `baseDir`, not started (the CLI uses them to inspect and stop). */
export function stackServices(options: StackOptions & { readonly ports: StackPorts; readonly installation?: Installation }): NativeStack['services'] {
  const installation = options.installation;
  const common = { installation, detached: options.detached ?? false };
  return {
    mosquitto: stackBroker({ ...common, dir: join(options.baseDir, 'mosquitto'), port: options.ports.mqtt, publishLimit: options.devicePublishLimit }),
    kafka: stackKafka(options),
    influx: influx({
      ...common,
      dir: join(options.baseDir, 'influxdb'),
      httpPort: options.ports.influxHttp,
      rpcPort: options.ports.influxRpc,
      admin: options.influxAdmin ?? DEV_INFLUX_ADMIN,
    }),
  };
}

export function connectionOf(services: NativeStack['services'], users: readonly MqttUser[]): StackConnection {
  const { mosquitto: m, kafka: k, influx: i } = services;
  return {
    mqtt: { url: m.url, host: '127.0.0.1', port: m.port, users, admin: m.admin },
    kafka: { brokers: k.brokers },
    influx: { url: i.url, token: i.token, username: i.admin.username, password: i.admin.password, org: '' },
  };
}

/**
 * Starts Mosquitto, Kafka and InfluxDB as native processes under `baseDir` (installing them first
 * if needed), provisions the device accounts, and returns their handles and connection details.
 * Services start in parallel; if one fails, the others are stopped before the error is rethrown.
 */
export async function startStack(options: StackOptions): Promise<NativeStack> {
  // The routed listeners' ports were picked by the caller and are not bound yet: not ours to pick again.
  const routedPorts = (options.kafkaRoutedListeners ?? []).flatMap((r) => [r.port, r.advertisedPort]);
  const ports = await resolvePorts(options.ports, options.kafkaNodes, routedPorts);
  const installation = await ensureInstalled(options.install);
  const services = stackServices({ ...options, ports, installation });
  await Promise.all(Object.values(services).map((s) => mkdir(s.dir, { recursive: true })));
  const results = await Promise.allSettled([services.mosquitto.start(), services.kafka.start(), services.influx.start()]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) {
    await Promise.allSettled(Object.values(services).map((s) => s.stop()));
    throw failed.reason;
  }
  const devices = options.devices ?? devDevices(20);
  try {
    await services.mosquitto.provisionDevices(devices);
  } catch (error) {
    await Promise.allSettled(Object.values(services).map((s) => s.stop()));
    throw error;
  }
  return { services, connection: connectionOf(services, stackMqttUsers(devices)), stop: () => stopStack({ services }) };
}

/** Stops every service of the stack (SIGTERM, then SIGKILL after a timeout), in parallel. */
async function stopStack(stack: Pick<NativeStack, 'services'>): Promise<void> {
  const results = await Promise.allSettled(Object.values(stack.services).map((s) => s.stop()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}
