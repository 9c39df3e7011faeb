import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfluxDB, Point } from '@influxdata/influxdb-client';
import { ConfigResourceTypes, Kafka, Partitioners, logLevel } from 'kafkajs';
import mqtt from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST_MQTT_USER, MTL_TOPIC_SPECS, devDevices, provisionDevStackAccounts, startStack } from '../src/index.ts';
import type { NativeStack } from '../src/index.ts';

const STARTUP_MS = 240_000;

let baseDir: string;
let stack: NativeStack;
const clients: MqttClient[] = [];

beforeAll(async () => {
  baseDir = await mkdtemp(join(tmpdir(), 'mtl-stack-test-'));
  stack = await startStack({ baseDir });
}, STARTUP_MS);

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.endAsync()));
  await stack?.stop();
  await rm(baseDir, { recursive: true, force: true });
}, 120_000);

function userNamed(username: string): { username: string; password: string } {
  const user = stack.connection.mqtt.users.find((u) => u.username === username);
  if (user === undefined) throw new Error(`no MQTT user ${username} in the stack`);
  return user;
}

async function connect(options: IClientOptions): Promise<MqttClient> {
  const client = await mqtt.connectAsync(stack.connection.mqtt.url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000, ...options });
  clients.push(client);
  return client;
}

async function connectError(options: IClientOptions): Promise<unknown> {
  return connect(options).then(
    () => new Error('connection was accepted'),
    (error: unknown) => error,
  );
}

describe('mosquitto', () => {
  it('refuses anonymous clients and wrong passwords', async () => {
    expect(await connectError({})).toMatchObject({ code: 135 });
    // mosquitto 2.0.11 answers a wrong password with 135 (not authorized), not 134 (bad user name or password).
    expect(await connectError({ username: 'dev-meter-001', password: 'wrong' })).toMatchObject({ code: 135 });
  });

  it('lets a device publish on its own topic, to a $share subscriber, and refuses another device topic', async () => {
    const ingest = await connect({ ...userNamed(INGEST_MQTT_USER.username), clientId: `ingest:${randomUUID()}` });
    const received: string[] = [];
    ingest.on('message', (topic) => received.push(topic));
    const granted = await ingest.subscribeAsync('$share/ingest/meterline/v1/+/readings', { qos: 1 });
    expect(granted[0]?.qos).toBe(1);

    const device = await connect({ ...userNamed('dev-meter-001'), clientId: 'dev-meter-001' });
    await device.publishAsync('meterline/v1/dev-meter-001/readings', '{"ok":true}', { qos: 1 });
    await expect(device.publishAsync('meterline/v1/dev-meter-002/readings', '{"spoof":true}', { qos: 1 })).rejects.toMatchObject({ code: 135 });

    await expect.poll(() => received, { timeout: 5000 }).toEqual(['meterline/v1/dev-meter-001/readings']);
  });

  it("binds a dev device to its own client id and refuses its subscriptions (the broker's policy, issue 13)", async () => {
    expect(await connectError({ ...userNamed('dev-meter-002'), clientId: 'dev-meter-003' })).toMatchObject({ code: 135 });
    const device = await connect({ ...userNamed('dev-meter-002'), clientId: 'dev-meter-002' });
    await expect(device.subscribeAsync('$share/ingest/meterline/v1/+/readings', { qos: 1 })).rejects.toMatchObject({ packet: { granted: [135] } });
  });

  it('provisions more devices on the running broker without a restart, and leaves a connected device connected', async () => {
    const pidBefore = await stack.services.mosquitto.runningPid();
    const connected = await connect({ ...userNamed('dev-meter-004'), clientId: 'dev-meter-004' });
    let dropped = false;
    connected.on('close', () => (dropped = true));
    const report = await provisionDevStackAccounts(stack.services.mosquitto, { devDeviceCount: 22 });
    expect(report.created).toEqual(['dev-meter-021', 'dev-meter-022']);
    expect(report.unchanged).toHaveLength(20);
    const added = devDevices(22).at(-1)!;
    const device = await connect({ ...added, clientId: added.username });
    await device.publishAsync(`meterline/v1/${added.username}/readings`, 'x', { qos: 1 });
    await connected.publishAsync('meterline/v1/dev-meter-004/readings', 'still here', { qos: 1 });
    expect(dropped).toBe(false);
    expect(await stack.services.mosquitto.runningPid()).toBe(pidBefore);
  });
});

describe('kafka', () => {
  it('creates topics and carries a message from producer to consumer group', async () => {
    const suffix = randomUUID().slice(0, 8);
    const topic = `test.roundtrip.${suffix}`;
    const compacted = `test.compacted.${suffix}`;
    await stack.services.kafka.createTopics([
      { topic, partitions: 3 },
      { topic: compacted, partitions: 1, configs: { 'cleanup.policy': 'compact' } },
    ]);
    // Creating again is a no-op, not an error.
    await stack.services.kafka.createTopics([{ topic, partitions: 3 }]);

    const client = new Kafka({ clientId: 'local-stack-test', brokers: [...stack.connection.kafka.brokers], logLevel: logLevel.NOTHING });
    const admin = client.admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0]?.partitions).toHaveLength(3);
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: compacted, configNames: ['cleanup.policy'] }],
    });
    expect(configs.resources[0]?.configEntries[0]?.configValue).toBe('compact');
    await admin.disconnect();

    const producer = client.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'mp-1', value: 'reading-1' }] });
    await producer.disconnect();

    const consumer = client.consumer({ groupId: `test-${suffix}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const values: string[] = [];
    await consumer.run({
      eachMessage: ({ message }) => {
        values.push(message.value?.toString() ?? '');
        return Promise.resolve();
      },
    });
    await expect.poll(() => values, { timeout: 60_000, interval: 200 }).toEqual(['reading-1']);
    await consumer.disconnect();
  }, 90_000);

  it('refuses to produce to a topic that was not created (auto-creation is off)', async () => {
    const client = new Kafka({ clientId: 'local-stack-test', brokers: [...stack.connection.kafka.brokers], logLevel: logLevel.NOTHING, retry: { retries: 1 } });
    const producer = client.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await expect(producer.send({ topic: `test.absent.${randomUUID().slice(0, 8)}`, messages: [{ value: 'x' }] })).rejects.toThrow();
    await producer.disconnect();
  }, 30_000);

  it('keeps its data across stop and start in the same directory', async () => {
    const topic = `test.restart.${randomUUID().slice(0, 8)}`;
    await stack.services.kafka.createTopics([{ topic, partitions: 1 }]);
    const client = new Kafka({ clientId: 'local-stack-test', brokers: [...stack.connection.kafka.brokers], logLevel: logLevel.NOTHING });
    const producer = client.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'before-restart' }] });
    await producer.disconnect();

    await stack.services.kafka.stop();
    expect(await stack.services.kafka.runningPid()).toBeUndefined();
    await stack.services.kafka.start();

    const admin = client.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    expect(offsets).toEqual([expect.objectContaining({ partition: 0, low: '0', high: '1' })]);
  }, 120_000);

  it('creates the Meterline v1 topics', async () => {
    await stack.services.kafka.createTopics(MTL_TOPIC_SPECS);
    const admin = new Kafka({ brokers: [...stack.connection.kafka.brokers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: MTL_TOPIC_SPECS.map((t) => t.topic) });
    await admin.disconnect();
    expect(Object.fromEntries(metadata.topics.map((t) => [t.name, t.partitions.length]))).toEqual(
      Object.fromEntries(MTL_TOPIC_SPECS.map((t) => [t.topic, t.partitions])),
    );
  }, 30_000);
});

describe('influxdb', () => {
  const database = `test_${randomUUID().slice(0, 8)}`;

  async function values(): Promise<unknown[][]> {
    const result = await stack.services.influx.query('SELECT "value" FROM "reading" WHERE "point" = \'mp-1\'', database);
    return [...(result.results[0]?.series?.[0]?.values ?? [])];
  }

  it('writes through the v2 write API (token user:password, org "") and reads back with InfluxQL', async () => {
    await stack.services.influx.createDatabase(database);
    const { url, token, org } = stack.connection.influx;
    const writeApi = new InfluxDB({ url, token }).getWriteApi(org, database, 'ms', { maxRetries: 0 });
    writeApi.writePoint(new Point('reading').tag('point', 'mp-1').floatField('value', 42.5).timestamp(new Date('2024-03-01T00:00:00Z')));
    await writeApi.close();
    expect(await values()).toEqual([['2024-03-01T00:00:00Z', 42.5]]);
  });

  it('refuses unauthenticated queries', async () => {
    const response = await fetch(`${stack.connection.influx.url}/query?q=SHOW%20DATABASES`);
    expect(response.status).toBe(401);
  });

  it('keeps its data across stop and start in the same directory', async () => {
    await stack.services.influx.stop();
    expect(await stack.services.influx.runningPid()).toBeUndefined();
    await expect(fetch(`${stack.connection.influx.url}/ping`)).rejects.toThrow();
    await stack.services.influx.start();
    expect(await values()).toEqual([['2024-03-01T00:00:00Z', 42.5]]);
  }, 90_000);
});
