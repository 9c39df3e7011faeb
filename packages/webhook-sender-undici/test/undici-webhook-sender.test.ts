import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { webhookSenderContract, type ReceivedRequest, type ScriptedReceiver } from '@meterline/webhook-sender/contract';
import type { ScriptedReply } from '@meterline/webhook-sender';
import { UndiciWebhookSender } from '../src/index.ts';

/** A real HTTP receiver on a free loopback port, answering from a script. */
async function scriptedServer(replies: ScriptedReply[]): Promise<ScriptedReceiver & { server: Server; close(): Promise<void> }> {
  const received: ReceivedRequest[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
      received.push({ method: req.method ?? '', headers, body: Buffer.concat(chunks).toString('utf8') });
      for (const w of waiters.filter((w) => received.length >= w.count)) w.resolve();
      const reply = replies[Math.min(received.length - 1, replies.length - 1)]!;
      if (!('status' in reply)) {
        if (reply.fail === 'reset' || reply.fail === 'refused') req.socket.destroy();
        return; // 'hang': never answer; close() ends the socket
      }
      res.writeHead(reply.status, reply.headers ?? {});
      res.end(reply.body ?? '');
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}/hooks/meterline`,
    received,
    waitForRequests: (count) => (received.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port that was free a moment ago and has nothing listening now. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/hooks/meterline`;
}

webhookSenderContract('undici over real HTTP (node:http receiver)', () => {
  const sender = new UndiciWebhookSender();
  const servers: { close(): Promise<void> }[] = [];
  return Promise.resolve({
    sender,
    receiver: async (replies) => {
      const server = await scriptedServer(replies);
      servers.push(server);
      return server;
    },
    unreachableUrl: closedPortUrl,
    close: async () => {
      await sender.close();
      for (const server of servers) await server.close();
    },
  });
});

describe('undici webhook sender', () => {
  it('reads an HTTP-date Retry-After against its clock', async () => {
    const now = Date.UTC(2026, 10, 27, 10, 0, 0);
    const sender = new UndiciWebhookSender({ now: () => now });
    const server = await scriptedServer([{ status: 503, headers: { 'retry-after': 'Fri, 27 Nov 2026 10:01:00 GMT' } }]);
    try {
      const outcome = await sender.send({ url: server.url, headers: {}, body: '{}', timeoutMs: 5_000 });
      expect(outcome).toMatchObject({ kind: 'failed', retryable: true, retryAfterMs: 60_000 });
    } finally {
      await sender.close();
      await server.close();
    }
  });

  it('reuses its connection for the next request to a receiver that answered', async () => {
    const sender = new UndiciWebhookSender();
    const server = await scriptedServer([{ status: 200, body: 'x'.repeat(10_000) }, { status: 500, body: 'busy' }, { status: 204 }]);
    let connections = 0;
    server.server.on('connection', () => connections++);
    try {
      for (let i = 0; i < 3; i++) await sender.send({ url: server.url, headers: {}, body: `{"i":${i}}`, timeoutMs: 5_000 });
      expect(server.received.map((r) => r.body)).toEqual(['{"i":0}', '{"i":1}', '{"i":2}']);
      // The refusal's excerpt ends its connection (the rest of the body is not read); the answers before it share one.
      expect(connections).toBe(2);
    } finally {
      await sender.close();
      await server.close();
    }
  });

  it('refuses a header value that would split the request, without sending it', async () => {
    const sender = new UndiciWebhookSender();
    const server = await scriptedServer([{ status: 200 }]);
    try {
      const outcome = await sender.send({ url: server.url, headers: { 'x-bad': 'a\r\nx-injected: 1' }, body: '{}', timeoutMs: 5_000 });
      expect(outcome).toMatchObject({ kind: 'failed', failure: 'invalid-request', retryable: false });
      expect(server.received).toHaveLength(0);
    } finally {
      await sender.close();
      await server.close();
    }
  });
});
