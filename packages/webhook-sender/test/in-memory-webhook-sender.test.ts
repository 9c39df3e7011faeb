import { describe, expect, it } from 'vitest';
import { InMemoryWebhookSender, type RecordedRequest, type ScriptedReply } from '../src/index.ts';
import { webhookSenderContract, type ScriptedReceiver } from './webhook-sender-contract.ts';

webhookSenderContract('in-memory twin', () => {
  const routes = new Map<string, { replies: ScriptedReply[]; receiver: ScriptedReceiver; waiters: { count: number; resolve: () => void }[] }>();
  let n = 0;
  const sender = new InMemoryWebhookSender({
    respond: (request: RecordedRequest) => {
      const route = routes.get(request.url);
      if (!route) return { fail: 'refused' };
      const received = route.receiver.received;
      received.push({ method: 'POST', headers: { ...request.headers }, body: request.body });
      for (const w of route.waiters.filter((w) => received.length >= w.count)) w.resolve();
      return route.replies[Math.min(received.length - 1, route.replies.length - 1)]!;
    },
  });
  return Promise.resolve({
    sender,
    receiver: (replies) => {
      const url = `http://receiver-${++n}.test/hook`;
      const waiters: { count: number; resolve: () => void }[] = [];
      const receiver: ScriptedReceiver = {
        url,
        received: [],
        waitForRequests: (count) => (receiver.received.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
      };
      routes.set(url, { replies, receiver, waiters });
      return Promise.resolve(receiver);
    },
    unreachableUrl: () => Promise.resolve(`http://nobody-${++n}.test/hook`),
    close: () => sender.close(),
  });
});

describe('in-memory webhook sender', () => {
  it('records each request with the time of its clock and wakes those waiting for it', async () => {
    let now = 1_000;
    const sender = new InMemoryWebhookSender({ respond: () => ({ status: 204 }), now: () => now });
    const second = sender.waitForRequests(2);
    await sender.send({ url: 'http://a.test/', headers: { a: '1' }, body: 'x', timeoutMs: 5 });
    now = 2_500;
    await sender.send({ url: 'http://a.test/', headers: { a: '2' }, body: 'y', timeoutMs: 5 });
    await second;
    expect(sender.requests).toEqual([
      { url: 'http://a.test/', headers: { a: '1' }, body: 'x', timeoutMs: 5, atMs: 1_000 },
      { url: 'http://a.test/', headers: { a: '2' }, body: 'y', timeoutMs: 5, atMs: 2_500 },
    ]);
  });

  it('spends a hanging receiver\'s timeout through the sleep it was given', async () => {
    const slept: number[] = [];
    const sender = new InMemoryWebhookSender({ respond: () => ({ fail: 'hang' }), sleep: (ms) => { slept.push(ms); return Promise.resolve(); } });
    const outcome = await sender.send({ url: 'http://a.test/', headers: {}, body: '', timeoutMs: 4_000 });
    expect(outcome).toMatchObject({ kind: 'failed', failure: 'timeout' });
    expect(slept).toEqual([4_000]);
  });
});
