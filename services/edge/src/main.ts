#!/usr/bin/env node
import { createLogger, createMetricsRegistry, serveUntilSignalled } from '@meterline/service-kit';
import { createEdgeApp, type EdgeApp } from './app.ts';
import { loadEdgeConfig, type EdgeConfig } from './config.ts';
import { dlt645Poller } from './dlt645-poller.ts';
import { EdgeError } from './errors.ts';
import { modbusPoller } from './modbus-poller.ts';
import { mqttSink } from './mqtt-sink.ts';
import { PayloadQueue } from './queue.ts';

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
const queue = new PayloadQueue(config.queue.file);
const sink = mqttSink({
  url: config.mqtt.url,
  deviceId: config.deviceId,
  password: config.mqtt.password,
  keepaliveSeconds: config.mqtt.keepaliveSeconds,
  ackTimeoutMs: config.mqtt.ackTimeoutMs,
  reconnect: { firstMaxMs: config.mqtt.reconnectFirstMaxMs, maxMs: config.mqtt.reconnectMaxMs },
  onConnectionChange: (connected) => {
    // Called from the connection's events, which come after `app` is made.
    app.connectionChanged(connected);
    log.info({ connected }, connected ? 'MQTT connected' : 'MQTT disconnected');
  },
  onError: (error) => log.warn({ err: error }, 'MQTT connection error'),
});
const app: EdgeApp = createEdgeApp({
  meters: config.meters.map((meter) => ({ poller: meter.kind === 'modbus-tcp' ? modbusPoller(meter) : dlt645Poller(meter), pollIntervalMs: meter.pollIntervalMs })),
  queue,
  sink,
  payload: { deviceId: config.deviceId, utcOffsetMinutes: config.utcOffsetMinutes, signingKey: config.signingKey, maxReadingsPerPayload: config.queue.maxReadingsPerPayload },
  rate: { messagesPerSecond: config.queue.messagesPerSecond, bytesPerSecond: config.queue.bytesPerSecond },
  log,
  metrics,
});

await serveUntilSignalled({
  app,
  alsoClose: [],
  ops: { host: config.ops.host, port: config.ops.port, metrics },
  log,
  started: { deviceId: config.deviceId, meters: config.meters.length, queued: queue.stats().depth, signing: config.signingKey !== undefined },
});
