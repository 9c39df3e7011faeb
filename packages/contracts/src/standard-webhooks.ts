import { createHmac } from 'node:crypto';

/**
 * Standard Webhooks 1.0.0 (standardwebhooks.com; spec/standard-webhooks.md in
 * github.com/standard-webhooks/standard-webhooks), sections "Signature scheme" and
 * "Webhook headers": the message id, the attempt's Unix time and the body, joined by
 * full stops, signed with HMAC-SHA256; `v1,<base64 signature>`, several space-separated
 * while a secret is rotated. Sent beside Meterline's own headers, so receivers can use a
 * Standard Webhooks verifier as it is.
 */
export const STANDARD_WEBHOOK_HEADERS = Object.freeze({
  /** The notification id: the same on every attempt of one notification. */
  id: 'webhook-id',
  /** Unix seconds when this attempt was signed. */
  timestamp: 'webhook-timestamp',
  /** `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`, space-separated while a secret is rotated. */
  signature: 'webhook-signature',
});

const PREFIX = 'whsec_';
/** The spec's size for a symmetric signing secret. */
const KEY_BYTES = { min: 24, max: 64 };

/** The key a `whsec_` secret stands for, when the rest is canonical base64 of 24 to 64 bytes. */
function whsecKey(secret: string): Buffer | undefined {
  if (!secret.startsWith(PREFIX)) return undefined;
  const encoded = secret.slice(PREFIX.length);
  const key = Buffer.from(encoded, 'base64');
  // Buffer's decoder skips what is not base64; encoding back tells a canonical secret from a look-alike.
  if (key.toString('base64') !== encoded || key.length < KEY_BYTES.min || key.length > KEY_BYTES.max) return undefined;
  return key;
}

/**
 * The HMAC key of a subscription secret in the Standard Webhooks signature: a secret in the
 * spec's own form (`whsec_` + base64 of 24 to 64 bytes) stands for those bytes, as every
 * Standard Webhooks library reads it; any other secret (Meterline's API makes base64url
 * strings without the prefix) is used as its UTF-8 bytes, the same key as Meterline's own
 * `meterline-signature`.
 */
export function standardWebhooksKey(secret: string): Buffer {
  return whsecKey(secret) ?? Buffer.from(secret, 'utf8');
}

/**
 * The secret a receiver gives a Standard Webhooks library (`new Webhook(secret)`) to verify
 * a subscription's webhooks: a `whsec_` secret as it is, any other as `whsec_` + the base64
 * of its UTF-8 bytes.
 */
export function standardWebhooksSecret(secret: string): string {
  return whsecKey(secret) ? secret : `${PREFIX}${Buffer.from(secret, 'utf8').toString('base64')}`;
}

/** One `v1,` signature of an attempt: HMAC-SHA256 over "<id>.<timestamp>.<body>", base64. */
export function signStandardWebhook(secret: string, webhookId: string, timestampSeconds: number, body: string | Buffer): string {
  const mac = createHmac('sha256', standardWebhooksKey(secret)).update(`${webhookId}.${timestampSeconds}.`).update(body).digest('base64');
  return `v1,${mac}`;
}
