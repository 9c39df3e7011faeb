import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkPayloadSignature, validateMqttPayload } from '@meterline/contracts';
import { encodePayload, payloadChunks, type PolledReading } from '../src/payload.ts';

const reading = (i: number, tsMs = Date.UTC(2026, 2, 1, 0, 15, 0, 5)): PolledReading => ({ point: `cq-e-${i}`, quantity: 'active-energy-import', unit: 'kWh', value: 1000 + i / 4, tsMs });
const options = { deviceId: 'cq-gw-01', utcOffsetMinutes: 480, signingKey: undefined };

describe('encodePayload', () => {
  it('builds payload v1 in the batch form, valid by the contract', () => {
    const bytes = encodePayload(1842, [reading(1), reading(2)], options);
    const parsed: unknown = JSON.parse(bytes.toString());
    expect(validateMqttPayload(parsed).ok).toBe(true);
    expect(parsed).toEqual({
      v: 1,
      deviceId: 'cq-gw-01',
      seq: 1842,
      readings: [
        { point: 'cq-e-1', ts: '2026-03-01T08:15:00.005+08:00', quantity: 'active-energy-import', value: 1000.25, unit: 'kWh' },
        { point: 'cq-e-2', ts: '2026-03-01T08:15:00.005+08:00', quantity: 'active-energy-import', value: 1000.5, unit: 'kWh' },
      ],
    });
  });

  it('signs it when the device has a key, verifiably with its public key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const payload = JSON.parse(encodePayload(7, [reading(1)], { ...options, signingKey: privateKey }).toString()) as Record<string, unknown>;
    expect(validateMqttPayload(payload).ok).toBe(true);
    expect(checkPayloadSignature(payload, publicKey)).toEqual({ ok: true });
    expect(checkPayloadSignature({ ...payload, seq: 8 }, publicKey).ok).toBe(false);
  });
});

describe('payloadChunks', () => {
  it('splits a poll into payloads of at most maxReadings, in order', () => {
    const readings = Array.from({ length: 5 }, (_, i) => reading(i));
    expect(payloadChunks(readings, 2, options)).toEqual([readings.slice(0, 2), readings.slice(2, 4), readings.slice(4)]);
  });

  it('halves a payload that would pass the broker packet limit', () => {
    // 2 000 readings of the longest fields: about 430 KB as one payload, over the 256 KiB limit.
    const long = Array.from({ length: 2000 }, (_, i): PolledReading => ({ ...reading(i), point: `p${String(i).padStart(63, '0')}`, quantity: 'q'.repeat(48), unit: 'u'.repeat(16) }));
    const chunks = payloadChunks(long, 2000, options);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.flat()).toEqual(long);
    for (const chunk of chunks) expect(encodePayload(Number.MAX_SAFE_INTEGER, chunk, options).length).toBeLessThanOrEqual(262_144 - 1_024);
  });
});
