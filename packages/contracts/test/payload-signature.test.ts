import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkPayloadSignature, ed25519PublicKey, payloadSigningInput, signPayload, type Ed25519PublicJwk } from '../src/payload-signature.ts';

// RFC 8037 appendix A.1: the Ed25519 key of RFC 8032 section 7.1, test 1, as a JWK.
const RFC_8037_PUBLIC: Ed25519PublicJwk = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };
const rfcPrivateKey = createPrivateKey({ key: { ...RFC_8037_PUBLIC, d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A' }, format: 'jwk' });
const rfcPublicKey = ed25519PublicKey(RFC_8037_PUBLIC);

const payload = {
  v: 1,
  deviceId: 'cq-gw-01',
  seq: 42,
  readings: [
    { point: 'cq-e-main', ts: '2026-03-01T08:15:00+08:00', quantity: 'active-energy-import', value: 1000.5, unit: 'kWh' },
    { point: 'cq-e-press', ts: '2026-03-01T08:15:00+08:00', quantity: 'active-energy-import', value: 2.5e-7, unit: 'MWh' },
  ],
};

/**
 * `payload` signed with the RFC 8037 key by the Go example of the device guide
 * (docs/examples/sign-payload: `go run . -key <seed 9d61b1…7f60> sign`), an implementation
 * of its own (Go's encoding/json and crypto/ed25519), as it printed it.
 */
const SIGNED_BY_GO_EXAMPLE =
  '{"deviceId":"cq-gw-01","readings":[{"point":"cq-e-main","quantity":"active-energy-import","ts":"2026-03-01T08:15:00+08:00","unit":"kWh","value":1000.5},' +
  '{"point":"cq-e-press","quantity":"active-energy-import","ts":"2026-03-01T08:15:00+08:00","unit":"MWh","value":2.5e-7}],"seq":42,' +
  '"sig":"4hQanUoeDtDKT4dpTpV0EeRzk6bcLXbriLePsfOaHpwvf9LxArI7ygHNanIM0wdHlxjEzj3TXqVc0DzvUECABg","v":1}';

describe('signed payloads', () => {
  it('verifies a payload the Go example signed, and signs it to the same signature (Ed25519 is deterministic)', () => {
    const fromGo = JSON.parse(SIGNED_BY_GO_EXAMPLE) as Record<string, unknown>;
    expect(checkPayloadSignature(fromGo, rfcPublicKey)).toEqual({ ok: true });
    expect(signPayload(payload, rfcPrivateKey).sig).toBe(fromGo['sig']);
  });

  it('signs the canonical JSON without "sig": member order and spacing of the text do not matter', () => {
    expect(payloadSigningInput({ ...payload, sig: 'x' }).toString('utf8')).toBe(
      '{"deviceId":"cq-gw-01","readings":[{"point":"cq-e-main","quantity":"active-energy-import","ts":"2026-03-01T08:15:00+08:00","unit":"kWh","value":1000.5},' +
        '{"point":"cq-e-press","quantity":"active-energy-import","ts":"2026-03-01T08:15:00+08:00","unit":"MWh","value":2.5e-7}],"seq":42,"v":1}',
    );
    const signed = signPayload(payload, rfcPrivateKey);
    const reformatted = `{ "sig" : ${JSON.stringify(signed.sig)},\n  "readings": ${JSON.stringify(payload.readings, null, 2)}, "seq": 42.0, "deviceId": "cq-gw-01", "v": 1 }`;
    expect(checkPayloadSignature(JSON.parse(reformatted) as Record<string, unknown>, rfcPublicKey)).toEqual({ ok: true });
  });

  it('refuses a payload changed after signing, signed by another key, or with a malformed signature, saying which', () => {
    const signed = signPayload(payload, rfcPrivateKey);
    const changed = { ...signed, readings: [{ ...payload.readings[0]!, value: 1000.6 }, payload.readings[1]!] };
    expect(checkPayloadSignature(changed, rfcPublicKey)).toEqual({ ok: false, detail: expect.stringMatching(/does not match/) as unknown });
    expect(checkPayloadSignature({ ...signed, seq: 43 }, rfcPublicKey)).toMatchObject({ ok: false });

    const other = generateKeyPairSync('ed25519');
    expect(checkPayloadSignature(signPayload(payload, other.privateKey), rfcPublicKey)).toMatchObject({ ok: false, detail: expect.stringMatching(/does not match/) as unknown });

    expect(checkPayloadSignature(payload, rfcPublicKey)).toEqual({ ok: false, detail: 'the payload has no "sig" member' });
    expect(checkPayloadSignature({ ...payload, sig: `${signed.sig.slice(0, -1)}=` }, rfcPublicKey)).toMatchObject({ ok: false, detail: expect.stringMatching(/base64url/) as unknown });
    expect(checkPayloadSignature({ ...payload, sig: signed.sig.slice(0, 80) }, rfcPublicKey)).toMatchObject({ ok: false, detail: expect.stringMatching(/64 bytes/) as unknown });
  });

  it('refuses a key that is not Ed25519', () => {
    expect(() => ed25519PublicKey({ kty: 'OKP', crv: 'X25519' as 'Ed25519', x: RFC_8037_PUBLIC.x })).toThrow(/Ed25519|x25519/i);
  });
});
