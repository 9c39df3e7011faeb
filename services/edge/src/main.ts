#!/usr/bin/env -S node --import tsx
import { createLogger, createMetricsRegistry, serveUntilSignalled } from '@meterline/service-kit';
import { buildAgent } from './agent.ts';
import { loadEdgeConfig, type EdgeConfig } from './config.ts';
import { EdgeError } from './errors.ts';

let config: EdgeConfig;
try {
  config = loadEdgeConfig(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof EdgeError)) throw error;
  process.stderr.write(`meterline-edge: ${error.message}\n`);
  process.exit(2);
}
const log = createLogger('edge', config.logLevel);
const metrics = createMetricsRegistry('edge');
let agent: ReturnType<typeof buildAgent>;
try {
  agent = buildAgent(config, log, metrics);
} catch (error) {
  // The queue cannot be opened: without it nothing polled could be kept, so the agent does not start.
  if (!(error instanceof EdgeError)) throw error;
  log.fatal({ code: error.code, err: error }, 'cannot start');
  process.exit(1);
}
const { app, queue } = agent;

await serveUntilSignalled({
  app,
  alsoClose: [],
  ops: { host: config.ops.host, port: config.ops.port, metrics },
  log,
  started: { deviceId: config.deviceId, meters: config.meters.length, queued: queue.stats().depth, signing: config.signingKey !== undefined },
});
