import { readFileSync } from 'node:fs';
import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { indexRegistry, parseManifest, type Manifest } from '@meterline/domain';
import { DataType, PayloadSchema, SparkplugHost } from '@meterline/sparkplug';
import { admitSparkplug } from '../src/admit-sparkplug.ts';

// The demo registry with its Chongqing gateway as a Sparkplug edge node: device "m1" reports the
// main meter's energy in MWh (converted to the point's kWh) and the press line's in kWh.
const parsed = parseManifest(readFileSync(new URL('../../../packages/domain/examples/demo-manifest.yaml', import.meta.url), 'utf8'), 'demo-manifest.yaml');
if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
const manifest: Manifest = structuredClone(parsed.manifest);
const gateway = manifest.enterprises[0]!.devices.find((d) => d.id === 'cq-gw-01')!;
gateway.sparkplug = {
  group: 'cq',
  metrics: [
    { device: 'm1', metric: 'Energy/Import', point: 'cq-e-main', unit: 'MWh' },
    { device: 'm1', metric: 'Press/Energy', point: 'cq-e-press', unit: 'kWh' },
    { metric: 'Node energy', point: 'cq-e-paint', unit: 'kWh' },
  ],
};
const registry = indexRegistry(manifest);
const rules = { maxPayloadBytes: 4_096, maxFutureSkewMs: 300_000, horizonMs: Date.UTC(2000, 0, 1) };
const receivedAt = new Date('2026-03-01T00:20:00Z');
const T = BigInt(Date.UTC(2026, 2, 1, 0, 15));

type Init = MessageInitShape<typeof PayloadSchema>;
const bytes = (init: Init) => Buffer.from(toBinary(PayloadSchema, create(PayloadSchema, { timestamp: T, ...init })));
const double = (value: number) => ({ case: 'doubleValue' as const, value });
const nbirth = (bdSeq = 1n) => bytes({ seq: 0n, metrics: [{ name: 'bdSeq', datatype: DataType.Int64, value: { case: 'longValue', value: bdSeq } }, { name: 'Node energy', alias: 9n, datatype: DataType.Double, value: double(5) }] });
const dbirth = (seq: bigint) =>
  bytes({
    seq,
    metrics: [
      { name: 'Energy/Import', alias: 1n, datatype: DataType.Double, value: double(1.5) },
      { name: 'Press/Energy', alias: 2n, datatype: DataType.Double, value: double(200) },
      { name: 'Temperature', alias: 3n, datatype: DataType.Float, value: { case: 'floatValue', value: 21.5 } },
    ],
  });

function session() {
  const host = new SparkplugHost({ tracksDevice: (_group, node, device) => registry.hasSparkplugDevice(node, device) });
  const admit = (topic: string, payload: Buffer, retained = false) => admitSparkplug(topic, payload, retained, receivedAt, registry, host, rules);
  return { host, admit };
}

describe('admitSparkplug', () => {
  it("reads a node's births and data into its points, converting units, and the node's status from its birth", () => {
    const { admit } = session();
    const birth = admit('spBv1.0/cq/NBIRTH/cq-gw-01', nbirth());
    expect(birth.readings.map((r) => [r.pointId, r.value])).toEqual([['cq-e-paint', 5]]);
    expect(birth.statuses).toMatchObject([{ deviceId: 'cq-gw-01', enterpriseId: 'cq-autoparts', state: 'online', text: 'Sparkplug NBIRTH' }]);
    const device = admit('spBv1.0/cq/DBIRTH/cq-gw-01/m1', dbirth(1n));
    expect(device.readings.map((r) => [r.pointId, r.value, r.unit, r.sourceValue, r.sourceUnit, r.ts, r.seq, r.index])).toEqual([
      ['cq-e-main', 1_500, 'kWh', 1.5, 'MWh', '2026-03-01T00:15:00.000Z', 1, 0],
      ['cq-e-press', 200, 'kWh', 200, 'kWh', '2026-03-01T00:15:00.000Z', 1, 1],
    ]);
    expect(device.deviceEvents).toEqual([{ device: 'm1', online: true }]);
    expect(device.deadLetter).toMatchObject({
      reason: 'METRIC_NOT_MAPPED',
      path: '/metrics/2',
      admittedReadings: 2,
      detail: 'metric "Temperature" of device "m1" of edge node "cq-gw-01" is mapped to no metering point in the registry',
    });
    const data = admit('spBv1.0/cq/DDATA/cq-gw-01/m1', bytes({ seq: 2n, metrics: [{ alias: 1n, value: double(1.75) }] }));
    expect(data.readings.map((r) => [r.pointId, r.value, r.verified])).toEqual([['cq-e-main', 1_750, false]]);
    expect([data.deadLetter, data.statuses, data.rebirth]).toEqual([undefined, [], undefined]);
  });

  it('asks the node for a rebirth on a seq gap and still keeps the values it can read', () => {
    const { admit } = session();
    admit('spBv1.0/cq/NBIRTH/cq-gw-01', nbirth());
    admit('spBv1.0/cq/DBIRTH/cq-gw-01/m1', dbirth(1n));
    const gap = admit('spBv1.0/cq/DDATA/cq-gw-01/m1', bytes({ seq: 5n, metrics: [{ alias: 2n, value: double(201) }] }));
    expect(gap.rebirth).toEqual({ topic: 'spBv1.0/cq/NCMD/cq-gw-01', reason: 'seq 5 where 2 was next' });
    expect(gap.readings.map((r) => r.value)).toEqual([201]);
  });

  it('turns the NDEATH of the birth into the node going offline, and a stale one into nothing', () => {
    const { admit } = session();
    admit('spBv1.0/cq/NBIRTH/cq-gw-01', nbirth(4n));
    const death = (bdSeq: bigint) => bytes({ metrics: [{ name: 'bdSeq', datatype: DataType.Int64, value: { case: 'longValue', value: bdSeq } }] });
    expect(admit('spBv1.0/cq/NDEATH/cq-gw-01', death(3n))).toMatchObject({ statuses: [], ignored: expect.stringContaining('older session') as unknown, deadLetter: undefined });
    expect(admit('spBv1.0/cq/NDEATH/cq-gw-01', death(4n)).statuses).toMatchObject([{ deviceId: 'cq-gw-01', state: 'offline', text: 'Sparkplug NDEATH' }]);
  });

  it.each([
    ['spBv1.0/cq/NDATA/unknown-node', nbirth(), 'UNKNOWN_DEVICE', 'edge node "unknown-node" is not a device in the registry'],
    ['spBv1.0/other/NBIRTH/cq-gw-01', nbirth(), 'DEVICE_MISMATCH', 'edge node "cq-gw-01" belongs to Sparkplug group "cq", not "other"'],
    ['spBv1.0/cq/NBIRTH/cq-gas-01', nbirth(), 'DEVICE_MISMATCH', 'device "cq-gas-01" is not registered as a Sparkplug edge node'],
    ['spBv1.0/cq/NDATA/cq-gw-01', Buffer.from([0x12, 0x64, 0x0a]), 'SPARKPLUG_UNREADABLE', 'not a Sparkplug B payload: premature EOF'],
    ['spBv1.0/cq/NDATA/cq-gw-01', Buffer.alloc(5_000), 'PAYLOAD_TOO_LARGE', 'payload of 5000 bytes exceeds the limit of 4096'],
    ['spBv1.0/cq/XDATA/cq-gw-01', nbirth(), 'SPARKPLUG_UNREADABLE', expect.stringContaining('not a Sparkplug B 3.0 topic') as unknown],
  ])('dead-letters %s as a whole (%#), feeding the host nothing', (topic, payload, reason, detail) => {
    const { admit, host } = session();
    expect(admit(topic, payload)).toMatchObject({ readings: [], statuses: [], deadLetter: { reason, detail } });
    expect(host.isOnline('cq', 'cq-gw-01')).toBe(false);
  });

  it('refuses a retained message as stale, and takes a command as nothing', () => {
    const { admit } = session();
    expect(admit('spBv1.0/cq/NBIRTH/cq-gw-01', nbirth(), true).deadLetter).toMatchObject({ reason: 'SPARKPLUG_UNREADABLE', detail: expect.stringContaining('retained NBIRTH') as unknown });
    expect(admit('spBv1.0/cq/NCMD/cq-gw-01', Buffer.from('anything'))).toMatchObject({ readings: [], deadLetter: undefined, ignored: expect.stringContaining('command') as unknown });
  });

  it('refuses values a point cannot take, each with its reason, and keeps no birth of an unmapped device', () => {
    const { admit } = session();
    admit('spBv1.0/cq/NBIRTH/cq-gw-01', nbirth());
    admit('spBv1.0/cq/DBIRTH/cq-gw-01/m1', dbirth(1n));
    const data = admit(
      'spBv1.0/cq/DDATA/cq-gw-01/m1',
      bytes({
        seq: 2n,
        metrics: [
          { alias: 1n, value: { case: 'booleanValue', value: true } },
          { alias: 2n, isNull: true },
          { alias: 1n, value: double(-1) },
          { alias: 2n, timestamp: T + 3_600_000n, value: double(5) },
          { alias: 7n, value: double(1) },
        ],
      }),
    );
    expect(data.readings).toEqual([]);
    expect(data.deadLetter?.refusals?.map((r) => [r.index, r.reason])).toEqual([
      [0, 'VALUE_NOT_NUMERIC'],
      [1, 'VALUE_NOT_NUMERIC'],
      [2, 'VALUE_NEGATIVE'],
      [3, 'TIMESTAMP_IN_FUTURE'],
      [4, 'METRIC_UNREADABLE'],
    ]);
    expect(data.deadLetter?.detail).toBe('5 of 5 metrics refused; the first: metric "Energy/Import" of device "m1" is a boolean; metering point "cq-e-main" takes numbers');
    const stranger = admit('spBv1.0/cq/DBIRTH/cq-gw-01/m9', dbirth(3n));
    expect(stranger).toMatchObject({ readings: [], deviceEvents: [], deadLetter: { reason: 'METRIC_UNREADABLE' } });
    expect(stranger.deadLetter?.refusals).toHaveLength(3);
  });
});
