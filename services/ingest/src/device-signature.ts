import { checkPayloadSignature, ed25519PublicKey, SIGNATURE_MEMBER, type Ed25519PublicJwk } from '@meterline/contracts';
import type { Device } from '@meterline/domain';
import type { KeyObject } from 'node:crypto';

export type SignatureOutcome =
  | { readonly kind: 'verified' }
  /** The device has no registered key: its payloads are taken unverified, signed or not. */
  | { readonly kind: 'not-required' }
  | { readonly kind: 'refused'; readonly reason: 'SIGNATURE_MISSING' | 'SIGNATURE_INVALID'; readonly detail: string };

/** Parsed keys, per registry key object: a registry reload brings new objects and the old ones go with it. */
const parsedKeys = new WeakMap<Ed25519PublicJwk, KeyObject | Error>();

function publicKeyOf(jwk: Ed25519PublicJwk): KeyObject | Error {
  let key = parsedKeys.get(jwk);
  if (key === undefined) {
    try {
      key = ed25519PublicKey(jwk);
    } catch (error) {
      // Kept as a value: every payload of the device is refused with this reason until the registry is fixed.
      key = error as Error;
    }
    parsedKeys.set(jwk, key);
  }
  return key;
}

/**
 * A device registered with a public key must sign every payload (payload-signature.ts in
 * contracts): an unsigned payload of it could be anyone's. Pure apart from the key cache.
 */
export function checkDeviceSignature(device: Device, payload: Readonly<Record<string, unknown>>): SignatureOutcome {
  if (device.publicKey === undefined) return { kind: 'not-required' };
  if (payload[SIGNATURE_MEMBER] === undefined) {
    return { kind: 'refused', reason: 'SIGNATURE_MISSING', detail: `device "${device.id}" is registered with a public key, so its payloads must be signed ("sig")` };
  }
  const key = publicKeyOf(device.publicKey);
  if (key instanceof Error) {
    return { kind: 'refused', reason: 'SIGNATURE_INVALID', detail: `the public key registered for device "${device.id}" cannot be used: ${key.message}` };
  }
  const check = checkPayloadSignature(payload, key);
  return check.ok ? { kind: 'verified' } : { kind: 'refused', reason: 'SIGNATURE_INVALID', detail: check.detail };
}
