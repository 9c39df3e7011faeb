import { readFileSync } from 'node:fs';
import { create, fromBinary, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { InMemoryBus } from '@meterline/bus';
import { deadLetterCodec, decodeOrThrow, decodeReadingRecord, deviceStatusCodec } from '@meterline/contracts';
import { indexRegistry, parseManifest, type Manifest } from '@meterline/domain';
import { DataType, PayloadSchema, SparkplugHost } from '@meterline/sparkplug';
import { createIngestApp } from '../src/app.ts';
import { HandSource, testAppSettings } from './hand-source.ts';
import { RebirthThrottle, RecordingNodeCommands } from '../src/node-commands.ts';

// The ingest app as the Sparkplug host, with its in-memory parts: what reaches the bus for a
// node's messages, and the rebirth requests it sends (throttled).

const parsed = parseManifest(readFileSync(new URL('../../../packages/domain/examples/demo-manifest.yaml', import.meta.url), 'utf8'), 'demo');
if (!parsed.ok) throw new Error('demo manifest invalid');
const manifest: Manifest = structuredClone(parsed.manifest);
manifest.enterprises[0]!.devices.find((d) => d.id === 'cq-gw-01')!.sparkplug = { group: 'cq', metrics: [{ metric: 'kWh total', point: 'cq-e-main', unit: 'kWh' }] };
const registry = indexRegistry(manifest);


type Init = MessageInitShape<typeof PayloadSchema>;
const T = BigInt(Date.UTC(2026, 2, 1, 0, 15));
const bytes = (init: Init) => Buffer.from(toBinary(PayloadSchema, create(PayloadSchema, { timestamp: T, ...init })));
const kwh = (seq: bigint, value: number, by: 'name' | 'alias' = 'name') =>
  bytes({ seq, metrics: [{ ...(by === 'name' ? { name: 'kWh total' } : { alias: 1n }), value: { case: 'doubleValue', value } }] });

async function setup() {
  const bus = new InMemoryBus();
  const main = new HandSource();
  const sparkplug = new HandSource();
  const commands = new RecordingNodeCommands();
  let nowMs = Date.UTC(2026, 2, 1, 0, 20);
  const app = createIngestApp({
    source: main,
    producer: bus.producer(),
    readingsPartitioner: await bus.keyPartitioner('readings'),
    registry: () => registry,
    ...testAppSettings(),
    now: () => new Date(nowMs),
    sparkplug: { source: sparkplug, host: new SparkplugHost(), commands, rebirths: new RebirthThrottle(10_000) },
  });
  await app.start();
  return { bus, sparkplug, commands, app, advance: (ms: number) => (nowMs += ms) };
}

const values = (bus: InMemoryBus) =>
  bus.messagesOf('readings').flatMap((m) => {
    const decoded = decodeReadingRecord(m.value);
    if (!decoded.ok) throw new Error(decoded.detail);
    return decoded.value.map((r) => r.value);
  });

describe('ingest app as the Sparkplug B host', () => {
  it("puts a node's readings and its status on the bus once its message is handled", async () => {
    const { bus, sparkplug, app } = await setup();
    await sparkplug.deliver('spBv1.0/cq/NBIRTH/cq-gw-01', bytes({ seq: 0n, metrics: [{ name: 'bdSeq', value: { case: 'longValue', value: 3n } }, { name: 'kWh total', alias: 1n, datatype: DataType.Double, value: { case: 'doubleValue', value: 100 } }] }));
    await sparkplug.deliver('spBv1.0/cq/NDATA/cq-gw-01', kwh(1n, 101, 'alias'));
    expect(values(bus)).toEqual([100, 101]);
    expect(bus.messagesOf('device-status').map((m) => decodeOrThrow(deviceStatusCodec, m.value))).toMatchObject([{ deviceId: 'cq-gw-01', state: 'online', text: 'Sparkplug NBIRTH' }]);
    // Sparkplug's seq wraps at 256: it is not the device-sequence record of payload v1.
    expect(bus.messagesOf('device-sequence')).toEqual([]);
    await app.close();
  });

  it('asks a node with a broken session for a rebirth once per interval, and dead-letters what it cannot read', async () => {
    const { bus, sparkplug, commands, app, advance } = await setup();
    // Data before any birth (the host started after the node): no values can be named.
    await sparkplug.deliver('spBv1.0/cq/NDATA/cq-gw-01', kwh(7n, 1, 'alias'));
    await sparkplug.deliver('spBv1.0/cq/NDATA/cq-gw-01', kwh(8n, 2, 'alias'));
    expect(commands.sent.map((c) => c.topic)).toEqual(['spBv1.0/cq/NCMD/cq-gw-01']);
    const request = fromBinary(PayloadSchema, commands.sent[0]!.payload);
    expect(request.metrics.map((m) => [m.name, m.datatype, m.value.value])).toEqual([['Node Control/Rebirth', DataType.Boolean, true]]);
    advance(10_000);
    await sparkplug.deliver('spBv1.0/cq/NDATA/cq-gw-01', kwh(9n, 3, 'alias'));
    expect(commands.sent).toHaveLength(2);
    expect(values(bus)).toEqual([]);
    expect(bus.messagesOf('dlq').map((m) => decodeOrThrow(deadLetterCodec, m.value).reason)).toEqual(['METRIC_UNREADABLE', 'METRIC_UNREADABLE', 'METRIC_UNREADABLE']);
    await app.close();
  });
});
