import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { freePort } from '@meterline/local-stack';

/**
 * A TCP relay to `target` that a test takes down (nothing listens, open connections reset) and
 * brings back on the same port: a network outage between the agent and the broker, without
 * stopping the broker other tests share.
 */
export async function tcpProxy(target: { host: string; port: number }) {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;

  const up = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = createConnection(target);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => (client.destroy(), upstream.destroy()));
        }
        client.pipe(upstream).pipe(client);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });

  const down = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.resetAndDestroy();
      if (!server) return resolve();
      server.close(() => resolve());
      server = undefined;
    });

  return { port, up, down };
}
