import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { signWebhook } from '@meterline/contracts';

/** The receiver-side examples of docs/alert-webhooks.md, run as a receiver would run them. */
const EXAMPLES = join(import.meta.dirname, '..', '..', '..', '..', 'docs', 'examples');

interface Case {
  secret: string;
  body: string;
  timestamp: string | null;
  signature: string | null;
  now: number;
}

function nodeExample(c: Case): { ok: boolean; reason?: string } {
  const script = `
    import { verifyMeterlineWebhook } from ${JSON.stringify(pathToFileURL(join(EXAMPLES, 'verify-webhook.mjs')).href)};
    const c = JSON.parse(await new Promise((resolve) => { let s = ''; process.stdin.on('data', (d) => (s += d)).on('end', () => resolve(s)); }));
    const verdict = verifyMeterlineWebhook({ secret: c.secret, rawBody: Buffer.from(c.body, 'utf8'), timestamp: c.timestamp ?? undefined, signature: c.signature ?? undefined, nowSeconds: c.now });
    process.stdout.write(JSON.stringify(verdict));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { input: JSON.stringify(c), encoding: 'utf8' })) as { ok: boolean; reason?: string };
}

function pythonExample(c: Case): { ok: boolean; reason?: string } {
  const script = [
    'import json, sys',
    `sys.path.insert(0, ${JSON.stringify(EXAMPLES)})`,
    'from verify_webhook import verify_meterline_webhook',
    'c = json.load(sys.stdin)',
    "ok, why = verify_meterline_webhook(c['secret'], c['body'].encode('utf-8'), c['timestamp'], c['signature'], now=c['now'])",
    "print(json.dumps({'ok': ok} if ok else {'ok': ok, 'reason': why}))",
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(c), encoding: 'utf8' })) as { ok: boolean; reason?: string };
}

const SECRET = 'whsec-4f1c9a';
const TS = 1_795_000_000;
const BODY = JSON.stringify({ version: 'meterline.webhook.v1', notificationId: 'n-1', summary: 'Zürich Süd ⚡ 12.5 kW' });
const signed: Case = { secret: SECRET, body: BODY, timestamp: String(TS), signature: signWebhook(SECRET, TS, BODY), now: TS + 3 };

describe.each([
  ['Node (docs/examples/verify-webhook.mjs)', nodeExample],
  ['Python (docs/examples/verify_webhook.py)', pythonExample],
])('receiver-side verification example: %s', (_name, verify) => {
  it('accepts a body signed by signWebhook', () => {
    expect(verify(signed)).toEqual({ ok: true });
  });

  it('accepts either secret while Meterline signs with two (rotation)', () => {
    const signature = `${signWebhook('new-secret', TS, BODY)},${signWebhook(SECRET, TS, BODY)}`;
    expect(verify({ ...signed, signature })).toEqual({ ok: true });
  });

  it('rejects a tampered body', () => {
    expect(verify({ ...signed, body: BODY.replace('12.5', '12.6') })).toEqual({ ok: false, reason: 'signature mismatch' });
  });

  it('rejects another secret', () => {
    expect(verify({ ...signed, secret: 'not-the-secret' })).toEqual({ ok: false, reason: 'signature mismatch' });
  });

  it('rejects a stale timestamp (a replay), in either direction, and accepts at the edge of the tolerance', () => {
    expect(verify({ ...signed, now: TS + 301 })).toEqual({ ok: false, reason: 'stale timestamp' });
    expect(verify({ ...signed, now: TS - 301 })).toEqual({ ok: false, reason: 'stale timestamp' });
    expect(verify({ ...signed, now: TS + 300 })).toEqual({ ok: true });
  });

  it('rejects missing or malformed headers', () => {
    expect(verify({ ...signed, signature: null })).toEqual({ ok: false, reason: 'missing header' });
    expect(verify({ ...signed, timestamp: '17e8' })).toEqual({ ok: false, reason: 'bad timestamp' });
  });
});
