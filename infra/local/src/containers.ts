/**
 * The same stack as `startStack`, in containers, for hosts where a Docker engine is reachable
 * (the project's own machines have none: this path is typechecked here, not run).
 * InfluxDB is 1.8 here too, so the connection details (token `user:password`, database as bucket)
 * are identical to the native stack's.
 */
import type * as TestcontainersModule from 'testcontainers';
import type { StartedTestContainer } from 'testcontainers';
import { DEV_INFLUX_ADMIN } from './dev-credentials.ts';
import { StackError } from './errors.ts';
import { freePort } from './ports.ts';
import type { StackConnection, StackHandle, StackOptions } from './stack.ts';
import { defaultMqttAcl, defaultMqttUsers } from './stack.ts';

export const CONTAINER_IMAGES = Object.freeze({
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

const MOSQUITTO_CONF = `listener 1883 0.0.0.0
allow_anonymous false
password_file /mosquitto/config/passwd
acl_file /mosquitto/config/acl
persistence true
persistence_location /mosquitto/data/
max_queued_messages 1000000
max_inflight_messages 1000
set_tcp_nodelay true
log_dest stderr
`;

export async function startStackWithContainers(options: Pick<StackOptions, 'mqttUsers' | 'mqttAcl' | 'influxAdmin'> = {}): Promise<StackHandle> {
  const testcontainers = await loadTestcontainers();
  if (testcontainers === undefined || !(await dockerAvailable())) {
    throw new StackError('MTL_STACK_DOCKER_UNAVAILABLE', 'testcontainers not installed or no Docker engine reachable: use startStack() (native processes) instead');
  }
  const { GenericContainer, Wait, getContainerRuntimeClient } = testcontainers;
  const host = (await getContainerRuntimeClient()).info.containerRuntime.host;
  const users = options.mqttUsers ?? defaultMqttUsers();
  const admin = options.influxAdmin ?? DEV_INFLUX_ADMIN;
  // Kafka must advertise the address clients use, so its host port is chosen before it starts.
  const kafkaPort = await freePort();
  const started: StartedTestContainer[] = [];
  try {
    const [mqttContainer, , influxContainer] = await Promise.all([
      new GenericContainer(CONTAINER_IMAGES.mosquitto)
        .withCopyContentToContainer([
          { content: MOSQUITTO_CONF, target: '/mosquitto/config/mosquitto.conf' },
          { content: users.map((u) => `${u.username}:${u.password}\n`).join(''), target: '/mosquitto/config/passwd', mode: 0o600 },
          { content: options.mqttAcl ?? defaultMqttAcl(users), target: '/mosquitto/config/acl', mode: 0o600 },
        ])
        .withCommand(['sh', '-c', 'mosquitto_passwd -U /mosquitto/config/passwd && exec mosquitto -c /mosquitto/config/mosquitto.conf'])
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
    const connection: StackConnection = {
      mqtt: {
        url: `mqtt://${mqttContainer.getHost()}:${mqttContainer.getMappedPort(1883)}`,
        host: mqttContainer.getHost(),
        port: mqttContainer.getMappedPort(1883),
        users,
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
