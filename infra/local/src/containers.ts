/**
 * The same stack as `startStack`, in containers, for hosts where a Docker engine is reachable
 * (the project's own machines have none: this path is typechecked here, not run).
 * InfluxDB is 1.8 here too, so the connection details (token `user:password`, database as bucket)
 * are identical to the native stack's.
 */
import { join } from 'node:path';
import type * as TestcontainersModule from 'testcontainers';
import type { StartedTestContainer } from 'testcontainers';
import { MQTT_MAX_PACKET_BYTES, type DevicePublishLimit } from '@meterline/contracts';
import { DEV_BROKER_ADMIN, DEV_INFLUX_ADMIN, devDevices, devServiceUsers } from './dev-credentials.ts';
import { provisionDeviceAccounts } from './device-provisioning.ts';
import { StackError } from './errors.ts';
import { dynsecSeed } from './mosquitto-dynsec.ts';
import { DEFAULT_BROKER_PERSISTENCE, persistenceConf } from './mosquitto.ts';
import { rateLimitConf } from './mosquitto-rate-limit.ts';
import { freePort } from './ports.ts';
import type { StackConnection, StackHandle, StackOptions } from './stack.ts';
import { stackMqttUsers } from './stack.ts';

const CONTAINER_IMAGES = Object.freeze({
  mosquitto: 'eclipse-mosquitto:2.0.22',
  kafka: 'apache/kafka:4.1.1',
  influxdb: 'influxdb:1.8.10',
});

type Testcontainers = typeof TestcontainersModule;

/**
 * testcontainers is an optional dependency, loaded only here: a machine where it did not
 * install (or whose native SSH add-ons did not build) still runs the native stack.
 */
async function loadTestcontainers(): Promise<Testcontainers | undefined> {
  try {
    return await import('testcontainers');
  } catch (error) {
    if (process.env.MTL_DEBUG === '1') process.stderr.write(`[local-stack] testcontainers not loadable: ${(error as Error).message}\n`);
    return undefined;
  }
}

/** True when testcontainers is installed and can reach a Docker (or compatible) engine. */
export async function dockerAvailable(): Promise<boolean> {
  const testcontainers = await loadTestcontainers();
  if (testcontainers === undefined) return false;
  try {
    await testcontainers.getContainerRuntimeClient();
    return true;
  } catch (error) {
    // No engine is the expected answer on machines without Docker; anything else is worth a note.
    if (process.env.MTL_DEBUG === '1') process.stderr.write(`[local-stack] no container runtime: ${(error as Error).message}\n`);
    return false;
  }
}

/**
 * Where the eclipse-mosquitto image ships the dynamic security plugin, where infra/mosquitto's
 * Dockerfile puts ours, and where the plugin keeps its (writable) state.
 */
const IMAGE_DYNSEC_PLUGIN = '/usr/lib/mosquitto_dynamic_security.so';
const IMAGE_RATE_LIMIT_PLUGIN = '/usr/lib/meterline_rate_limit.so';
const DYNSEC_STATE = '/mosquitto/data/dynamic-security.json';
const MOSQUITTO_BUILD_CONTEXT = join(import.meta.dirname, '..', '..', 'mosquitto');

// The same broker kind and limits as the native stack's (brokerConf), with the image's paths.
const mosquittoConf = (publishLimit: DevicePublishLimit | undefined) => `listener 1883 0.0.0.0
allow_anonymous false
plugin ${IMAGE_DYNSEC_PLUGIN}
plugin_opt_config_file ${DYNSEC_STATE}
${rateLimitConf(IMAGE_RATE_LIMIT_PLUGIN, publishLimit).join('\n')}
${persistenceConf(DEFAULT_BROKER_PERSISTENCE, '/mosquitto/data').join('\n')}
max_queued_messages 1000000
max_queued_bytes 536870912
max_inflight_messages 1000
max_packet_size ${MQTT_MAX_PACKET_BYTES}
set_tcp_nodelay true
log_dest stderr
`;

export async function startStackWithContainers(options: Pick<StackOptions, 'devices' | 'influxAdmin' | 'devicePublishLimit'> = {}): Promise<StackHandle> {
  const testcontainers = await loadTestcontainers();
  if (testcontainers === undefined || !(await dockerAvailable())) {
    throw new StackError('MTL_STACK_DOCKER_UNAVAILABLE', 'testcontainers not installed or no Docker engine reachable: use startStack() (native processes) instead');
  }
  const { GenericContainer, Wait, getContainerRuntimeClient } = testcontainers;
  const host = (await getContainerRuntimeClient()).info.containerRuntime.host;
  const devices = options.devices ?? devDevices(20);
  const admin = options.influxAdmin ?? DEV_INFLUX_ADMIN;
  const seed = `${JSON.stringify(await dynsecSeed(DEV_BROKER_ADMIN, devServiceUsers()), null, 2)}\n`;
  // Kafka must advertise the address clients use, so its host port is chosen before it starts.
  const kafkaPort = await freePort();
  const started: StartedTestContainer[] = [];
  try {
    const [mqttContainer, , influxContainer] = await Promise.all([
      // The image with our publish limit plugin, built from infra/mosquitto/Dockerfile (FROM CONTAINER_IMAGES.mosquitto).
      (await GenericContainer.fromDockerfile(MOSQUITTO_BUILD_CONTEXT).build())
        .withCopyContentToContainer([
          { content: mosquittoConf(options.devicePublishLimit), target: '/mosquitto/config/mosquitto.conf' },
          { content: seed, target: '/mosquitto/config/dynamic-security.seed.json', mode: 0o600 },
        ])
        // The plugin writes its state file: a copy owned by the user the broker drops to.
        .withCommand(['sh', '-c', `cp /mosquitto/config/dynamic-security.seed.json ${DYNSEC_STATE} && chown mosquitto:mosquitto ${DYNSEC_STATE} && exec mosquitto -c /mosquitto/config/mosquitto.conf`])
        .withExposedPorts(1883)
        .withWaitStrategy(Wait.forListeningPorts())
        .start()
        .then((c) => (started.push(c), c)),
      new GenericContainer(CONTAINER_IMAGES.kafka)
        .withEnvironment({
          KAFKA_NODE_ID: '1',
          KAFKA_PROCESS_ROLES: 'broker,controller',
          KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093',
          KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${host}:${kafkaPort}`,
          KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
          KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
          KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
          KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
          KAFKA_NUM_PARTITIONS: '6',
          KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
          KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
          KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
          KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
          KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
          KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
          KAFKA_HEAP_OPTS: '-Xms256m -Xmx768m',
        })
        .withExposedPorts({ container: 9092, host: kafkaPort })
        .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
        .start()
        .then((c) => (started.push(c), c)),
      new GenericContainer(CONTAINER_IMAGES.influxdb)
        .withEnvironment({
          INFLUXDB_REPORTING_DISABLED: 'true',
          INFLUXDB_HTTP_AUTH_ENABLED: 'true',
          INFLUXDB_HTTP_FLUX_ENABLED: 'true',
          INFLUXDB_MONITOR_STORE_ENABLED: 'false',
          INFLUXDB_ADMIN_USER: admin.username,
          INFLUXDB_ADMIN_PASSWORD: admin.password,
        })
        .withExposedPorts(8086)
        .withWaitStrategy(Wait.forHttp('/ping', 8086).forStatusCode(204))
        .start()
        .then((c) => (started.push(c), c)),
    ]);
    const influxUrl = `http://${influxContainer.getHost()}:${influxContainer.getMappedPort(8086)}`;
    const mqttUrl = `mqtt://${mqttContainer.getHost()}:${mqttContainer.getMappedPort(1883)}`;
    await provisionDeviceAccounts({ url: mqttUrl, admin: DEV_BROKER_ADMIN }, devices);
    const connection: StackConnection = {
      mqtt: {
        url: mqttUrl,
        host: mqttContainer.getHost(),
        port: mqttContainer.getMappedPort(1883),
        users: stackMqttUsers(devices),
        admin: DEV_BROKER_ADMIN,
      },
      kafka: { brokers: [`${host}:${kafkaPort}`] },
      influx: { url: influxUrl, token: `${admin.username}:${admin.password}`, username: admin.username, password: admin.password, org: '' },
    };
    return {
      connection,
      stop: async () => {
        await Promise.all(started.map((c) => c.stop()));
      },
    };
  } catch (cause) {
    await Promise.allSettled(started.map((c) => c.stop()));
    throw new StackError('MTL_STACK_START_FAILED', `starting the stack in containers failed: ${(cause as Error).message}`, { cause });
  }
}
