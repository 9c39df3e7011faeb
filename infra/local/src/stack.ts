import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DEV_INFLUX_ADMIN, DEV_SERVICE_PASSWORDS, INGEST_MQTT_USER, MONITOR_MQTT_USER, devDevices } from './dev-credentials.ts';
import type { Installation, InstallOptions } from './install.ts';
import { ensureInstalled } from './install.ts';
import type { InfluxAdmin, InfluxHandle } from './influx.ts';
import { influx } from './influx.ts';
import type { KafkaHandle } from './kafka.ts';
import { kafka } from './kafka.ts';
import type { MosquittoHandle, MqttUser } from './mosquitto.ts';
import { deviceAcl, mosquitto } from './mosquitto.ts';
import { freePorts } from './ports.ts';

export interface StackPorts {
  readonly mqtt: number;
  readonly kafka: number;
  readonly kafkaController: number;
  readonly influxHttp: number;
  readonly influxRpc: number;
}

/** Where to reach the services: plain data, safe to hand to tests through vitest's `provide()`. */
export interface StackConnection {
  readonly mqtt: { readonly url: string; readonly host: string; readonly port: number; readonly users: readonly MqttUser[] };
  readonly kafka: { readonly brokers: readonly string[] };
  readonly influx: { readonly url: string; readonly token: string; readonly username: string; readonly password: string; readonly org: '' };
}

/** What both launchers (native processes, containers) return. */
export interface StackHandle {
  readonly connection: StackConnection;
  stop(): Promise<void>;
}

export interface NativeStack extends StackHandle {
  readonly services: { readonly mosquitto: MosquittoHandle; readonly kafka: KafkaHandle; readonly influx: InfluxHandle };
}

export interface StackOptions {
  /** Each service gets `<baseDir>/<service>` as its data directory. */
  readonly baseDir: string;
  /** Fixed ports; any port left out is picked free. */
  readonly ports?: Partial<StackPorts>;
  /** MQTT accounts; default: the dev service users and 20 dev devices. */
  readonly mqttUsers?: readonly MqttUser[];
  /** ACL text; default: {@link deviceAcl} for the dev devices and service users. */
  readonly mqttAcl?: string;
  readonly influxAdmin?: InfluxAdmin;
  /** Keep the services running after this process exits (the CLI). */
  readonly detached?: boolean;
  readonly install?: InstallOptions;
}

export function defaultMqttUsers(): MqttUser[] {
  return [
    ...Object.entries(DEV_SERVICE_PASSWORDS).map(([username, password]) => ({ username, password })),
    ...devDevices(20),
  ];
}

export function defaultMqttAcl(users: readonly MqttUser[]): string {
  const services = [INGEST_MQTT_USER, MONITOR_MQTT_USER];
  const serviceNames = new Set(services.map((s) => s.username));
  return deviceAcl(users.map((u) => u.username).filter((u) => !serviceNames.has(u)), services);
}

async function resolvePorts(ports: Partial<StackPorts> = {}): Promise<StackPorts> {
  const free = await freePorts(5);
  const pick = (given: number | undefined, i: number): number => given ?? free[i]!;
  return {
    mqtt: pick(ports.mqtt, 0),
    kafka: pick(ports.kafka, 1),
    kafkaController: pick(ports.kafkaController, 2),
    influxHttp: pick(ports.influxHttp, 3),
    influxRpc: pick(ports.influxRpc, 4),
  };
}

/** The handles for a stack in `baseDir`, not started (the CLI uses them to inspect and stop). */
export function stackServices(options: StackOptions & { readonly ports: StackPorts; readonly installation?: Installation }): NativeStack['services'] {
  const installation = options.installation;
  const users = options.mqttUsers ?? defaultMqttUsers();
  const common = { installation, detached: options.detached ?? false };
  return {
    mosquitto: mosquitto({ ...common, dir: join(options.baseDir, 'mosquitto'), port: options.ports.mqtt, users, acl: options.mqttAcl ?? defaultMqttAcl(users) }),
    kafka: kafka({ ...common, dir: join(options.baseDir, 'kafka'), port: options.ports.kafka, controllerPort: options.ports.kafkaController }),
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
    mqtt: { url: m.url, host: '127.0.0.1', port: m.port, users },
    kafka: { brokers: k.brokers },
    influx: { url: i.url, token: i.token, username: i.admin.username, password: i.admin.password, org: '' },
  };
}

/**
 * Starts Mosquitto, Kafka and InfluxDB as native processes under `baseDir` (installing them first
 * if needed) and returns their handles and connection details. Services start in parallel; if one
 * fails, the others are stopped before the error is rethrown.
 */
export async function startStack(options: StackOptions): Promise<NativeStack> {
  const ports = await resolvePorts(options.ports);
  const installation = await ensureInstalled(options.install);
  const services = stackServices({ ...options, ports, installation });
  await Promise.all(Object.values(services).map((s) => mkdir(s.dir, { recursive: true })));
  const results = await Promise.allSettled([services.mosquitto.start(), services.kafka.start(), services.influx.start()]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) {
    await Promise.allSettled(Object.values(services).map((s) => s.stop()));
    throw failed.reason;
  }
  const users = options.mqttUsers ?? defaultMqttUsers();
  return { services, connection: connectionOf(services, users), stop: () => stopStack({ services }) };
}

/** Stops every service of the stack (SIGTERM, then SIGKILL after a timeout), in parallel. */
export async function stopStack(stack: Pick<NativeStack, 'services'>): Promise<void> {
  const results = await Promise.allSettled(Object.values(stack.services).map((s) => s.stop()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}
