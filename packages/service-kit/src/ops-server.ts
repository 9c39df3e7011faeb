import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthReport {
  healthy: boolean;
  /** One entry per dependency or loop, e.g. { kafka: 'ok', influx: 'down: ECONNREFUSED' }. */
  checks: Record<string, string>;
}

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

/** `/health` (200 or 503 with the checks) and `/metrics` (Prometheus text) for operators. */
export async function startOpsServer(options: {
  host: string;
  port: number;
  health: () => Promise<HealthReport>;
  metrics: Registry;
}): Promise<OpsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const answer = async () => {
      if (path === '/health') {
        const report = await options.health();
        response.writeHead(report.healthy ? 200 : 503, { 'content-type': 'application/json' });
        response.end(JSON.stringify(report));
      } else if (path === '/metrics') {
        response.writeHead(200, { 'content-type': options.metrics.contentType });
        response.end(await options.metrics.metrics());
      } else {
        response.writeHead(404, { 'content-type': 'application/problem+json' });
        response.end(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404, detail: `no route ${path}` }));
      }
    };
    answer().catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'application/problem+json' });
      response.end(JSON.stringify({ type: 'about:blank', title: 'Internal Server Error', status: 500, detail: String(error) }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
