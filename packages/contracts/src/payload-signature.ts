import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson, NotIJsonError, type Json } from './canonical-json.ts';

/**
 * Signed payloads (MQTT payload v1, optional member `sig`). What is signed is the payload as
 * a JSON value, not its bytes: the RFC 8785 canonical JSON (JCS) of the payload object
 * without its `sig` member, encoded as UTF-8. The signature is Ed25519 (RFC 8032, pure, no
 * pre-hash), 64 bytes, sent as base64url without padding. A device's public key is a JWK
 * (RFC 8037: `{"kty":"OKP","crv":"Ed25519","x":"<base64url of 32 bytes>"}`) in the registry.
 *
 * Signing the value rather than the bytes lets a device format its JSON as it likes (spaces,
 * member order) and still sign in a few lines in any language with a JSON encoder that sorts
 * keys; docs/device-integration.md shows one in Go.
 */
export const SIGNATURE_MEMBER = 'sig';

/** A device's Ed25519 public key as a JWK (RFC 8037 section 2). */
export interface Ed25519PublicJwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  /** base64url (no padding) of the 32-byte public key. */
  readonly x: string;
}

export type SignatureCheck = { ok: true } | { ok: false; detail: string };

/** The bytes a device signs: the canonical JSON of `payload` without `sig`. Throws NotIJsonError for values JCS refuses. */
export function payloadSigningInput(payload: Readonly<Record<string, unknown>>): Buffer {
  const { [SIGNATURE_MEMBER]: _signature, ...signed } = payload;
  return Buffer.from(canonicalJson(signed as Json), 'utf8');
}

/** The public key of a registry JWK; throws when it is not an Ed25519 key. */
export function ed25519PublicKey(jwk: Ed25519PublicJwk): KeyObject {
  const key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });
  if (key.asymmetricKeyType !== 'ed25519') throw new TypeError(`not an Ed25519 key: ${key.asymmetricKeyType ?? 'unknown type'}`);
  return key;
}

/** The payload with its `sig` member set: what a device (or the simulator) publishes. */
export function signPayload<T extends Record<string, unknown>>(payload: T, privateKey: KeyObject): T & { sig: string } {
  const signature = sign(null, payloadSigningInput(payload), privateKey).toString('base64url');
  return { ...payload, [SIGNATURE_MEMBER]: signature };
}

/** Whether `payload.sig` is a valid Ed25519 signature of the payload by `publicKey`. Never throws. */
export function checkPayloadSignature(payload: Readonly<Record<string, unknown>>, publicKey: KeyObject): SignatureCheck {
  const signature = payload[SIGNATURE_MEMBER];
  if (typeof signature !== 'string') return { ok: false, detail: 'the payload has no "sig" member' };
  const bytes = Buffer.from(signature, 'base64url');
  if (bytes.length !== 64 || bytes.toString('base64url') !== signature) {
    return { ok: false, detail: '"sig" is not base64url (no padding) of 64 bytes' };
  }
  let input: Buffer;
  try {
    input = payloadSigningInput(payload);
  } catch (error) {
    if (error instanceof NotIJsonError) return { ok: false, detail: `the payload has no canonical form to verify: ${error.message}` };
    throw error;
  }
  return verify(null, input, publicKey, bytes) ? { ok: true } : { ok: false, detail: 'the signature does not match the payload and the device\'s registered public key' };
}
