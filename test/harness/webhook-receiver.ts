import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook, WEBHOOK_HEADERS, type WebhookVerification } from '@meterline/contracts';

export interface ReceivedWebhook {
  receivedAtMs: number;
  headers: IncomingMessage['headers'];
  /** The exact bytes received, as text. */
  body: string;
  idempotencyKey: string;
  /** The check a receiver following docs/alert-webhooks.md makes, at the moment it arrived. */
  verification: WebhookVerification;
}

/**
 * A real HTTP webhook receiver on a fixed port: it verifies every request's signature with
 * the subscription's secret and records it. `down()` closes the port (connections refused),
 * `up()` opens it again on the same port; `failWith(503)` answers every request with an
 * error instead, `failWith(undefined)` accepts again.
 */
export async function webhookReceiver(secret: string) {
  const received: ReceivedWebhook[] = [];
  let failure: number | undefined;
  let refused = 0;
  let server: Server | undefined;
  let port = 0;

  const open = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          if (failure !== undefined) {
            refused++;
            res.writeHead(failure).end();
            return;
          }
          const body = Buffer.concat(chunks).toString('utf8');
          const header = (name: string) => req.headers[name] as string | undefined;
          received.push({
            receivedAtMs: Date.now(),
            headers: req.headers,
            body,
            idempotencyKey: header(WEBHOOK_HEADERS.idempotencyKey) ?? '',
            verification: verifyWebhook({
              secret,
              body,
              timestampHeader: header(WEBHOOK_HEADERS.timestamp),
              signatureHeader: header(WEBHOOK_HEADERS.signature),
              nowMs: Date.now(),
            }),
          });
          res.writeHead(204).end();
        });
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as AddressInfo).port;
        server = s;
        resolve();
      });
    });

  const shut = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await open();
  return {
    url: `http://127.0.0.1:${port}/hooks/meterline`,
    received,
    failWith(status: number | undefined) {
      failure = status;
    },
    /** Requests answered with the `failWith` status so far. */
    refused: () => refused,
    /** Closes the port: connections are refused until `up()`. */
    down: shut,
    up: open,
    close: shut,
  };
}
export type WebhookReceiver = Awaited<ReturnType<typeof webhookReceiver>>;
