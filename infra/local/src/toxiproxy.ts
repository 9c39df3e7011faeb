import { join } from 'node:path';
import { StackError } from './errors.ts';
import { ensureGoTool } from './go-tool.ts';
import { ManagedProcess } from './managed-process.ts';
import type { ServiceHandle } from './mosquitto.ts';
import { LOOPBACK } from './ports.ts';
import { VERSIONS } from './versions.ts';

/**
 * A toxic as toxiproxy's API takes it: `latency` delays each chunk by `latency` ms, `timeout`
 * holds every byte and closes the connection after `timeout` ms (never, at 0), `reset_peer`
 * resets the connection (TCP RST) after `timeout` ms, `bandwidth` passes at most `rate` KB/s.
 */
interface Toxic {
  name: string;
  type: 'latency' | 'timeout' | 'reset_peer' | 'bandwidth';
  stream: 'upstream' | 'downstream';
  attributes: Record<string, number>;
}

export interface ToxiproxyHandle extends ServiceHandle {
  readonly apiPort: number;
  /** A proxy listening on `listenPort` that forwards to `upstreamPort`, both on the loopback interface. */
  proxy(name: string, listenPort: number, upstreamPort: number): Promise<void>;
  /**
   * Cuts the proxy's link as a network partition does: connections stay open, nothing passes
   * either way, new connections are accepted and hang. What was sent meanwhile passes once healed.
   */
  partition(name: string): Promise<void>;
  heal(name: string): Promise<void>;
  /** Adds a toxic to every connection of the proxy, the open ones included, until it is removed. */
  addToxic(proxy: string, toxic: Toxic): Promise<void>;
  removeToxic(proxy: string, toxicName: string): Promise<void>;
}

const PARTITION_TOXICS = ['upstream', 'downstream'] as const;

/**
 * Toxiproxy (a TCP proxy that injects network faults through an HTTP API) as a native process,
 * built from the Go module proxy on first use: the chaos suite's partitions between a service and
 * what it depends on.
 */
export function toxiproxy(options: { readonly dir: string; readonly apiPort: number }): ToxiproxyHandle {
  const api = `http://${LOOPBACK}:${options.apiPort}`;
  const logFile = join(options.dir, 'toxiproxy.log');
  const proc = new ManagedProcess({
    name: 'toxiproxy',
    cwd: options.dir,
    logFile,
    pidFile: join(options.dir, 'toxiproxy.pid'),
    cmdlineMarker: `-port ${options.apiPort}`,
    detached: false,
    ports: [options.apiPort],
  });
  const call = async (method: string, path: string, body?: unknown): Promise<void> => {
    const response = await fetch(`${api}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
    if (!response.ok) throw new StackError('MTL_STACK_REQUEST_FAILED', `toxiproxy ${method} ${path} answered ${response.status}: ${await response.text()}`);
  };
  return {
    name: 'toxiproxy',
    dir: options.dir,
    logFile,
    apiPort: options.apiPort,
    async start() {
      const { bin } = await ensureGoTool({ name: 'toxiproxy', version: VERSIONS.toxiproxy, pkg: 'github.com/Shopify/toxiproxy/v2/cmd/server', binary: 'server' });
      await proc.start(
        { command: bin, args: ['-host', LOOPBACK, '-port', String(options.apiPort)] },
        { timeoutMs: 30_000, probe: async () => (await fetch(`${api}/version`)).ok },
      );
    },
    stop: (timeoutMs) => proc.stop(timeoutMs ?? 10_000),
    kill: () => proc.kill(),
    runningPid: () => proc.runningPid(),
    proxy: (name, listenPort, upstreamPort) => call('POST', '/proxies', { name, listen: `${LOOPBACK}:${listenPort}`, upstream: `${LOOPBACK}:${upstreamPort}`, enabled: true }),
    async partition(name) {
      // A timeout toxic of 0 holds every byte until it is removed, and never closes the connection.
      for (const stream of PARTITION_TOXICS) await call('POST', `/proxies/${name}/toxics`, { name: `partition-${stream}`, type: 'timeout', stream, toxicity: 1, attributes: { timeout: 0 } });
    },
    async heal(name) {
      for (const stream of PARTITION_TOXICS) await call('DELETE', `/proxies/${name}/toxics/partition-${stream}`);
    },
    addToxic: (proxy, toxic) => call('POST', `/proxies/${proxy}/toxics`, { ...toxic, toxicity: 1 }),
    removeToxic: (proxy, toxicName) => call('DELETE', `/proxies/${proxy}/toxics/${toxicName}`),
  };
}
