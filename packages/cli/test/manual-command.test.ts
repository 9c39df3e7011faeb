import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT_INPUT, EXIT_NO_PERMISSION, EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE, run } from '../src/index.ts';

/** A stand-in for the API's manual-entries route: records what it was sent and answers as told. */
interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: unknown;
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function api(status: number, answer: unknown): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const listening = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, contentType: req.headers['content-type'], body: JSON.parse(text) as unknown });
      res.writeHead(status, { 'content-type': status === 201 ? 'application/json' : 'application/problem+json' }).end(JSON.stringify(answer));
    });
  });
  server = listening;
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(listening.address() as AddressInfo).port}`, seen };
}

async function manual(argv: string[], env: Record<string, string> = { MTL_API_KEY: 'a-secret' }) {
  let stdout = '';
  let stderr = '';
  const code = await run(['manual', ...argv], {
    readFile: () => Promise.reject(new Error('no files here')),
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    manual: { fetch: (url, init) => fetch(url, init), env },
  });
  return { code, stdout, stderr };
}

const ADD = ['add', '--enterprise', 'ent-a', '--kind', 'fuel-stock', '--period', '2026-03', '--carrier', 'diesel', '--value', '11.5', '--unit', 't', '--error-percent', '1', '--document', 'stock-take 2026-03 (recount)'];

describe('meterline manual add (issue 15, item 3)', () => {
  it('posts the entry with the key from MTL_API_KEY and prints what the API recorded', async () => {
    const recorded = { id: 'me-1', enteredBy: 'a-energy-manager', restates: { months: ['2026-03', '2026-04'], requested: true } };
    const { url, seen } = await api(201, recorded);
    const r = await manual([...ADD, '--api', `${url}/`, '--corrects', 'me-0', '--reason', 'dip misread']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(EXIT_OK);
    expect(JSON.parse(r.stdout)).toEqual(recorded);
    expect(seen).toEqual([{
      method: 'POST',
      url: '/v1/enterprises/ent-a/manual-entries',
      authorization: 'Bearer a-secret',
      contentType: 'application/json',
      body: { value: 11.5, kind: 'fuel-stock', period: '2026-03', unit: 't', document: 'stock-take 2026-03 (recount)', carrier: 'diesel', corrects: 'me-0', reason: 'dip misread', errorPercent: 1 },
    }]);
  });

  it('prints the API’s problem with each field, exit 65', async () => {
    const { url } = await api(409, { status: 409, code: 'MTL_API_MANUAL_ENTRY_CONFLICT', detail: 'body /period: entry me-0 already records the fuel-stock of 2026-03', errors: [{ in: 'body', pointer: '/period', detail: 'entry me-0 already records the fuel-stock of 2026-03: correct it (corrects: me-0) instead' }] });
    const r = await manual([...ADD, '--api', url]);
    expect(r.code).toBe(EXIT_INPUT);
    expect(r.stderr).toBe('meterline manual add: HTTP 409 MTL_API_MANUAL_ENTRY_CONFLICT: body /period: entry me-0 already records the fuel-stock of 2026-03\n  /period: entry me-0 already records the fuel-stock of 2026-03: correct it (corrects: me-0) instead\n');
  });

  it('tells a refused key (77) from an API that is down (69)', async () => {
    const { url } = await api(403, { status: 403, code: 'MTL_API_FORBIDDEN', detail: 'the regulator key may not change manual-entries' });
    expect((await manual([...ADD, '--api', url])).code).toBe(EXIT_NO_PERMISSION);
    expect((await manual([...ADD, '--api', url], {})).stderr).toBe('meterline manual add: set MTL_API_KEY to the API key to record with\n');
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const down = await manual([...ADD, '--api', url]);
    expect(down.code).toBe(EXIT_UNAVAILABLE);
    expect(down.stderr).toContain(`the API at ${url} cannot be reached`);
  });

  it('lists every bad argument before sending anything', async () => {
    const r = await manual(['add', '--api', 'ftp://x', '--kind', 'fuel-stock', '--value', 'ten', '--unit', '--document', 'd', '--colour', 'red']);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('meterline'))).toEqual([
      'meterline manual add: --unit needs a value',
      'meterline manual add: unknown option "--colour"',
      // An unknown option takes no value: what follows it is out of place too.
      'meterline manual add: unexpected argument "red"',
      'meterline manual add: --enterprise is required',
      'meterline manual add: --period is required',
      'meterline manual add: --value must be a number, got "ten"',
      'meterline manual add: --api must be an http(s) URL, got "ftp://x"',
    ]);
  });
});
