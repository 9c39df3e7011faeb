import type { Logger, Registry } from '@meterline/service-kit';
import { createEdgeApp, type EdgeApp } from './app.ts';
import type { EdgeConfig } from './config.ts';
import { dlt645Poller } from './dlt645-poller.ts';
import { modbusPoller } from './modbus-poller.ts';
import { mqttSink } from './mqtt-sink.ts';
import { PayloadQueue } from './queue.ts';

/** The agent as configured, on its real adapters: the queue file, the meters' pollers, the MQTT connection. */
export function buildAgent(config: EdgeConfig, log: Logger, metrics: Registry): { app: EdgeApp; queue: PayloadQueue } {
  const queue = new PayloadQueue(config.queue.file);
  const sink = mqttSink({
    url: config.mqtt.url,
    deviceId: config.deviceId,
    password: config.mqtt.password,
    ca: config.mqtt.ca,
    keepaliveSeconds: config.mqtt.keepaliveSeconds,
    ackTimeoutMs: config.mqtt.ackTimeoutMs,
    reconnect: { firstMaxMs: config.mqtt.reconnectFirstMaxMs, maxMs: config.mqtt.reconnectMaxMs },
    holdAfterConnectMs: config.mqtt.holdAfterConnectMs,
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
  return { app, queue };
}
