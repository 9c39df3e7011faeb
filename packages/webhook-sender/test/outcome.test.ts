import { describe, expect, it } from 'vitest';
import { outcomeOfAnswer, parseRetryAfter } from '../src/index.ts';

const NOW = Date.UTC(2026, 10, 27, 10, 0, 0);

describe('Retry-After (RFC 9110 §10.2.3)', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter(' 120 ', NOW)).toBe(120_000);
  });

  it('reads an HTTP-date relative to now, and a date already past as no wait', () => {
    expect(parseRetryAfter('Fri, 27 Nov 2026 10:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Fri, 27 Nov 2026 09:59:00 GMT', NOW)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    for (const value of [undefined, '', 'soon', '-5', '1.5', '2026-11-27T10:00:30Z']) expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });
});

describe('outcome of an answer', () => {
  it('keeps Retry-After only where a retry may follow', () => {
    expect(outcomeOfAnswer({ status: 400, retryAfter: '5', bodyExcerpt: '', durationMs: 1, nowMs: NOW })).not.toHaveProperty('retryAfterMs');
    expect(outcomeOfAnswer({ status: 503, retryAfter: '5', bodyExcerpt: '', durationMs: 1, nowMs: NOW })).toMatchObject({ retryAfterMs: 5_000 });
  });

  it('treats statuses outside 2xx-5xx as refusals', () => {
    expect(outcomeOfAnswer({ status: 600, bodyExcerpt: '', durationMs: 1, nowMs: NOW })).toMatchObject({ kind: 'failed', retryable: false });
  });
});
