import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusTopic } from '@meterline/contracts';
import { fleetManifest } from '@meterline/simulator';
import { expectAggregatedAsAccounted } from '../harness/aggregation.ts';
import { createPipeline, devicePassword, type Pipeline } from '../harness/pipeline.ts';
import { storedReadings } from '../harness/scenario.ts';
import { stackEnv } from '../harness/stack-env.ts';
import { startPeer, stopChild, type RunningPeer } from '../../services/edge/test/peers.ts';

// Issue 19: meterline-edge polls a Modbus TCP meter (pymodbus's simulator) and a DL/T 645 meter
// (dlt645's simulator), neither written here. The broker is stopped for 2 minutes and the agent
// SIGKILLed once meanwhile; afterwards every value it polled is in InfluxDB once, at its poll's
// time, and the figures computed from them equal `meterline account`'s. The agent stamps its polls
// to the millisecond: when the run crosses a quarter-hour, the ended quarter-hour's figures hold
// sub-second readings at both of its edges (the export to `account` once cut them to the second).

const ROOT = join(import.meta.dirname, '..', '..');
const OUTAGE_MS = 120_000;
const METER_ADDRESS = '123456781012';

let pipeline: Pipeline;
let modbus: RunningPeer;
let dlt645: RunningPeer;
let deviceId: string;
let points: [string, string];
const agents: ChildProcess[] = [];

beforeAll(async () => {
  const manifest = fleetManifest({ enterprises: 1, devicesPerEnterprise: 1, pointsPerDevice: 2, prefix: `e2e-edge-${randomUUID().slice(0, 6)}` });
  pipeline = await createPipeline(stackEnv(), manifest);
  const [device] = manifest.enterprises[0]!.devices;
  deviceId = device!.id;
  points = device!.meteringPoints as [string, string];
  await pipeline.writer.start();
  await pipeline.ingest.start();
  modbus = await startPeer('modbus_meter.py');
  dlt645 = await startPeer('dlt645_meter.py', METER_ADDRESS);
});

afterAll(async () => {
  await Promise.all(agents.map((agent) => stopChild(agent, 'SIGKILL')));
  // The status the agent left retained (its will's `offline`): a later test's ingest would be sent it.
  if (deviceId !== undefined) {
    const device = await mqtt.connectAsync(stackEnv().stack.mqtt.url, { protocolVersion: 5, clientId: deviceId, username: deviceId, password: devicePassword(deviceId), reconnectPeriod: 0 });
    await device.publishAsync(statusTopic(deviceId), '', { qos: 1, retain: true });
    await device.endAsync();
  }
  await modbus?.stop();
  await dlt645?.stop();
  await pipeline?.close();
});

/** What the agent said it queued: each poll's meter, time and values. */
interface QueuedLine {
  meter: string;
  tsMs: number;
  values: number[];
}

/** meterline-edge as a process of its own; `queued` grows with each 'queued' line it logs. */
function startAgent(configFile: string): { child: ChildProcess; queued: QueuedLine[] } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'services', 'edge', 'src', 'main.ts'), configFile], {
    cwd: ROOT,
    env: { ...process.env, MTL_EDGE_MQTT_PASSWORD: devicePassword(deviceId) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  agents.push(child);
  const queued: QueuedLine[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const entry = JSON.parse(line) as { msg: string } & Partial<QueuedLine>;
    if (entry.msg === 'queued') queued.push({ meter: entry.meter!, tsMs: entry.tsMs!, values: entry.values! });
  });
  return { child, queued };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('meterline-edge → broker → ingest → Kafka → InfluxDB, through a broker outage and a power cut', () => {
  it('stores every polled value once at its time after 2 minutes without a broker and a SIGKILL, and the figures equal meterline account', async () => {
    const configFile = join(pipeline.workDir, 'edge.json');
    await writeFile(
      configFile,
      JSON.stringify({
        deviceId,
        mqtt: { url: stackEnv().stack.mqtt.url, reconnectFirstMaxMs: 200, reconnectMaxMs: 2_000 },
        queue: { file: join(pipeline.workDir, 'edge-queue.db') },
        utcOffsetMinutes: 480,
        ops: { port: 0 },
        logLevel: 'debug',
        meters: [
          { kind: 'modbus-tcp', id: 'incomer', host: '127.0.0.1', port: modbus.port, pollIntervalMs: 1_000, registers: [{ function: 'input', address: 0, type: 'float32', point: points[0], quantity: 'active-energy-import', unit: 'kWh' }] },
          { kind: 'dlt645-tcp', id: 'feeder', host: '127.0.0.1', port: dlt645.port, address: METER_ADDRESS, pollIntervalMs: 1_000, dataIds: [{ dataId: '00010000', point: points[1], quantity: 'active-energy-import', unit: 'kWh' }] },
        ],
      }),
    );
    const first = startAgent(configFile);
    await expect.poll(() => first.queued.length, { timeout: 60_000 }).toBeGreaterThanOrEqual(10);

    // The link goes: 2 minutes without a broker, and a power cut in the middle of them.
    const downMs = Date.now();
    await pipeline.broker.stop();
    await sleep(OUTAGE_MS / 2);
    const killMs = Date.now();
    await stopChild(first.child, 'SIGKILL');
    const second = startAgent(configFile);
    await sleep(OUTAGE_MS / 2);
    await pipeline.broker.start();
    const upMs = Date.now();

    // The meters stop answering: polls fail from here, so what was queued is all there is to deliver.
    await expect.poll(() => second.queued.length, { timeout: 60_000 }).toBeGreaterThanOrEqual(10);
    await modbus.stop();
    await dlt645.stop();
    const pointOf = { incomer: points[0], feeder: points[1] } as Record<string, string>;
    const polled = new Map([...first.queued, ...second.queued].map((q) => [`${pointOf[q.meter]}@${q.tsMs}`, q.values[0]!]));
    const stored = async () => new Map([...(await storedReadings(pipeline))].filter(([key]) => points.some((p) => key.startsWith(`${p}@`))));
    await expect
      .poll(async () => {
        const now = await stored();
        return [...polled.keys()].filter((key) => !now.has(key)).length;
      }, { timeout: 180_000, interval: 2_000 })
      .toBe(0);
    await stopChild(second.child, 'SIGTERM');

    // Once each (a stored reading is its point's series at its time), with its value.
    const final = await stored();
    expect(new Map([...final].filter(([key]) => polled.has(key)))).toEqual(polled);
    // Nothing else, but for what the killed agent queued in its last instant without having logged it yet.
    const unlogged = [...final.keys()].filter((key) => !polled.has(key)).map((key) => killMs - Number(key.split('@')[1]));
    expect(unlogged.filter((beforeKill) => beforeKill < 0 || beforeKill > 2_000)).toEqual([]);
    const offline = [...polled.keys()].filter((key) => Number(key.split('@')[1]) >= downMs && Number(key.split('@')[1]) <= upMs).length;
    expect(offline).toBeGreaterThan(100);
    console.log(`edge e2e: ${polled.size} values polled (${first.queued.length} polls before the kill, ${second.queued.length} after it), ${offline} of them while the broker was down; all stored once`);

    await expectAggregatedAsAccounted(stackEnv().stack, pipeline, { onlyEnded: true });
  });
});
