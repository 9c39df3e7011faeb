import { describe, expect, it } from 'vitest';
import { DEVICE_SEQUENCE_SCHEMA_ID, deviceSequenceCodec, type DeviceSequenceV1 } from '../src/index.ts';

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
  it('decodes what it encodes, keyed by device with its schema header', () => {
    const encoded = deviceSequenceCodec.encode(record, record.deviceId);
    expect(encoded).toMatchObject({ key: 'cq-gw-01', headers: { schema: DEVICE_SEQUENCE_SCHEMA_ID } });
    expect(deviceSequenceCodec.decode(encoded.value)).toEqual({ ok: true, value: record });
  });
  const bytesOf = (r: DeviceSequenceV1) => deviceSequenceCodec.encode(r, r.deviceId).value;

  it.each([
    ['not JSON', Buffer.from('{"v":1'), 'not JSON (6 bytes)'],
    ['a digest that is not 64 hex digits', bytesOf({ ...record, sha256: 'AB'.repeat(32) }), `does not match ${DEVICE_SEQUENCE_SCHEMA_ID}: /sha256`],
    ['a seq beyond 2^53', Buffer.from(JSON.stringify({ ...record, seq: 2 ** 53 })), `does not match ${DEVICE_SEQUENCE_SCHEMA_ID}: /seq`],
    ['an unknown member', Buffer.from(JSON.stringify({ ...record, extra: 1 })), `does not match ${DEVICE_SEQUENCE_SCHEMA_ID}: / must NOT have additional properties`],
  ])('refuses %s, naming the fault', (_what, bytes, message) => {
    const decoded = deviceSequenceCodec.decode(bytes);
    expect(decoded.ok).toBe(false);
    expect(decoded.ok ? '' : decoded.detail).toContain(message);
  });
});
