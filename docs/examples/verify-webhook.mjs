// Verifying a Meterline webhook on the receiver's side, in Node.js with node:crypto only.
//
//   MTL_WEBHOOK_SECRET=… node verify-webhook.mjs        (a receiver on http://127.0.0.1:8080/)
//
// Verify the raw body exactly as received: parsing and re-serialising JSON changes bytes.
/* global console */
import { Buffer } from 'node:buffer';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

/**
 * How far the signed timestamp may be from this machine's clock.
 * @public a receiver copies or imports this example
 */
export const TOLERANCE_SECONDS = 300;

/**
 * @param {{ secret: string, rawBody: Buffer | string, timestamp: string | undefined,
 *           signature: string | undefined, nowSeconds?: number, toleranceSeconds?: number }} input
 *   timestamp and signature: the meterline-timestamp and meterline-signature headers.
 * @returns {{ ok: true } | { ok: false, reason: string }}
 * @public a receiver copies or imports this example
 */
export function verifyMeterlineWebhook({ secret, rawBody, timestamp, signature, nowSeconds = Date.now() / 1000, toleranceSeconds = TOLERANCE_SECONDS }) {
  if (!timestamp || !signature) return { ok: false, reason: 'missing header' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'bad timestamp' };
  // A replayed request carries its old timestamp: refuse it once it is out of tolerance.
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return { ok: false, reason: 'stale timestamp' };
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
  const expected = Buffer.from(`v1=${mac}`);
  // Several signatures, comma-separated, while Meterline's secret is rotated: one must match.
  // timingSafeEqual takes as long whatever the bytes, so the comparison leaks nothing.
  const matches = signature.split(',').some((candidate) => {
    const given = Buffer.from(candidate.trim());
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? { ok: true } : { ok: false, reason: 'signature mismatch' };
}

/** A minimal receiver: verify, drop duplicates by idempotency key, answer 2xx quickly. */
function serve(secret, port) {
  // In production keep the keys seen in a store that outlives the process, for a day or more.
  const seen = new Set();
  createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const verdict = verifyMeterlineWebhook({ secret, rawBody, timestamp: req.headers['meterline-timestamp'], signature: req.headers['meterline-signature'] });
      if (!verdict.ok) {
        res.writeHead(401).end(verdict.reason);
        return;
      }
      const key = req.headers['idempotency-key'];
      if (!seen.has(key)) {
        seen.add(key);
        const body = JSON.parse(rawBody.toString('utf8'));
        console.log(`${key}: ${body.status} ${body.rule ?? body.groupLabels?.alertname}, ${body.alerts.length} alert(s)`);
      }
      res.writeHead(204).end();
    });
  }).listen(port, '127.0.0.1', () => console.log(`receiving Meterline webhooks on http://127.0.0.1:${port}/`));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const secret = process.env.MTL_WEBHOOK_SECRET;
  if (!secret) {
    console.error('set MTL_WEBHOOK_SECRET to the subscription\'s secret');
    process.exit(2);
  }
  serve(secret, Number(process.env.PORT ?? 8080));
}
