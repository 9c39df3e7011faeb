import { create, fromBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { DataType, nodeCommandTopic, PayloadSchema, SparkplugHost, parseTopic, type SparkplugTopic } from '../src/index.ts';

// The pysparkplug 0.6.1 session of payload.test.ts (group "energy", node "edge1", device
// "meter1" with "energy_kwh" under alias 1), as Mosquitto delivered it.
const SESSION: [string, string][] = [
  ['spBv1.0/energy/NBIRTH/edge1', '089fc8a59aa43412210a144e6f646520436f6e74726f6c2f52656269727468189cc8a59aa434200b700012120a056264536571189cc8a59aa434200458001800'],
  ['spBv1.0/energy/DBIRTH/edge1/meter1', '089fc8a59aa43412200a0a656e657267795f6b77681001189cc8a59aa434200a6900000000000000001801'],
  ['spBv1.0/energy/DDATA/edge1/meter1', '0887d0a59aa434121e0a0a656e657267795f6b77681887d0a59aa434200a6900000000000000001802'],
  ['spBv1.0/energy/DDATA/edge1/meter1', '08d0d1a59aa434121e0a0a656e657267795f6b776818d0d1a59aa434200a69000000000000f83f1803'],
  ['spBv1.0/energy/DDATA/edge1/meter1', '0898d3a59aa434121e0a0a656e657267795f6b77681898d3a59aa434200a6900000000000008401804'],
  ['spBv1.0/energy/NCMD/edge1', '08d7d8a59aa43412210a144e6f646520436f6e74726f6c2f5265626972746818d7d8a59aa434200b7001'],
];
const STALE_NDEATH: [string, string] = ['spBv1.0/energy/NDEATH/edge1', '08d8d8a59aa43412120a056264536571189fc8a59aa43420045801'];

const topic = (t: string) => parseTopic(t)!;
const received = (host: SparkplugHost, [t, hex]: [string, string]) => host.handle(topic(t), fromBinary(PayloadSchema, Buffer.from(hex, 'hex')));
const T0 = 1_780_000_000_000n;
type Init = MessageInitShape<typeof PayloadSchema>;
const payload = (init: Init) => create(PayloadSchema, { timestamp: T0, ...init });
const NODE: SparkplugTopic = { group: 'g', type: 'NBIRTH', node: 'n' };
const DEVICE = (type: 'DBIRTH' | 'DDATA' | 'DDEATH'): SparkplugTopic => ({ group: 'g', type, node: 'n', device: 'd' });

/** A host that saw node n born (bdSeq 7) and its device d born with "kwh" as alias 5. */
function bornHost() {
  const host = new SparkplugHost();
  host.handle(NODE, payload({ seq: 0n, metrics: [{ name: 'bdSeq', datatype: DataType.Int64, value: { case: 'longValue', value: 7n } }] }));
  host.handle(DEVICE('DBIRTH'), payload({ seq: 1n, metrics: [{ name: 'kwh', alias: 5n, datatype: DataType.Double, value: { case: 'doubleValue', value: 10 } }] }));
  return host;
}
const aliasData = (seq: bigint, alias: bigint, value: number) => payload({ seq, metrics: [{ alias, value: { case: 'doubleValue', value } }] });

describe('Sparkplug B host session', () => {
  it("follows pysparkplug's session: births, data by name, a stale death left alone", () => {
    const host = new SparkplugHost();
    const verdicts = SESSION.map((m) => received(host, m));
    expect(verdicts[0]).toMatchObject({ samples: [], status: [{ online: true }] });
    expect(verdicts[1]).toMatchObject({ status: [{ device: 'meter1', online: true }], samples: [{ name: 'energy_kwh', value: 0, datatype: DataType.Double }] });
    expect(verdicts.slice(2, 5).map((v) => v.samples.map((s) => s.value))).toEqual([[0], [1.5], [3]]);
    expect(verdicts.slice(0, 5).every((v) => v.rebirth === undefined && v.refused.length === 0)).toBe(true);
    expect(verdicts[5]!.ignored).toBe('a command to the node, not a report from it');
    // Its graceful NDEATH carries bdSeq 1 for the birth's 0.
    expect(received(host, STALE_NDEATH)).toMatchObject({ status: [], ignored: "NDEATH with bdSeq 1, the birth had 0: an older session's" });
    expect(host.isOnline('energy', 'edge1')).toBe(true);
  });

  it('names data sent by alias alone through the birth, with the metric or payload timestamp', () => {
    const host = bornHost();
    const verdict = host.handle(DEVICE('DDATA'), payload({ seq: 2n, metrics: [{ alias: 5n, value: { case: 'doubleValue', value: 11.5 } }, { alias: 5n, timestamp: T0 - 1000n, value: { case: 'doubleValue', value: 11 } }] }));
    expect(verdict.samples).toEqual([
      { index: 0, name: 'kwh', timestampMs: Number(T0), value: 11.5, datatype: DataType.Double },
      { index: 1, name: 'kwh', timestampMs: Number(T0) - 1000, value: 11, datatype: DataType.Double },
    ]);
    expect(verdict.rebirth).toBeUndefined();
  });

  it('refuses an unknown alias or name, and asks for a rebirth', () => {
    const host = bornHost();
    const verdict = host.handle(DEVICE('DDATA'), payload({ seq: 2n, metrics: [{ alias: 6n, value: { case: 'doubleValue', value: 1 } }, { name: 'kvarh', value: { case: 'doubleValue', value: 1 } }, { alias: 5n, value: { case: 'doubleValue', value: 12 } }] }));
    expect(verdict.refused).toEqual([
      { index: 0, metric: 'alias 6', reason: 'an alias the birth did not give' },
      { index: 1, metric: 'kvarh', reason: 'not declared in the birth' },
    ]);
    expect(verdict.samples.map((s) => s.value)).toEqual([12]);
    expect(verdict.rebirth).toBe('metric alias 6 unknown');
  });

  it('asks for a rebirth on a seq gap, and keeps the values it can still read', () => {
    const host = bornHost();
    expect(host.handle(DEVICE('DDATA'), aliasData(2n, 5n, 12)).rebirth).toBeUndefined();
    const gap = host.handle(DEVICE('DDATA'), aliasData(5n, 5n, 13));
    expect(gap).toMatchObject({ rebirth: 'seq 5 where 3 was next', samples: [{ value: 13 }] });
    expect(host.handle(DEVICE('DDATA'), aliasData(6n, 5n, 14)).rebirth).toBeUndefined();
  });

  it('counts seq round from 255 to 0', () => {
    const host = bornHost();
    for (let seq = 2n; seq <= 255n; seq++) expect(host.handle(DEVICE('DDATA'), aliasData(seq, 5n, Number(seq))).rebirth).toBeUndefined();
    expect(host.handle(DEVICE('DDATA'), aliasData(0n, 5n, 256)).rebirth).toBeUndefined();
  });

  it('asks for a rebirth when data comes from a node or device never born', () => {
    const host = new SparkplugHost();
    expect(host.handle({ group: 'g', type: 'NDATA', node: 'n' }, aliasData(1n, 5n, 1))).toMatchObject({ samples: [], refused: [{ index: 0, metric: 'alias 5', reason: 'NDATA from a node with no birth' }], rebirth: "NDATA before the node's birth" });
    const born = bornHost();
    const other: SparkplugTopic = { group: 'g', type: 'DDATA', node: 'n', device: 'other' };
    expect(born.handle(other, aliasData(2n, 5n, 1))).toMatchObject({ samples: [], refused: [{ metric: 'alias 5', reason: 'device "other" has no birth' }], rebirth: 'DDATA from device "other" before its birth' });
  });

  it('refuses a birth that cannot be used: seq not 0, no bdSeq, an alias given twice', () => {
    const host = new SparkplugHost();
    const bdSeq = { name: 'bdSeq', datatype: DataType.Int64, value: { case: 'longValue' as const, value: 1n } };
    expect(host.handle(NODE, payload({ seq: 3n, metrics: [bdSeq] })).rebirth).toBe('NBIRTH seq not 0');
    expect(host.handle(NODE, payload({ seq: 0n, metrics: [] })).rebirth).toBe('NBIRTH without bdSeq');
    const twice = payload({ seq: 0n, metrics: [bdSeq, { name: 'a', alias: 1n, datatype: DataType.Double }, { name: 'b', alias: 1n, datatype: DataType.Double }] });
    expect(host.handle(NODE, twice).rebirth).toBe('alias 1 given to "a" and "b"');
    expect(host.isOnline('g', 'n')).toBe(false);
    // After a good birth, a bad one ends the session and its devices.
    expect(bornHost().handle(NODE, payload({ seq: 1n, metrics: [bdSeq] }))).toMatchObject({ status: [{ device: 'd', online: false }, { online: false }], rebirth: 'NBIRTH seq not 0' });
  });

  it("ends the node and its devices on the NDEATH of the birth's bdSeq", () => {
    const host = bornHost();
    const death = host.handle({ group: 'g', type: 'NDEATH', node: 'n' }, payload({ metrics: [{ name: 'bdSeq', value: { case: 'longValue', value: 7n } }] }));
    expect(death.status).toEqual([{ device: 'd', online: false }, { online: false }]);
    expect(host.isOnline('g', 'n')).toBe(false);
  });

  it('takes a new NBIRTH as the end of the devices of the old one', () => {
    const host = bornHost();
    const rebirth = host.handle(NODE, payload({ seq: 0n, metrics: [{ name: 'bdSeq', value: { case: 'longValue', value: 8n } }] }));
    expect(rebirth.status).toEqual([{ device: 'd', online: false }, { online: true }]);
    expect(host.handle(DEVICE('DDATA'), aliasData(1n, 5n, 1)).rebirth).toBe('DDATA from device "d" before its birth');
  });

  it('reads signed integers from their two\'s complement, and refuses what a double cannot hold', () => {
    const host = new SparkplugHost();
    host.handle(NODE, payload({
      seq: 0n,
      metrics: [
        { name: 'bdSeq', value: { case: 'longValue', value: 0n } },
        { name: 'i8', alias: 1n, datatype: DataType.Int8, value: { case: 'intValue', value: 0xff } },
        { name: 'i32', alias: 2n, datatype: DataType.Int32, value: { case: 'intValue', value: 0xfffffffe } },
        { name: 'i64', alias: 3n, datatype: DataType.Int64, value: { case: 'longValue', value: 2n ** 64n - 3n } },
        { name: 'u64', alias: 4n, datatype: DataType.UInt64, value: { case: 'longValue', value: 2n ** 60n } },
        { name: 'blob', alias: 5n, datatype: DataType.Bytes, value: { case: 'bytesValue', value: Uint8Array.of(1) } },
        { name: 'gone', alias: 6n, datatype: DataType.Double, isNull: true },
      ],
    }));
    const data = host.handle({ group: 'g', type: 'NDATA', node: 'n' }, payload({ seq: 1n, metrics: [1n, 2n, 3n, 4n, 5n].map((alias) => ({ alias, value: { case: 'intValue' as const, value: 0xffffffff } })) }));
    expect(data.samples.map((s) => [s.name, s.value])).toEqual([['i8', -1], ['i32', -1], ['i64', 4294967295], ['u64', 4294967295], ['blob', 4294967295]]);
    const birthValues = new SparkplugHost();
    const verdict = birthValues.handle(NODE, payload({ seq: 0n, metrics: [{ name: 'bdSeq', value: { case: 'longValue', value: 0n } }, { name: 'i64', datatype: DataType.Int64, value: { case: 'longValue', value: 2n ** 64n - 3n } }, { name: 'u64', datatype: DataType.UInt64, value: { case: 'longValue', value: 2n ** 60n } }, { name: 'blob', datatype: DataType.Bytes, value: { case: 'bytesValue', value: Uint8Array.of(1) } }, { name: 'gone', datatype: DataType.Double, isNull: true }] }));
    expect(verdict.samples.map((s) => [s.name, s.value])).toEqual([['i64', -3], ['gone', null]]);
    expect(verdict.refused).toEqual([
      { index: 2, metric: 'u64', reason: "1152921504606846976 is beyond a double's exact integers" },
      { index: 3, metric: 'blob', reason: 'a bytes value, which Meterline does not store' },
    ]);
  });
});

describe('Sparkplug B topics', () => {
  it('reads node and device topics, and nothing else', () => {
    expect(parseTopic('spBv1.0/energy/DDATA/edge1/meter1')).toEqual({ group: 'energy', type: 'DDATA', node: 'edge1', device: 'meter1' });
    expect(parseTopic('spBv1.0/energy/NBIRTH/edge1')).toEqual({ group: 'energy', type: 'NBIRTH', node: 'edge1' });
    for (const t of ['spBv1.0/energy/DDATA/edge1', 'spBv1.0/energy/NDATA/edge1/meter1', 'spBv1.0/STATE/host', 'spBv1.0/energy/XDATA/edge1', 'spBv1.0//NDATA/edge1', 'spBv2.0/energy/NDATA/edge1', 'spBv1.0/energy/NDATA/edge1/meter1/extra', 'meterline/v1/d/readings']) {
      expect(parseTopic(t)).toBeUndefined();
    }
  });

  it("writes the topic of a node's commands, which it reads back as one", () => {
    expect(nodeCommandTopic('energy', 'edge1')).toBe('spBv1.0/energy/NCMD/edge1');
    expect(parseTopic(nodeCommandTopic('energy', 'edge1'))).toEqual({ group: 'energy', type: 'NCMD', node: 'edge1' });
  });

  it('keeps no birth of a device it does not track, refuses its data, and still counts its seq', () => {
    const host = new SparkplugHost({ tracksDevice: (_group, _node, device) => device === 'd' });
    host.handle(NODE, payload({ seq: 0n, metrics: [{ name: 'bdSeq', datatype: DataType.Int64, value: { case: 'longValue', value: 7n } }] }));
    const stranger: SparkplugTopic = { group: 'g', type: 'DBIRTH', node: 'n', device: 'x' };
    const birth = host.handle(stranger, payload({ seq: 1n, metrics: [{ name: 'kwh', alias: 1n, datatype: DataType.Double, value: { case: 'doubleValue', value: 1 } }] }));
    expect(birth).toEqual({ samples: [], refused: [{ index: 0, metric: 'kwh', reason: 'device "x" is not one this host keeps' }], status: [] });
    const data = host.handle({ ...stranger, type: 'DDATA' }, payload({ seq: 2n, metrics: [{ alias: 1n, value: { case: 'doubleValue', value: 2 } }] }));
    expect(data.refused).toEqual([{ index: 0, metric: 'alias 1', reason: 'device "x" is not one this host keeps' }]);
    expect(data.rebirth).toBeUndefined();
    const tracked = host.handle(DEVICE('DBIRTH'), payload({ seq: 4n, metrics: [] }));
    expect(tracked.rebirth).toBe('seq 4 where 3 was next');
  });

  it('reads data that names itself and its datatype without a birth (the host started late), and still asks for one', () => {
    const host = new SparkplugHost();
    const data = host.handle(
      { group: 'g', type: 'NDATA', node: 'n' },
      payload({
        seq: 9n,
        metrics: [
          { name: 'kwh', datatype: DataType.Double, value: { case: 'doubleValue', value: 3 } },
          { name: 'i8', datatype: DataType.Int8, value: { case: 'intValue', value: 0xff } },
          { name: 'untyped', value: { case: 'doubleValue', value: 1 } },
          { alias: 5n, value: { case: 'doubleValue', value: 4 } },
        ],
      }),
    );
    expect(data.samples.map((s) => [s.name, s.value])).toEqual([['kwh', 3], ['i8', -1]]);
    expect(data.refused).toEqual([
      { index: 2, metric: 'untyped', reason: 'NDATA from a node with no birth' },
      { index: 3, metric: 'alias 5', reason: 'NDATA from a node with no birth' },
    ]);
    expect(data.rebirth).toBe("NDATA before the node's birth");
    const device = bornHost().handle({ group: 'g', type: 'DDATA', node: 'n', device: 'late' }, payload({ seq: 2n, metrics: [{ name: 'kwh', datatype: DataType.Double, value: { case: 'doubleValue', value: 7 } }] }));
    expect([device.samples.map((s) => s.value), device.rebirth]).toEqual([[7], 'DDATA from device "late" before its birth']);
  });
});
