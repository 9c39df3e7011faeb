import { createConnection, createServer } from 'node:net';

export const LOOPBACK = '127.0.0.1';

/** A port that was free a moment ago: bind port 0 on the loopback interface and read it back. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not read back a free port'))));
    });
  });
}

/**
 * Distinct free ports (binding them one after another could hand out the same port twice),
 * none of `taken`: ports picked earlier for something not yet listening are free to the kernel.
 */
export async function freePorts(count: number, taken: Iterable<number> = []): Promise<number[]> {
  const excluded = new Set(taken);
  const ports = new Set<number>();
  while (ports.size < count) {
    const port = await freePort();
    if (!excluded.has(port)) ports.add(port);
  }
  return [...ports];
}

/** True when something accepts TCP connections on host:port. */
export function tcpAnswers(port: number, host = LOOPBACK, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
