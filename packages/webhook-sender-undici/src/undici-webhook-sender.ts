import { Agent, request, type Dispatcher } from 'undici';
import { ERROR_EXCERPT_CHARS, outcomeOfAnswer, unsendableReason, type SendOutcome, type WebhookRequest, type WebhookSender } from '@meterline/webhook-sender';

export interface UndiciWebhookSenderOptions {
  /** Connections kept per receiver origin (default 4): one slow receiver cannot take every socket. */
  connectionsPerOrigin?: number;
  /** The clock an HTTP-date Retry-After is read against. */
  now?: () => number;
}

/** undici's codes for a deadline it enforces itself (connect, head, body). */
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
/** Requests undici refuses to send at all (a header value with a newline, a bad method): no retry helps. */
const INVALID_CODES = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'ERR_INVALID_URL']);

const errorCode = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/**
 * Webhooks over HTTP/1.1 with undici's `request`, which never follows redirects (undici 7
 * moved redirects to an opt-in interceptor, not installed here). Each request has one
 * deadline, `timeoutMs`, over connect, head and the excerpt read from a refusing answer; a
 * delivered answer's body is discarded. Connections are pooled per receiver and closed by close().
 */
export class UndiciWebhookSender implements WebhookSender {
  private readonly agent: Agent;
  private readonly now: () => number;

  constructor(options: UndiciWebhookSenderOptions = {}) {
    this.agent = new Agent({ connections: options.connectionsPerOrigin ?? 4, pipelining: 1 });
    this.now = options.now ?? Date.now;
  }

  async send(webhook: WebhookRequest): Promise<SendOutcome> {
    const unsendable = unsendableReason(webhook.url);
    if (unsendable) return { kind: 'failed', failure: 'invalid-request', retryable: false, error: unsendable, durationMs: 0 };
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const deadline = AbortSignal.timeout(webhook.timeoutMs);
    const signal = webhook.signal ? AbortSignal.any([webhook.signal, deadline]) : deadline;
    try {
      const answer = await request(webhook.url, {
        dispatcher: this.agent,
        method: 'POST',
        headers: webhook.headers,
        body: webhook.body,
        signal,
        headersTimeout: webhook.timeoutMs,
        bodyTimeout: webhook.timeoutMs,
      });
      const status = answer.statusCode;
      if (status >= 200 && status <= 299) {
        // Read (and drop) a little of the body so the connection can be reused; more is not worth waiting for.
        await answer.body.dump({ limit: 64 * 1024 });
        return { kind: 'delivered', status, durationMs: elapsed() };
      }
      const bodyExcerpt = await readExcerpt(answer.body);
      const retryAfter = answer.headers['retry-after'];
      return outcomeOfAnswer({ status, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, bodyExcerpt, durationMs: elapsed(), nowMs: this.now() });
    } catch (error) {
      const code = errorCode(error);
      const detail = `${code ?? (error as Error).name}: ${(error as Error).message}`;
      if (webhook.signal?.aborted) return { kind: 'failed', failure: 'aborted', retryable: true, error: 'aborted by the caller', durationMs: elapsed() };
      if (deadline.aborted || (code && TIMEOUT_CODES.has(code))) {
        return { kind: 'failed', failure: 'timeout', retryable: true, error: `no answer within ${webhook.timeoutMs} ms`, durationMs: elapsed() };
      }
      if (code && INVALID_CODES.has(code)) return { kind: 'failed', failure: 'invalid-request', retryable: false, error: detail, durationMs: elapsed() };
      return { kind: 'failed', failure: 'network', retryable: true, error: detail, durationMs: elapsed() };
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/**
 * The start of a refusing answer's body, for the error text. Reading stops at the excerpt's
 * size and the rest is dropped with the connection: a receiver's error page can be large.
 */
async function readExcerpt(body: Dispatcher.ResponseData['body']): Promise<string> {
  const limit = ERROR_EXCERPT_CHARS * 4 + 4;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      const buffer = chunk as Buffer;
      chunks.push(buffer);
      size += buffer.length;
      if (size >= limit) break;
    }
  } catch (error) {
    // The status already says what happened; a body cut off mid-way only shortens the excerpt.
    chunks.push(Buffer.from(` [body unreadable: ${errorCode(error) ?? (error as Error).name}]`));
  } finally {
    body.destroy();
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}
