import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_EXCERPT_BYTES, DEAD_LETTER_SCHEMA_ID, deadLetterCodec, describeOriginal, type DeadLetterV2 } from '../src/dead-letter.ts';

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('dead letter v2 (issue 13)', () => {
  it('keeps a bounded excerpt of the original, with its size and digest', () => {
    const big = Buffer.alloc(1_000_000, 0x61);
    expect(describeOriginal(big)).toEqual({ bytes: 1_000_000, sha256: sha(big), excerptBase64: big.subarray(0, DEAD_LETTER_EXCERPT_BYTES).toString('base64'), truncated: true });
    const small = Buffer.from('{"v":1}');
    expect(describeOriginal(small)).toEqual({ bytes: small.length, sha256: sha(small), excerptBase64: small.toString('base64'), truncated: false });
  });

  it('reads back what it writes, sent with its schema and reason headers', () => {
    const letter: DeadLetterV2 = {
      v: 2,
      stage: 'ingest',
      reason: 'POINT_NOT_AUTHORISED',
      detail: '2 of 3 readings refused',
      path: '/readings/0/point',
      refusals: [
        { index: 0, reason: 'POINT_NOT_AUTHORISED', detail: 'x', path: '/readings/0/point' },
        { index: 2, reason: 'VALUE_NEGATIVE', detail: 'y', path: '/readings/2/value' },
      ],
      admittedReadings: 1,
      mqttTopic: 'meterline/v1/d-1/readings',
      topicDeviceId: 'd-1',
      receivedAt: '2026-03-01T00:00:00.000Z',
      original: describeOriginal(Buffer.from('payload')),
    };
    const record = deadLetterCodec.encode(letter, 'd-1');
    expect(record).toMatchObject({ key: 'd-1', headers: { schema: DEAD_LETTER_SCHEMA_ID, reason: 'POINT_NOT_AUTHORISED' } });
    expect(deadLetterCodec.decode(record.value)).toEqual({ ok: true, value: letter });
  });

  it('reads a v1 record as v2: its embedded payload becomes the whole excerpt, its reading index a refusal', () => {
    const payload = Buffer.from('{"v":1,"deviceId":"d-1"}');
    const v1 = {
      v: 1,
      stage: 'ingest',
      reason: 'POINT_NOT_AUTHORISED',
      detail: 'device "d-1" may not report metering point "p-9"',
      path: '/readings/3/point',
      readingIndex: 3,
      mqttTopic: 'meterline/v1/d-1/readings',
      topicDeviceId: 'd-1',
      receivedAt: '2026-03-01T00:00:00.000Z',
      payloadBase64: payload.toString('base64'),
    };
    expect(deadLetterCodec.decode(Buffer.from(JSON.stringify(v1)))).toEqual({ ok: true, value: {
      v: 2,
      stage: 'ingest',
      reason: 'POINT_NOT_AUTHORISED',
      detail: v1.detail,
      path: '/readings/3/point',
      refusals: [{ index: 3, reason: 'POINT_NOT_AUTHORISED', detail: v1.detail, path: '/readings/3/point' }],
      mqttTopic: v1.mqttTopic,
      topicDeviceId: 'd-1',
      receivedAt: v1.receivedAt,
      original: { bytes: payload.length, sha256: sha(payload), excerptBase64: payload.toString('base64'), truncated: false },
    } });
  });

  it('refuses what is no dead letter, saying why', () => {
    expect(deadLetterCodec.decode(Buffer.from('{"v":3}'))).toEqual({ ok: false, detail: `not a dead letter v1 or v2: does not match ${DEAD_LETTER_SCHEMA_ID}: /stage is required` });
    expect(deadLetterCodec.decode(Buffer.from('not json'))).toEqual({ ok: false, detail: 'not JSON (8 bytes)' });
  });
});
