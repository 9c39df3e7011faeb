import { fromBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { DataType, PayloadSchema, SparkplugHost, decodePayload, parseTopic, rebirthRequest } from '../src/index.ts';

describe('decodePayload', () => {
  it('says why bytes are not a Sparkplug payload instead of throwing', () => {
    // Field 2 (metrics) announcing 100 bytes and ending after 2.
    const decoded = decodePayload(Buffer.from([0x12, 0x64, 0x0a, 0x01]));
    expect(decoded).toEqual({ ok: false, error: 'premature EOF' });
    expect(decodePayload(Buffer.from('{"deviceId":"x"}'))).toMatchObject({ ok: false });
  });
});

describe('rebirthRequest', () => {
  it('is a Boolean Node Control/Rebirth with its datatype and timestamp, as pysparkplug needs', () => {
    const payload = fromBinary(PayloadSchema, rebirthRequest(1_780_000_000_123));
    expect(payload.timestamp).toBe(1_780_000_000_123n);
    expect(payload.metrics).toHaveLength(1);
    expect(payload.metrics[0]).toMatchObject({ name: 'Node Control/Rebirth', datatype: DataType.Boolean, value: { case: 'booleanValue', value: true } });
  });

  it('is a command the host itself takes as one (it changes no session)', () => {
    const host = new SparkplugHost();
    const verdict = host.handle(parseTopic('spBv1.0/g/NCMD/n')!, fromBinary(PayloadSchema, rebirthRequest(0)));
    expect(verdict).toMatchObject({ samples: [], refused: [], ignored: expect.stringContaining('command') as unknown });
  });
});
