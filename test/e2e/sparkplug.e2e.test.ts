import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceStatusV1 } from '@meterline/contracts';
import type { Manifest } from '@meterline/domain';
import { ensureEdgePeers } from '@meterline/local-stack';
import { fleetManifest } from '@meterline/simulator';
import { createPipeline, devicePassword, type Pipeline } from '../harness/pipeline.ts';
import { parseExposition } from '../harness/dashboard-queries.ts';
import { readTopic } from '../harness/kafka-topics.ts';
import { storedReadings } from '../harness/scenario.ts';
import { serviceMetrics } from '../harness/service-metrics.ts';
import { stackEnv } from '../harness/stack-env.ts';

// Issue 19: Sparkplug B 3.0 edge nodes through the real broker into InfluxDB, against an edge
// node no one here wrote (pysparkplug 0.6.1, driven by test/e2e/peers/sparkplug_edge_node.py):
// births with aliases, data by name and by alias, an out-of-order seq answered by a rebirth
// request, a metric the registry does not map dead-lettered, a death by the broker's Will, a
// reconnect with a new bdSeq. Then what a hostile device can and cannot do on the Sparkplug topics.

const id = randomUUID().slice(0, 6);
const GROUP = `plant-${id}`;
const NODE_SCRIPT = fileURLToPath(new URL('./peers/sparkplug_edge_node.py', import.meta.url));

let pipeline: Pipeline;
let python: string;
let node: string;
let other: string;
let point: string;

/** The fleet's gateway as a Sparkplug edge node whose device "meter1" reports energy_kwh for its first point. */
function sparkplugManifest(): Manifest {
  const manifest = fleetManifest({ enterprises: 1, devicesPerEnterprise: 2, pointsPerDevice: 2, prefix: `e2e-sp-${id}` });
  const [gateway] = manifest.enterprises[0]!.devices;
  gateway!.sparkplug = { group: GROUP, metrics: [{ device: 'meter1', metric: 'energy_kwh', point: gateway!.meteringPoints[0]!, unit: 'kWh' }] };
  return manifest;
}

const nodes: EdgeNodeProcess[] = [];

/** A pysparkplug edge node process: commands in, the events it printed out. */
class EdgeNodeProcess {
  readonly events: { event: string; bdSeq?: number; cmd?: string }[] = [];
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly exited: Promise<void>;
  private stderr = '';

  constructor(firstKwh: number) {
    const { hostname, port } = new URL(stackEnv().stack.mqtt.url);
    this.child = spawn(python, [NODE_SCRIPT, hostname, port, GROUP, node, 'meter1', devicePassword(node), String(firstKwh)]);
    // Killed after the tests whatever happened in them, not left running.
    nodes.push(this);
    createInterface({ input: this.child.stdout }).on('line', (line) => this.events.push(JSON.parse(line) as EdgeNodeProcess['events'][number]));
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', () => resolve()));
    this.child.on('exit', (code, signal) => {
      if (code !== 0 && signal !== 'SIGKILL') this.events.push({ event: `exited ${code ?? signal}: ${this.stderr.slice(-2000)}` });
    });
  }

  /** Sends a command and waits for the node to say it is done. */
  async run(command: Record<string, unknown>): Promise<void> {
    const done = this.events.filter((e) => e.event === 'done').length;
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
    const finished = () => this.events.filter((e) => e.event === 'done').length === done + 1;
    for (let waited = 0; !finished(); waited += 50) {
      if (waited >= 30_000) throw new Error(`the edge node did not finish ${JSON.stringify(command)}; it printed ${JSON.stringify(this.events)} and on stderr: ${this.stderr.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** A power cut: no DISCONNECT, so the broker publishes the node's Will (its NDEATH). */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

const statusesOf = async (deviceId: string) => (await readTopic<DeviceStatusV1>(stackEnv().stack, pipeline.topics.deviceStatus)).filter((s) => s.deviceId === deviceId);
const stored = async () => new Map([...(await storedReadings(pipeline))].filter(([key]) => key.startsWith(`${point}@`)));
/** The sum of a metric's samples on ingest's /metrics (its labels whatever they are). */
const metric = async (name: string) => parseExposition(await serviceMetrics(pipeline.ingest)).samples.filter((s) => s.name === name).reduce((sum, s) => sum + s.value, 0);

beforeAll(async () => {
  ({ python } = await ensureEdgePeers());
  pipeline = await createPipeline(stackEnv(), sparkplugManifest(), { ingestEnv: { MTL_SPARKPLUG_HOST: 'true', MTL_SPARKPLUG_SHARE_GROUP: `e2e-sp-${id}`, MTL_SPARKPLUG_REBIRTH_INTERVAL_MS: '0' } });
  [node, other] = pipeline.manifest.enterprises[0]!.devices.map((d) => d.id) as [string, string];
  point = pipeline.manifest.enterprises[0]!.devices[0]!.meteringPoints[0]!;
  await pipeline.writer.start();
  await pipeline.ingest.start();
});

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.kill()));
  await pipeline?.close();
});

describe('Sparkplug B edge node (pysparkplug) → broker → ingest → Kafka → InfluxDB', () => {
  it('stores births and data by name and alias, asks for a rebirth on a broken seq, follows a death and a new session', async () => {
    const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;
    const edge = new EdgeNodeProcess(1_000);
    await edge.run({ cmd: 'connect' });
    expect(edge.events[0]).toEqual({ event: 'born', bdSeq: 0 });
    await edge.run({ cmd: 'data', value: 1_001.5, ts: t0 + 60_000 });
    await edge.run({ cmd: 'alias', value: 1_002.25, ts: t0 + 120_000 });
    // Three seq values never sent: the host cannot trust its session any more and asks for a rebirth.
    await edge.run({ cmd: 'skip', count: 3 });
    await edge.run({ cmd: 'data', value: 1_003, ts: t0 + 180_000 });
    await expect.poll(() => edge.events.some((e) => e.event === 'rebirth-requested'), { timeout: 30_000 }).toBe(true);
    await edge.run({ cmd: 'rebirth' });
    // pysparkplug's births carry the next bdSeq of the same process: 0 at start, then 2.
    expect(edge.events.filter((e) => e.event === 'born')).toEqual([{ event: 'born', bdSeq: 0 }, { event: 'born', bdSeq: 2 }]);
    await edge.run({ cmd: 'alias', value: 1_004, ts: t0 + 240_000 });

    // Power cut: the broker publishes the Will, the NDEATH with the birth's bdSeq; the node goes offline.
    await edge.kill();
    await expect.poll(async () => (await statusesOf(node)).map((s) => `${s.state}: ${s.text}`), { timeout: 30_000 }).toEqual([
      'online: Sparkplug NBIRTH',
      'online: Sparkplug NBIRTH',
      'offline: Sparkplug NDEATH',
    ]);

    // A new process: a new session (pysparkplug starts its bdSeq again at 0), and data again.
    const again = new EdgeNodeProcess(1_004);
    await again.run({ cmd: 'connect' });
    await again.run({ cmd: 'data', value: 1_005, ts: t0 + 300_000 });
    await expect.poll(async () => (await statusesOf(node)).map((s) => s.state), { timeout: 30_000 }).toEqual(['online', 'online', 'offline', 'online']);

    // Every value once at its own time: five sent as data, and the value each process's births
    // carry at the time the metric was made (a rebirth of one process sends the same again).
    await expect.poll(async () => (await stored()).size, { timeout: 60_000 }).toBe(7);
    const byOffset = [...(await stored())].map(([key, value]) => [Number(key.split('@')[1]) - t0, value] as const);
    expect(byOffset.filter(([offset]) => offset < 400_000)).toEqual([
      [60_000, 1_001.5],
      [120_000, 1_002.25],
      [180_000, 1_003],
      [240_000, 1_004],
      [300_000, 1_005],
    ]);
    expect(byOffset.filter(([offset]) => offset >= 400_000).map(([, value]) => value)).toEqual([1_000, 1_004]);
    await again.kill();

    expect(await metric('meterline_ingest_sparkplug_rebirth_requests_total')).toBe(1);
    const letters = await pipeline.deadLetters();
    // temperature_c is born each time (three births) but mapped to no point: each birth refuses it, with a reason.
    expect(letters.map((l) => [l.reason, l.mqttTopic, l.admittedReadings])).toEqual(Array.from({ length: 3 }, () => ['METRIC_NOT_MAPPED', `spBv1.0/${GROUP}/DBIRTH/${node}/meter1`, 1]));
    expect(letters[0]?.detail).toBe(`metric "temperature_c" of device "meter1" of edge node "${node}" is mapped to no metering point in the registry`);
  });

  it("keeps each edge node to its own node id and commands; what a hostile device sends is refused or dead-lettered, and the node goes on", async () => {
    const connect = (deviceId: string) =>
      mqtt.connectAsync(stackEnv().stack.mqtt.url, { protocolVersion: 5, clientId: deviceId, username: deviceId, password: devicePassword(deviceId), reconnectPeriod: 0 });
    const hostile = await connect(other);
    // The broker refuses publishing as another node, and commands to it (mqtt.js rejects the PUBACK's failure code).
    await expect(hostile.publishAsync(`spBv1.0/${GROUP}/NDATA/${node}`, Buffer.from([0x08, 0x01]), { qos: 1 })).rejects.toThrow();
    await expect(hostile.publishAsync(`spBv1.0/${GROUP}/NCMD/${node}`, Buffer.from([0x08, 0x01]), { qos: 1 })).rejects.toThrow();
    // It may hear its own commands, and nobody else's.
    expect((await hostile.subscribeAsync(`spBv1.0/${GROUP}/NCMD/${other}`, { qos: 1 })).map((g) => g.qos)).toEqual([1]);
    for (const filter of [`spBv1.0/${GROUP}/NCMD/${node}`, `spBv1.0/${GROUP}/DDATA/${node}/meter1`, `spBv1.0/+/NCMD/${node}`, 'spBv1.0/#']) {
      await expect(hostile.subscribeAsync(filter, { qos: 1 }), filter).rejects.toThrow('Not authorized');
    }
    // Its own node topics, but it is not a Sparkplug node of the registry: dead-lettered.
    await hostile.publishAsync(`spBv1.0/${GROUP}/NBIRTH/${other}`, Buffer.from([0x08, 0x01]), { qos: 1 });
    await hostile.endAsync();

    const owner = await connect(node);
    await owner.publishAsync(`spBv1.0/${GROUP}/NDATA/${node}`, Buffer.from('{"deviceId":"not protobuf"}'), { qos: 1 });
    await owner.publishAsync(`spBv1.0/elsewhere/NDATA/${node}`, Buffer.from([0x08, 0x01]), { qos: 1 });
    await owner.endAsync();
    await expect
      .poll(async () => (await pipeline.deadLetters()).filter((l) => l.reason !== 'METRIC_NOT_MAPPED').map((l) => [l.reason, l.mqttTopic]), { timeout: 30_000 })
      .toEqual([
        ['DEVICE_MISMATCH', `spBv1.0/${GROUP}/NBIRTH/${other}`],
        ['SPARKPLUG_UNREADABLE', `spBv1.0/${GROUP}/NDATA/${node}`],
        ['DEVICE_MISMATCH', `spBv1.0/elsewhere/NDATA/${node}`],
      ]);

    // The real node goes on as before.
    const edge = new EdgeNodeProcess(2_000);
    await edge.run({ cmd: 'connect' });
    const at = Math.floor(Date.now() / 1_000) * 1_000 - 10_000;
    await edge.run({ cmd: 'data', value: 2_001, ts: at });
    await expect.poll(async () => (await stored()).get(`${point}@${at}`), { timeout: 60_000 }).toBe(2_001);
    await edge.kill();
  });
});
