import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryBus } from '@meterline/bus';
import { standardWebhooksSecret, verifyWebhook, WEBHOOK_HEADERS, type AlertDeliveryDeadLetterV1 } from '@meterline/contracts';
import { createLogger, Registry } from '@meterline/service-kit';
import { InMemoryStore } from '@meterline/store';
import { UndiciWebhookSender } from '@meterline/webhook-sender-undici';
import { createDispatcher, createStoreDeliveryLog, type WebhookSubscription } from '../../src/delivery/index.ts';
import { webhookHeaders } from '../../src/delivery/webhook-request.ts';
import { DLQ, GROUP, notification, NOTIFICATIONS, subscription } from './fixtures.ts';

/**
 * Receivers that verify with the Standard Webhooks reference library for JavaScript
 * (npm `standardwebhooks`), as one written for any Standard Webhooks sender would.
 */
const verifyStandard = (secret: string, body: string, headers: Record<string, string>) => new Webhook(secret).verify(body, headers);

describe('webhookHeaders: the Standard Webhooks set beside Meterline’s own', () => {
  const n = notification('sub-a', 1);
  const body = JSON.stringify({ version: 'meterline.webhook.v1', summary: 'Zürich ⚡ 12.5 kW' });
  const headersFor = (s: WebhookSubscription) => webhookHeaders({ notificationId: n.notificationId, subscription: s, body, nowMs: Date.now(), userAgent: 'test' });

  it('carries webhook-id (the notification id) and webhook-timestamp (the attempt’s), and keeps the meterline-* headers', () => {
    const headers = headersFor(subscription('sub-a'));
    expect(headers['webhook-id']).toBe(n.notificationId);
    expect(headers['webhook-timestamp']).toBe(headers[WEBHOOK_HEADERS.timestamp]);
    expect(headers[WEBHOOK_HEADERS.idempotencyKey]).toBe(n.notificationId);
    expect(verifyWebhook({ secret: 'secret-of-sub-a', body, timestampHeader: headers[WEBHOOK_HEADERS.timestamp], signatureHeader: headers[WEBHOOK_HEADERS.signature], nowMs: Date.now() }).ok).toBe(true);
  });

  it('verifies with the library given whsec_ + base64 of a plain secret, and not with another secret', () => {
    const headers = headersFor(subscription('sub-a', { secret: 'q3J5aW5nLW91dC1sb3VkLWFuZC1jbGVhci10b2tlbg' }));
    expect(verifyStandard(`whsec_${Buffer.from('q3J5aW5nLW91dC1sb3VkLWFuZC1jbGVhci10b2tlbg').toString('base64')}`, body, headers)).toEqual(JSON.parse(body));
    expect(() => verifyStandard(standardWebhooksSecret('another-secret'), body, headers)).toThrow(WebhookVerificationError);
  });

  it('verifies with the library given a whsec_ subscription secret as it is', () => {
    const secret = `whsec_${Buffer.alloc(32, 0x5a).toString('base64')}`;
    expect(verifyStandard(secret, body, headersFor(subscription('sub-a', { secret })))).toEqual(JSON.parse(body));
  });

  it('sends both signatures, space-separated, while a secret is rotated: either secret verifies', () => {
    const headers = headersFor(subscription('sub-a', { secret: 'new-secret', previousSecret: 'old-secret' }));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}= v1,[A-Za-z0-9+/]{43}=$/);
    expect(verifyStandard(standardWebhooksSecret('new-secret'), body, headers)).toEqual(JSON.parse(body));
    expect(verifyStandard(standardWebhooksSecret('old-secret'), body, headers)).toEqual(JSON.parse(body));
    expect(() => verifyStandard(standardWebhooksSecret('third-secret'), body, headers)).toThrow(WebhookVerificationError);
  });
});

interface Verdict {
  body: string;
  headers: Record<string, string>;
  accepted: boolean;
  error?: string;
}

/** A real HTTP receiver: verifies each request with `new Webhook(secret).verify(body, headers)`; 204 or 401. */
async function standardReceiver(secret: string) {
  const verdicts: Verdict[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      try {
        new Webhook(secret).verify(body, headers);
        verdicts.push({ body, headers, accepted: true });
        res.writeHead(204).end();
      } catch (error) {
        if (!(error instanceof WebhookVerificationError)) throw error;
        verdicts.push({ body, headers, accepted: false, error: error.message });
        res.writeHead(401).end();
      }
    });
  });
  return { server, verdicts, url: await listen(server) };
}

/** Between sender and receiver, changes one figure of the body in transit (same length), headers untouched. */
async function tamperingProxy(target: string) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.from(Buffer.concat(chunks).toString('utf8').replace('"value":60', '"value":10'), 'utf8');
      const headers: IncomingHttpHeaders = { ...req.headers, 'content-length': String(body.length) };
      const forward = httpRequest(target, { method: 'POST', headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502);
        answer.pipe(res);
      });
      forward.on('error', (error) => res.writeHead(502).end(error.message));
      forward.end(body);
    });
  });
  return { server, url: await listen(server) };
}

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
}

const servers: Server[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** The real dispatcher with the real undici sender, on the in-memory bus and store. */
function realDispatcher(subscriptions: WebhookSubscription[]) {
  const bus = new InMemoryBus();
  const sender = new UndiciWebhookSender();
  const log = createLogger('alerter-standard-webhooks-test', 'silent');
  const metrics = new Registry();
  const byId = new Map(subscriptions.map((s) => [s.id, s]));
  const dispatcher = createDispatcher({
    consumer: bus.consumer({ groupId: GROUP, topics: [NOTIFICATIONS], fromBeginning: true }),
    deadLetterProducer: bus.producer(),
    deadLetterTopic: DLQ,
    subscriptions: { subscription: (id) => byId.get(id) },
    sender,
    deliveryLog: createStoreDeliveryLog({ store: new InMemoryStore(), log, metrics }),
    log,
    metrics,
    policy: { maxAttempts: 1 },
  });
  const lagProbe = bus.consumer({ groupId: GROUP, topics: [NOTIFICATIONS] });
  closers.push(async () => {
    await dispatcher.close();
    await sender.close();
  });
  return {
    dispatcher,
    publish: (n: ReturnType<typeof notification>) => bus.producer().send(NOTIFICATIONS, [{ key: n.subscriptionId, value: Buffer.from(JSON.stringify(n)) }]),
    committed: async () => {
      while ((await lagProbe.lag()) > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    },
    deadLetters: () => bus.messagesOf(DLQ).map((m) => JSON.parse(m.value.toString('utf8')) as AlertDeliveryDeadLetterV1),
  };
}

describe('a real delivery, verified by the Standard Webhooks library', () => {
  // A secret as the API makes it (base64url, no prefix); the receiver holds its Standard Webhooks form.
  const secret = 'Jb3y0Jv2bq0yq9o1lC1ZC6b0n2fQjv3cS0hZrQGd2xk';

  it('is accepted by a receiver that verifies with new Webhook(secret).verify(body, headers)', async () => {
    const receiver = await standardReceiver(standardWebhooksSecret(secret));
    servers.push(receiver.server);
    const t = realDispatcher([subscription('sub-a', { url: receiver.url, secret })]);
    await t.dispatcher.start();
    const n = notification('sub-a', 1);
    await t.publish(n);
    await t.committed();

    expect(receiver.verdicts.map((v) => [v.accepted, v.error])).toEqual([[true, undefined]]);
    const [delivered] = receiver.verdicts;
    expect(delivered!.headers['webhook-id']).toBe(n.notificationId);
    expect((JSON.parse(delivered!.body) as { notificationId: string }).notificationId).toBe(n.notificationId);
    expect(t.deadLetters()).toEqual([]);
  });

  it('is refused when its body was changed on the way, and the dispatcher dead-letters the refusal', async () => {
    const receiver = await standardReceiver(standardWebhooksSecret(secret));
    const proxy = await tamperingProxy(receiver.url);
    servers.push(receiver.server, proxy.server);
    const t = realDispatcher([subscription('sub-a', { url: proxy.url, secret })]);
    await t.dispatcher.start();
    await t.publish(notification('sub-a', 1));
    await t.committed();

    expect(receiver.verdicts).toHaveLength(1);
    const [tampered] = receiver.verdicts;
    expect(tampered!.body).toContain('"value":10'); // the change arrived
    expect(tampered).toMatchObject({ accepted: false, error: 'No matching signature found' });
    expect(t.deadLetters().map((d) => d.reason)).toEqual(['REJECTED']);
  });
});
