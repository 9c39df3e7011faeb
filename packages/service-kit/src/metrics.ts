import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { SUPERVISOR_RESTARTS_ENV } from './supervisor.ts';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * A registry per app instance (no global state), with the process metrics prefixed by service,
 * and how often a supervisor restarted the service before this process (from its environment).
 */
export function createMetricsRegistry(service: string, restarts = Number(process.env[SUPERVISOR_RESTARTS_ENV] ?? 0)): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'meterline_' });
  new Gauge({ name: 'meterline_supervisor_restarts', help: 'Times the supervisor started this service again after it died, before this process', registers: [registry] }).set(Number.isFinite(restarts) ? restarts : 0);
  return registry;
}
