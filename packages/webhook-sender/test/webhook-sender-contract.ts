import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScriptedReply, SendOutcome, WebhookSender } from '../src/index.ts';

export interface ReceivedRequest {
  method: string;
  /** Header names lower-case. */
  headers: Record<string, string>;
  body: string;
}

export interface ScriptedReceiver {
  url: string;
  /** Requests received so far, in arrival order. */
  received: ReceivedRequest[];
  /** Resolves once `count` requests have arrived. */
  waitForRequests(count: number): Promise<void>;
}

/** What a sender implementation gives the contract suite. */
export interface SenderUnderTest {
  sender: WebhookSender;
  /** A receiver answering its n-th request with `replies[n]`; the last reply repeats. */
  receiver(replies: ScriptedReply[]): Promise<ScriptedReceiver>;
  /** A URL where nothing accepts connections. */
  unreachableUrl(): Promise<string>;
  close(): Promise<void>;
}

const HEADERS = { 'content-type': 'application/json', 'idempotency-key': 'n-1', 'x-meterline-test': 'contract' };
// Non-ASCII on purpose: the body must reach the receiver as the same UTF-8 bytes the signature covers.
const BODY = JSON.stringify({ summary: 'Zürich Süd: 12.5 kW > 10 kW ⚡', n: 1 });
const post = (url: string, extra: { timeoutMs?: number; signal?: AbortSignal } = {}) => ({ url, headers: HEADERS, body: BODY, timeoutMs: extra.timeoutMs ?? 10_000, ...(extra.signal ? { signal: extra.signal } : {}) });

/**
 * What the dispatcher relies on from a WebhookSender, checked against every implementation
 * (the in-memory twin and the real HTTP adapter).
 */
export function webhookSenderContract(name: string, make: () => Promise<SenderUnderTest>): void {
  describe(`webhook sender contract: ${name}`, () => {
    let subject: SenderUnderTest;
    beforeAll(async () => {
      subject = await make();
    });
    afterAll(async () => {
      await subject.close();
    });

    const sendTo = async (replies: ScriptedReply[], extra?: { timeoutMs?: number }) => {
      const receiver = await subject.receiver(replies);
      const outcome = await subject.sender.send(post(receiver.url, extra));
      return { receiver, outcome };
    };

    it('POSTs the body byte for byte with the headers given, and reports 200 as delivered', async () => {
      const { receiver, outcome } = await sendTo([{ status: 200, body: 'ok' }]);
      expect(outcome).toMatchObject({ kind: 'delivered', status: 200 });
      expect(outcome.durationMs).toBeGreaterThanOrEqual(0);
      expect(receiver.received).toHaveLength(1);
      const [request] = receiver.received;
      expect(request!.method).toBe('POST');
      expect(Buffer.from(request!.body, 'utf8').equals(Buffer.from(BODY, 'utf8'))).toBe(true);
      expect(request!.headers).toMatchObject(HEADERS);
    });

    it.each([201, 202, 204, 299])('reports %i as delivered', async (status) => {
      const { outcome } = await sendTo([{ status }]);
      expect(outcome).toMatchObject({ kind: 'delivered', status });
    });

    it.each([400, 401, 403, 404, 405, 409, 410, 413, 422])('reports %i as a refusal a retry cannot help', async (status) => {
      const { outcome } = await sendTo([{ status, body: 'no such hook' }]);
      expect(outcome).toMatchObject({ kind: 'failed', failure: 'status', retryable: false, status });
      expect(outcome.kind === 'failed' && outcome.error).toContain(String(status));
    });

    it.each([408, 429, 500, 502, 503, 504])('reports %i as retryable', async (status) => {
      const { outcome } = await sendTo([{ status }]);
      expect(outcome).toMatchObject({ kind: 'failed', failure: 'status', retryable: true, status });
    });

    it('passes on Retry-After in seconds (429 and 503)', async () => {
      const tooMany = await sendTo([{ status: 429, headers: { 'retry-after': '7' } }]);
      expect(tooMany.outcome).toMatchObject({ kind: 'failed', retryable: true, retryAfterMs: 7_000 });
      const unavailable = await sendTo([{ status: 503, headers: { 'Retry-After': '120' } }]);
      expect(unavailable.outcome).toMatchObject({ kind: 'failed', retryable: true, retryAfterMs: 120_000 });
      const unreadable = await sendTo([{ status: 429, headers: { 'retry-after': 'soon' } }]);
      expect(unreadable.outcome).toMatchObject({ kind: 'failed', retryable: true });
      expect(unreadable.outcome).not.toHaveProperty('retryAfterMs');
    });

    it('names the status and an excerpt of the answer in the error, cut short', async () => {
      const { outcome } = await sendTo([{ status: 500, body: `database down ${'x'.repeat(5_000)}` }]);
      expect(outcome.kind).toBe('failed');
      if (outcome.kind !== 'failed') return;
      expect(outcome.error).toMatch(/^HTTP 500: database down x+…$/);
      expect(outcome.error.length).toBeLessThan(400);
    });

    it.each([301, 302, 303, 307, 308])('does not follow a %i redirect: a failure a retry cannot help', async (status) => {
      const elsewhere = await subject.receiver([{ status: 200 }]);
      const { outcome } = await sendTo([{ status, headers: { location: elsewhere.url } }]);
      expect(outcome).toMatchObject({ kind: 'failed', failure: 'redirect', retryable: false, status });
      expect(elsewhere.received).toHaveLength(0);
    });

    it('reports a refused connection as a retryable network failure', async () => {
      const outcome = await subject.sender.send(post(await subject.unreachableUrl()));
      expect(outcome).toMatchObject({ kind: 'failed', failure: 'network', retryable: true });
      expect(outcome).not.toHaveProperty('status');
    });

    it('reports a connection dropped before the answer as a retryable network failure', async () => {
      const { receiver, outcome } = await sendTo([{ fail: 'reset' }]);
      expect(outcome).toMatchObject({ kind: 'failed', failure: 'network', retryable: true });
      expect(receiver.received).toHaveLength(1);
    });

    it('reports no answer within timeoutMs as a retryable timeout', async () => {
      const { outcome } = await sendTo([{ fail: 'hang' }], { timeoutMs: 300 });
      expect(outcome).toMatchObject({ kind: 'failed', failure: 'timeout', retryable: true });
    });

    it("ends a request when the caller's signal aborts it", async () => {
      const receiver = await subject.receiver([{ fail: 'hang' }]);
      const abort = new AbortController();
      const pending: Promise<SendOutcome> = subject.sender.send(post(receiver.url, { timeoutMs: 600_000, signal: abort.signal }));
      await receiver.waitForRequests(1);
      abort.abort();
      expect(await pending).toMatchObject({ kind: 'failed', failure: 'aborted', retryable: true });
    });

    it('refuses a URL it cannot send to, without retrying', async () => {
      for (const url of ['ftp://example.com/hook', 'not a url']) {
        const outcome = await subject.sender.send(post(url));
        expect(outcome).toMatchObject({ kind: 'failed', failure: 'invalid-request', retryable: false });
      }
    });

    it('sends requests to one receiver concurrently and answers each its own', async () => {
      const receiver = await subject.receiver([{ status: 200 }, { status: 503 }, { status: 200 }]);
      const outcomes = await Promise.all([0, 1, 2].map(() => subject.sender.send(post(receiver.url))));
      expect(outcomes.map((o) => o.kind).sort()).toEqual(['delivered', 'delivered', 'failed']);
      expect(receiver.received).toHaveLength(3);
    });
  });
}
