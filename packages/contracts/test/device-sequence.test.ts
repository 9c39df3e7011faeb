import { describe, expect, it } from 'vitest';
import { decodeDeviceSequence, DeviceSequenceDecodeError, encodeDeviceSequence, type DeviceSequenceV1 } from '../src/index.ts';

const record: DeviceSequenceV1 = {
  v: 1,
  deviceId: 'cq-gw-01',
  enterpriseId: 'cq-autoparts',
  seq: 1842,
  sha256: 'ab'.repeat(32),
  outcome: 'partly-admitted',
  receivedAt: '2026-03-01T00:15:00.123Z',
  receivedMs: 1772324100123,
};

describe('device sequence v1', () => {
  it('decodes what it encodes', () => {
    expect(decodeDeviceSequence(encodeDeviceSequence(record))).toEqual(record);
  });

  it.each([
    ['not JSON', Buffer.from('{"v":1'), 'device sequence record is not JSON'],
    ['a digest that is not 64 hex digits', encodeDeviceSequence({ ...record, sha256: 'AB'.repeat(32) }), 'not a device sequence v1: /sha256'],
    ['a seq beyond 2^53', Buffer.from(JSON.stringify({ ...record, seq: 2 ** 53 })), 'not a device sequence v1: /seq'],
    ['an unknown member', Buffer.from(JSON.stringify({ ...record, extra: 1 })), 'not a device sequence v1: / must NOT have additional properties'],
  ])('refuses %s, naming the fault', (_what, bytes, message) => {
    expect(() => decodeDeviceSequence(bytes)).toThrow(DeviceSequenceDecodeError);
    expect(() => decodeDeviceSequence(bytes)).toThrow(message);
  });
});
