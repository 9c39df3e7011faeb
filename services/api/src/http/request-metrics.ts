import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from '@meterline/service-kit';

/** Request count and latency by route template and status, for every route (unknown ones as "unmatched"). Call on the root instance. */
export function instrumentRequests(app: FastifyInstance, metrics: Registry): void {
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({ name: 'meterline_api_requests_total', help: 'HTTP requests answered, by route template and status', labelNames, registers: [metrics] });
  const seconds = new Histogram({
    name: 'meterline_api_request_seconds',
    help: 'Time to answer an HTTP request, by route template and status',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [metrics],
  });
  app.addHook('onResponse', async (request, reply) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    requests.inc(labels);
    seconds.observe(labels, reply.elapsedTime / 1000);
  });
}
