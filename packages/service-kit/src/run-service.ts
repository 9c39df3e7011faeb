import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { startOpsServer, type HealthReport } from './ops-server.ts';

export interface RunningApp {
  /** Stop taking work, finish or hand back what is in hand, disconnect. */
  close(): Promise<void>;
}

/**
 * Runs an app until SIGTERM or SIGINT, then closes it once. A failure to close, or a
 * second signal, ends the process with a non-zero code.
 */
export function runUntilSignalled(app: RunningApp, log: Logger): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) {
      log.warn({ signal }, 'second signal while closing: exiting now');
      process.exit(1);
    }
    closing = true;
    log.info({ signal }, 'closing');
    app.close().then(
      () => {
        log.info('closed cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'failed to close cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/**
 * The common tail of a service's main: the ops endpoints up, the app started, and on
 * SIGTERM the app closed first, then what it was built on (`alsoClose`), then the endpoints.
 */
export async function serveUntilSignalled(options: {
  app: RunningApp & { start(): Promise<void>; health(): Promise<HealthReport> };
  alsoClose: { close(): Promise<void> }[];
  ops: { host: string; port: number; metrics: Registry };
  log: Logger;
  started: Record<string, unknown>;
}): Promise<void> {
  const { app, log } = options;
  // Healthy only once started: the endpoints are up during the start (metrics of a slow start),
  // but ingest, say, is not ready before every MQTT connection has subscribed. A /health of 200
  // before that let a device's retained status reach the connections that subscribed after it,
  // as retained copies of a status already delivered live (seen in the device-status e2e test).
  let started = false;
  const health = (): Promise<HealthReport> => (started ? app.health() : Promise.resolve({ healthy: false, checks: { service: 'starting' } }));
  const ops = await startOpsServer({ host: options.ops.host, port: options.ops.port, health, metrics: options.ops.metrics });
  await app.start();
  started = true;
  log.info({ ...options.started, opsPort: ops.port }, 'started');
  runUntilSignalled(
    {
      close: async () => {
        await app.close();
        for (const dependency of options.alsoClose) await dependency.close();
        await ops.close();
      },
    },
    log,
  );
}
