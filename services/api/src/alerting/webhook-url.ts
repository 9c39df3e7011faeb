import { BlockList, isIP } from 'node:net';

/** Addresses a tenant's webhook must not name: loopback, private, link-local (cloud metadata), shared and unspecified. */
const INTERNAL = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  INTERNAL.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  INTERNAL.addSubnet(net, prefix, 'ipv6');
}

/**
 * Why a webhook URL is refused, or undefined. Any key: it must be an absolute http(s) URL
 * without user or password (they would be stored and shown in clear). Keys of tenants also
 * may not name localhost or an internal address literally, so that the alerter is not made
 * to post inside its own network; a name that resolves to one is beyond this check (the
 * sender would have to check the address it connects to).
 */
export function webhookUrlProblem(text: string, tenant: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    return `is not a URL (${(error as Error).name})`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be http or https';
  if (url.username !== '' || url.password !== '') return 'must not carry a user or password';
  if (!tenant) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return 'must not name this host (localhost)';
  const family = isIP(host);
  if (family === 4 && INTERNAL.check(host, 'ipv4')) return 'must not name a loopback, private or link-local address';
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host)?.[1] ?? /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host)?.slice(1, 3);
    const v4 = Array.isArray(mapped) ? mapped.flatMap((h) => [Number.parseInt(h, 16) >> 8, Number.parseInt(h, 16) & 0xff]).join('.') : mapped;
    if ((v4 !== undefined && INTERNAL.check(v4, 'ipv4')) || INTERNAL.check(host, 'ipv6')) return 'must not name a loopback, private or link-local address';
  }
  return undefined;
}
