import { outcomeOfAnswer, unsendableReason } from './outcome.ts';
import type { SendOutcome, WebhookRequest, WebhookSender } from './types.ts';

/** What the scripted receiver does with a request. */
export type ScriptedReply =
  | { status: number; headers?: Readonly<Record<string, string>>; body?: string }
  /** No connection (refused) or a connection dropped before the answer (reset). */
  | { fail: 'refused' | 'reset' }
  /** Never answers: the request ends at its timeout, or when its signal aborts. */
  | { fail: 'hang' };

export interface RecordedRequest {
  url: string;
  headers: Readonly<Record<string, string>>;
  body: string;
  timeoutMs: number;
  /** The twin's clock when the request was sent. */
  atMs: number;
}

export type Responder = (request: RecordedRequest, index: number) => ScriptedReply | Promise<ScriptedReply>;

export interface InMemoryWebhookSenderOptions {
  respond: Responder;
  /** The clock stamped on requests (a test's virtual clock). */
  now?: () => number;
  /** How a hanging receiver's timeout passes (a test's virtual sleep); real time by default. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const realSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });

/**
 * A WebhookSender without a network, for unit tests: records every request and answers with
 * the responder's scripted reply, classified exactly as the real adapter classifies answers.
 */
export class InMemoryWebhookSender implements WebhookSender {
  readonly requests: RecordedRequest[] = [];
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly waiters: { count: number; resolve: () => void }[] = [];

  constructor(private readonly options: InMemoryWebhookSenderOptions) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
  }

  async send(request: WebhookRequest): Promise<SendOutcome> {
    const unsendable = unsendableReason(request.url);
    if (unsendable) return { kind: 'failed', failure: 'invalid-request', retryable: false, error: unsendable, durationMs: 0 };
    if (request.signal?.aborted) return aborted(0);
    const recorded: RecordedRequest = { url: request.url, headers: { ...request.headers }, body: request.body, timeoutMs: request.timeoutMs, atMs: this.now() };
    const index = this.requests.push(recorded) - 1;
    for (const waiter of this.waiters.filter((w) => this.requests.length >= w.count)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    const durationMs = () => this.now() - recorded.atMs;
    const reply = await untilAborted(Promise.resolve(this.options.respond(recorded, index)), request.signal);
    if (reply === undefined || request.signal?.aborted) return aborted(durationMs());
    if ('status' in reply) {
      const retryAfter = Object.entries(reply.headers ?? {}).find(([name]) => name.toLowerCase() === 'retry-after')?.[1];
      return outcomeOfAnswer({ status: reply.status, retryAfter, bodyExcerpt: reply.body ?? '', durationMs: durationMs(), nowMs: this.now() });
    }
    if (reply.fail === 'hang') {
      const timeout = new AbortController();
      const stop = request.signal ? AbortSignal.any([request.signal, timeout.signal]) : timeout.signal;
      await this.sleep(request.timeoutMs, stop);
      timeout.abort();
      if (request.signal?.aborted) return aborted(durationMs());
      return { kind: 'failed', failure: 'timeout', retryable: true, error: `no answer within ${request.timeoutMs} ms`, durationMs: durationMs() };
    }
    const code = reply.fail === 'refused' ? 'ECONNREFUSED' : 'ECONNRESET';
    return { kind: 'failed', failure: 'network', retryable: true, error: `${code} (in-memory receiver)`, durationMs: durationMs() };
  }

  /** Resolves once `count` requests have been sent in all. */
  waitForRequests(count: number): Promise<void> {
    if (this.requests.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  async close(): Promise<void> {}
}

/** The reply, or undefined as soon as the signal aborts (a responder may keep a request pending). */
function untilAborted<T>(reply: Promise<T>, signal: AbortSignal | undefined): Promise<T | undefined> {
  if (!signal) return reply;
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    reply.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function aborted(durationMs: number): SendOutcome {
  return { kind: 'failed', failure: 'aborted', retryable: true, error: 'aborted by the caller', durationMs };
}
