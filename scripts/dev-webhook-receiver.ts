/**
 * The dev stack's webhook receiver (`./meterline up`): it stands in for an energy manager's
 * endpoint, verifies each notification's signature as docs/alert-webhooks.md tells receivers
 * to, drops repeats of an idempotency key, and logs one line per notification.
 *   tsx scripts/dev-webhook-receiver.ts <port> <secrets.json>   (secrets by subscription id)
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { verifyWebhook, WEBHOOK_HEADERS, type WebhookBodyV1 } from '@meterline/contracts';

const [portText, secretsFile] = process.argv.slice(2);
if (!portText || !secretsFile) throw new Error('usage: dev-webhook-receiver <port> <secrets.json>');
const secrets = JSON.parse(await readFile(secretsFile, 'utf8')) as Record<string, string>;
const seen = new Set<string>();
const say = (line: object) => void process.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), ...line })}\n`);

createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    // The dev subscriptions post to /hooks/<enterprise id>; their ids are dev-<enterprise id>.
    const secret = secrets[`dev-${req.url?.split('/').pop() ?? ''}`];
    const header = (name: string) => req.headers[name] as string | undefined;
    const verification = secret
      ? verifyWebhook({ secret, body, timestampHeader: header(WEBHOOK_HEADERS.timestamp), signatureHeader: header(WEBHOOK_HEADERS.signature), nowMs: Date.now() })
      : { ok: false as const, reason: 'UNKNOWN_SUBSCRIPTION' };
    if (!verification.ok) {
      say({ path: req.url, refused: verification.reason });
      res.writeHead(401).end();
      return;
    }
    const key = header(WEBHOOK_HEADERS.idempotencyKey) ?? '';
    if (seen.has(key)) {
      say({ path: req.url, duplicate: key });
      res.writeHead(204).end();
      return;
    }
    seen.add(key);
    const notification = JSON.parse(body) as WebhookBodyV1;
    say({ path: req.url, key, rule: notification.rule, status: notification.status, repeat: notification.repeat, alerts: notification.alerts.map((a) => a.summary) });
    res.writeHead(204).end();
  });
}).listen(Number(portText), '127.0.0.1', () => say({ listening: Number(portText) }));
