import { fromBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { DataType, PayloadSchema, type Payload_Metric } from '../src/index.ts';

// Payloads an edge node of pysparkplug 0.6.1 (PyPI, an implementation no one here wrote)
// published through Mosquitto, as a subscriber received them: group "energy", node "edge1",
// device "meter1" with one metric, "energy_kwh" (alias 1, Double).
const RECEIVED = {
  nbirth: '089fc8a59aa43412210a144e6f646520436f6e74726f6c2f52656269727468189cc8a59aa434200b700012120a056264536571189cc8a59aa434200458001800',
  dbirth: '089fc8a59aa43412200a0a656e657267795f6b77681001189cc8a59aa434200a6900000000000000001801',
  ddata: ['0887d0a59aa434121e0a0a656e657267795f6b77681887d0a59aa434200a6900000000000000001802', '08d0d1a59aa434121e0a0a656e657267795f6b776818d0d1a59aa434200a69000000000000f83f1803', '0898d3a59aa434121e0a0a656e657267795f6b77681898d3a59aa434200a6900000000000008401804'],
  ncmd: '08d7d8a59aa43412210a144e6f646520436f6e74726f6c2f5265626972746818d7d8a59aa434200b7001',
  ndeathAfterGracefulDisconnect: '08d8d8a59aa43412120a056264536571189fc8a59aa43420045801',
};
const decode = (hex: string) => fromBinary(PayloadSchema, Buffer.from(hex, 'hex'));
const valueOf = (m: Payload_Metric) => m.value.value;

describe('Sparkplug B payloads, decoded with the code generated from the specification', () => {
  it('reads an NBIRTH: seq 0, the rebirth control and bdSeq', () => {
    const birth = decode(RECEIVED.nbirth);
    expect(birth.seq).toBe(0n);
    expect(birth.metrics.map((m) => [m.name, m.datatype, m.value.case, valueOf(m)])).toEqual([
      ['Node Control/Rebirth', DataType.Boolean, 'booleanValue', false],
      ['bdSeq', DataType.Int64, 'longValue', 0n],
    ]);
  });

  it('reads a DBIRTH with the alias its data will use, then DDATA with seq counting on', () => {
    const birth = decode(RECEIVED.dbirth);
    expect(birth.seq).toBe(1n);
    expect(birth.metrics.map((m) => [m.name, m.alias, m.datatype, valueOf(m)])).toEqual([['energy_kwh', 1n, DataType.Double, 0]]);
    const data = RECEIVED.ddata.map(decode);
    expect(data.map((d) => d.seq)).toEqual([2n, 3n, 4n]);
    expect(data.map((d) => valueOf(d.metrics[0]!))).toEqual([0, 1.5, 3]);
    expect(data.every((d) => d.timestamp !== undefined && d.timestamp > 1_700_000_000_000n)).toBe(true);
  });

  it('reads a rebirth request and an NDEATH with its bdSeq', () => {
    expect(decode(RECEIVED.ncmd).metrics.map((m) => [m.name, valueOf(m)])).toEqual([['Node Control/Rebirth', true]]);
    // pysparkplug 0.6.1 sends bdSeq + 1 in the NDEATH of a graceful disconnect (its Will is set
    // again after the birth): a host must take this death as stale for the birth with bdSeq 0.
    expect(decode(RECEIVED.ndeathAfterGracefulDisconnect).metrics.map((m) => [m.name, valueOf(m)])).toEqual([['bdSeq', 1n]]);
  });
});
