import { hash } from 'node:crypto';
import type { DeadLetterReason, DeviceSequenceV1, PayloadOutcome } from '@meterline/contracts';
import type { RegistryIndex } from '@meterline/domain';
import type { Admission } from './admit-payload.ts';

/**
 * Payload faults after which the payload's `seq` is not the device's word: no JSON to read it
 * from, a member named twice (the payload means different things to different readers), a
 * device other than the topic's (the broker vouches only for the topic), a device the registry
 * does not know (no enterprise to count it for), too large to be read at all, or unsigned or
 * badly signed when the device has a registered key (whoever sent it could have made up the
 * seq, and would make the device's own next payloads look like replays).
 */
const UNTRACKED: ReadonlySet<DeadLetterReason> = new Set([
  'PAYLOAD_TOO_LARGE', 'MALFORMED_JSON', 'DUPLICATE_KEY', 'DEVICE_MISMATCH', 'UNKNOWN_DEVICE', 'SIGNATURE_MISSING', 'SIGNATURE_INVALID',
]);

/**
 * The device sequence record of a readings payload, or undefined when its `seq` cannot be
 * attributed to the device the topic names. Every admitted reading carries the payload's
 * device and seq; a payload refused whole for its schema, or with every reading refused, is
 * read again only for them (that path is rare, the common one parses nothing twice).
 */
export function payloadSequence(
  topicDeviceId: string | undefined,
  payload: Buffer,
  admission: Admission,
  outcome: PayloadOutcome,
  receivedAt: Date,
  registry: RegistryIndex,
): DeviceSequenceV1 | undefined {
  const of = (deviceId: string, seq: number, enterpriseId: string): DeviceSequenceV1 => ({
    v: 1,
    deviceId,
    enterpriseId,
    seq,
    // One-shot: half the CPU of createHash().update().digest() on a payload of a few hundred bytes.
    sha256: hash('sha256', payload, 'hex'),
    outcome,
    receivedAt: receivedAt.toISOString(),
    receivedMs: receivedAt.getTime(),
  });
  const [reading] = admission.readings;
  if (reading) return of(reading.deviceId, reading.seq, registry.device(reading.deviceId)?.enterpriseId ?? reading.enterpriseId);
  const letter = admission.deadLetter;
  if (topicDeviceId === undefined || !letter || UNTRACKED.has(letter.reason)) return undefined;
  const claimed = deviceAndSeq(payload);
  if (!claimed || claimed.deviceId !== topicDeviceId) return undefined;
  const location = registry.device(claimed.deviceId);
  return location ? of(claimed.deviceId, claimed.seq, location.enterpriseId) : undefined;
}

/** `deviceId` and `seq` of a JSON payload whose other members may be wrong; undefined when either is not as the schema says. */
function deviceAndSeq(payload: Buffer): { deviceId: string; seq: number } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    // Admission parsed it already; a payload that is not JSON has no seq to track.
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { deviceId, seq } = parsed as Record<string, unknown>;
  if (typeof deviceId !== 'string' || typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return undefined;
  return { deviceId, seq };
}
