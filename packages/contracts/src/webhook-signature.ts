import { createHmac, timingSafeEqual } from 'node:crypto';

/** The webhook's headers (HTTP header names are case-insensitive; Node gives them lower-case). */
export const WEBHOOK_HEADERS = Object.freeze({
  /** Unix seconds when this attempt was signed. */
  timestamp: 'meterline-timestamp',
  /** `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`; several, comma-separated, while a secret is rotated. */
  signature: 'meterline-signature',
  /** The notification id: the same on every attempt of one notification. */
  idempotencyKey: 'idempotency-key',
});

/** How far a signed timestamp may be from the receiver's clock (5 minutes, as most webhook senders use). */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

/** The signature of one attempt: HMAC-SHA256 over the timestamp, a dot, and the exact body bytes. */
export function signWebhook(secret: string, timestampSeconds: number, body: string | Buffer): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.`).update(body).digest('hex');
  return `v1=${mac}`;
}

export type WebhookVerification =
  | { ok: true; timestampSeconds: number }
  | { ok: false; reason: 'MISSING_HEADER' | 'BAD_TIMESTAMP' | 'STALE_TIMESTAMP' | 'SIGNATURE_MISMATCH' };

/**
 * Checks a received webhook: the timestamp within the tolerance of `nowMs` (a replayed
 * request fails once it is older), and one of the `v1=` signatures equal to ours.
 */
export function verifyWebhook(input: {
  secret: string;
  body: string | Buffer;
  timestampHeader: string | undefined;
  signatureHeader: string | undefined;
  nowMs: number;
  toleranceSeconds?: number;
}): WebhookVerification {
  if (!input.timestampHeader || !input.signatureHeader) return { ok: false, reason: 'MISSING_HEADER' };
  if (!/^\d{1,12}$/.test(input.timestampHeader)) return { ok: false, reason: 'BAD_TIMESTAMP' };
  const timestampSeconds = Number(input.timestampHeader);
  const tolerance = input.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS;
  if (Math.abs(input.nowMs / 1000 - timestampSeconds) > tolerance) return { ok: false, reason: 'STALE_TIMESTAMP' };
  const expected = Buffer.from(signWebhook(input.secret, timestampSeconds, input.body));
  const matches = input.signatureHeader
    .split(',')
    .map((s) => Buffer.from(s.trim()))
    .some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected));
  return matches ? { ok: true, timestampSeconds } : { ok: false, reason: 'SIGNATURE_MISMATCH' };
}
