import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MQTT_MAX_PACKET_BYTES, readingsTopic } from '@meterline/contracts';
import { freePort, mosquittoDynsec, type MosquittoDynsecHandle } from '@meterline/local-stack';
import { createLogger, createMetricsRegistry } from '@meterline/service-kit';
import { buildAgent } from '../src/agent.ts';
import { MQTT_PASSWORD_ENV, parseEdgeConfig } from '../src/config.ts';
import { startPeer, type RunningPeer } from './peers.ts';

// A broker of its own with a small per-device limit (the shared test stack's is raised): the
// agent, told to send faster than it, meets the broker's refusals (PUBACK 0x87) for real.
const DEVICE = { username: 'edge-rate', password: `pw-${randomUUID()}` };
const ADMIN = { username: 'rate-admin', password: `admin-${randomUUID()}` };
const MONITOR = { username: 'rate-monitor', password: `monitor-${randomUUID()}`, read: ['meterline/v1/#'] };
const LIMIT = { messagesPerSecond: 4, messageBurst: 5, bytesPerSecond: 65_536, byteBurst: MQTT_MAX_PACKET_BYTES };

const dir = mkdtempSync(join(tmpdir(), 'edge-rate-'));
let broker: MosquittoDynsecHandle;
let modbus: RunningPeer;
beforeAll(async () => {
  broker = mosquittoDynsec({ dir: join(dir, 'broker'), port: await freePort(), admin: ADMIN, serviceUsers: [MONITOR], publishLimit: LIMIT });
  await broker.start();
  await broker.provisionDevices([DEVICE]);
  modbus = await startPeer('modbus_meter.py');
});
afterAll(async () => {
  await modbus?.stop();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('edge agent over the broker rate limit (integration)', () => {
  it('sends a refused payload again, the same seq, after a back-off: every payload arrives once, in order', async () => {
    const monitor = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: `rate-monitor-${process.pid}`, reconnectPeriod: 0, ...MONITOR });
    const seqs: number[] = [];
    monitor.on('message', (_topic, payload) => seqs.push((JSON.parse(payload.toString()) as { seq: number }).seq));
    await monitor.subscribeAsync(readingsTopic(DEVICE.username), { qos: 1 });

    const config = parseEdgeConfig(
      JSON.stringify({
        deviceId: DEVICE.username,
        mqtt: { url: broker.url },
        // Ten a second allowed by the agent, four by the broker after a burst of five.
        queue: { file: join(dir, 'queue.db'), messagesPerSecond: 10 },
        meters: [{ kind: 'modbus-tcp', id: 'incomer', host: '127.0.0.1', port: modbus.port, pollIntervalMs: 100, registers: [{ function: 'input', address: 12, type: 'uint16', point: 'ticks', quantity: 'count', unit: '1' }] }],
      }),
      { [MQTT_PASSWORD_ENV]: DEVICE.password },
    );
    const metrics = createMetricsRegistry('edge');
    const { app } = buildAgent(config, createLogger('edge', 'error'), metrics);
    await app.start();
    const refused = async () => (await metrics.getMetricsAsJSON()).find((m) => m.name === 'meterline_edge_publish_failures_total')!.values.find((v) => v.labels['kind'] === 'refused')?.value ?? 0;
    while (seqs.length < 25 || (await refused()) === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    await app.close();
    await monitor.endAsync();

    expect(await refused()).toBeGreaterThan(0);
    // A refused publish is not forwarded: each payload arrives once, in seq order, none skipped.
    expect(seqs).toEqual(seqs.map((_, i) => i));
  });
});
