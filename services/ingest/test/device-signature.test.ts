import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { signPayload } from '@meterline/contracts';
import { indexRegistry, parseManifest, type Manifest } from '@meterline/domain';
import { admitPayload } from '../src/admit-payload.ts';

// Issue 13: a device registered with an Ed25519 public key must sign every payload.
const keys = generateKeyPairSync('ed25519');
const publicJwk = keys.publicKey.export({ format: 'jwk' });
const parsed = parseManifest(readFileSync(new URL('../../../packages/domain/examples/demo-manifest.yaml', import.meta.url), 'utf8'), 'demo-manifest.yaml');
if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));

/** The demo registry with the gateway cq-gw-01 holding `publicKey`. */
function registryWithKey(publicKey: { kty: 'OKP'; crv: 'Ed25519'; x: string }) {
  const manifest = structuredClone(parsed.ok ? parsed.manifest : ({} as Manifest));
  const gateway = manifest.enterprises[0]!.devices.find((d) => d.id === 'cq-gw-01')!;
  gateway.publicKey = publicKey;
  return indexRegistry(manifest);
}
const registry = registryWithKey({ kty: 'OKP', crv: 'Ed25519', x: publicJwk.x! });
const rules = { maxPayloadBytes: 4_096, maxFutureSkewMs: 300_000, horizonMs: Date.UTC(2000, 0, 1) };
const receivedAt = new Date('2026-03-01T00:20:00Z');

const reading = { point: 'cq-e-main', ts: '2026-03-01T08:15:00+08:00', quantity: 'active-energy-import', value: 1000, unit: 'kWh' };
const batch = { v: 1, deviceId: 'cq-gw-01', seq: 7, readings: [reading, { ...reading, point: 'cq-e-press', value: 2.5, unit: 'MWh' }] };
const admit = (payload: object, deviceId = 'cq-gw-01', index = registry) =>
  admitPayload(`meterline/v1/${deviceId}/readings`, Buffer.from(JSON.stringify(payload)), receivedAt, index, rules);

describe('admitPayload with signed payloads', () => {
  it('admits a payload signed by the registered key, every reading marked verified', () => {
    const { readings, deadLetter } = admit(signPayload(batch, keys.privateKey));
    expect(deadLetter).toBeUndefined();
    expect(readings.map((r) => [r.pointId, r.verified])).toEqual([
      ['cq-e-main', true],
      ['cq-e-press', true],
    ]);
  });

  it('verifies the single-reading form too', () => {
    const { readings, deadLetter } = admit(signPayload({ v: 1, deviceId: 'cq-gw-01', seq: 8, ...reading }, keys.privateKey));
    expect(deadLetter).toBeUndefined();
    expect(readings).toMatchObject([{ pointId: 'cq-e-main', verified: true }]);
  });

  it('refuses an unsigned payload of a device with a key as SIGNATURE_MISSING, whole', () => {
    const { readings, deadLetter } = admit(batch);
    expect(readings).toEqual([]);
    expect(deadLetter).toMatchObject({ reason: 'SIGNATURE_MISSING', path: '/sig', topicDeviceId: 'cq-gw-01', detail: expect.stringContaining('cq-gw-01') as unknown });
  });

  it('refuses a payload changed after signing, or signed by another key, as SIGNATURE_INVALID', () => {
    const signed = signPayload(batch, keys.privateKey);
    const raised = { ...signed, readings: [{ ...reading, value: 1001 }, signed.readings[1]] };
    expect(admit(raised)).toMatchObject({ readings: [], deadLetter: { reason: 'SIGNATURE_INVALID', path: '/sig' } });
    const otherKey = generateKeyPairSync('ed25519').privateKey;
    expect(admit(signPayload(batch, otherKey))).toMatchObject({ readings: [], deadLetter: { reason: 'SIGNATURE_INVALID' } });
  });

  it('refuses every payload of a device whose registered key is unusable, naming the key as the fault', () => {
    // 43 base64url characters that decode to 32 bytes but are not a point of the curve are accepted
    // by the registry schema; the failure must be a clear refusal, not a crash.
    const broken = registryWithKey({ kty: 'OKP', crv: 'Ed25519', x: 'AQ' + 'A'.repeat(41) });
    const outcome = admit(signPayload(batch, keys.privateKey), 'cq-gw-01', broken);
    expect(outcome.readings).toEqual([]);
    expect(outcome.deadLetter?.reason).toBe('SIGNATURE_INVALID');
  });

  it('takes readings of a device without a key as unverified, signed or not', () => {
    const meter = { v: 1, deviceId: 'cq-gas-01', seq: 1, point: 'cq-gas-main', ts: '2026-03-01T08:15:00+08:00', quantity: 'volume', value: 10, unit: 'Nm3' };
    expect(admit(meter, 'cq-gas-01')).toMatchObject({ deadLetter: undefined, readings: [{ verified: false }] });
    expect(admit(signPayload(meter, keys.privateKey), 'cq-gas-01')).toMatchObject({ deadLetter: undefined, readings: [{ verified: false }] });
  });
});
