import { describe, expect, it } from 'vitest';
import { signStandardWebhook, standardWebhooksKey, standardWebhooksSecret } from '../src/index.ts';

describe('signStandardWebhook', () => {
  it('gives the signature the Standard Webhooks libraries test themselves against', () => {
    // The shared vector of the Standard Webhooks reference libraries (Go, C#): secret, message id, time, payload.
    expect(signStandardWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1_614_265_330, '{"test": 2432232314}')).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('signs the body bytes as given, whether a string or a Buffer', () => {
    const body = '{"summary":"Zürich ⚡"}';
    expect(signStandardWebhook('s3cret', 'n-1', 1, Buffer.from(body, 'utf8'))).toBe(signStandardWebhook('s3cret', 'n-1', 1, body));
    expect(signStandardWebhook('s3cret', 'n-1', 1, body)).not.toBe(signStandardWebhook('s3cret', 'n-1', 2, body));
  });
});

describe('the Standard Webhooks key of a subscription secret', () => {
  it('is the decoded bytes of a secret in the spec’s own form (whsec_ + base64 of 24 to 64 bytes)', () => {
    const key = Buffer.alloc(32, 7);
    const secret = `whsec_${key.toString('base64')}`;
    expect(standardWebhooksKey(secret)).toEqual(key);
    expect(standardWebhooksSecret(secret)).toBe(secret);
  });

  it('is the UTF-8 bytes of any other secret, offered to receivers as whsec_ + their base64', () => {
    const apiMade = 'q3J5aW5nLW91dC1sb3VkLWFuZC1jbGVhci10b2tlbg';
    expect(standardWebhooksKey(apiMade)).toEqual(Buffer.from(apiMade, 'utf8'));
    expect(standardWebhooksSecret(apiMade)).toBe(`whsec_${Buffer.from(apiMade, 'utf8').toString('base64')}`);
  });

  it('takes a whsec_ look-alike that is not canonical base64 of 24 to 64 bytes as plain text', () => {
    for (const secret of ['whsec_c2hvcnQ=', 'whsec_not base64!', `whsec_${Buffer.alloc(65).toString('base64')}`, `whsec_${Buffer.alloc(32).toString('base64url')}-`]) {
      expect(standardWebhooksKey(secret), secret).toEqual(Buffer.from(secret, 'utf8'));
      expect(standardWebhooksSecret(secret), secret).toBe(`whsec_${Buffer.from(secret, 'utf8').toString('base64')}`);
    }
  });
});
