import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { checkPayloadSignature, validateMqttPayload } from '@meterline/contracts';
import { createLogger, createMetricsRegistry } from '@meterline/service-kit';
import { buildAgent } from '../src/agent.ts';
import { MQTT_PASSWORD_ENV, parseEdgeConfig } from '../src/config.ts';
import { account, broker, clearRetainedStatus, watchReadings, type Received } from './broker.ts';
import { startPeer } from './peers.ts';

// The agent on its real adapters, against the test stack's Mosquitto and meters no one here
// wrote: pymodbus 3.16.1's simulator and dlt645 3.2.0's (test/peers/).
const dir = mkdtempSync(join(tmpdir(), 'edge-meters-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const deviceId of ['dev-meter-011', 'dev-meter-012']) await clearRetainedStatus(deviceId);
});
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const METER_ADDRESS = '123456781012';
const energy = (quantity = 'active-energy-import', unit = 'kWh') => ({ quantity, unit });
const register = (address: number, type: string, point: string, extra: Record<string, unknown> = {}) => ({ function: 'input', address, type, point, ...energy(), ...extra });

/** Starts the agent of `document` (JSON config) as main.ts would, as dev device `deviceId`. */
function startAgent(deviceId: string, document: Record<string, unknown>) {
  const config = parseEdgeConfig(
    JSON.stringify({ deviceId, mqtt: { url: broker().url, reconnectFirstMaxMs: 200, reconnectMaxMs: 1_000 }, queue: { file: join(dir, `${deviceId}.db`), messagesPerSecond: 50 }, utcOffsetMinutes: 480, ...document }),
    { [MQTT_PASSWORD_ENV]: account(deviceId).password },
  );
  const metrics = createMetricsRegistry('edge');
  const { app } = buildAgent(config, createLogger('edge', 'error'), metrics);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await app.close();
  };
  cleanups.push(close);
  return { app, metrics, close, start: () => app.start() };
}

const byPoint = (payload: Received) => Object.fromEntries(payload.readings.map((r) => [r.point, r]));

describe('edge agent polling real meters (integration)', () => {
  it('publishes Modbus float, integer and 64-bit registers and DL/T 645 energies as signed payload v1, seq one up per payload, values moving on', async () => {
    const deviceId = 'dev-meter-011';
    const modbus = await startPeer('modbus_meter.py');
    cleanups.push(modbus.stop);
    const dlt = await startPeer('dlt645_meter.py', METER_ADDRESS);
    cleanups.push(dlt.stop);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const keyFile = join(dir, 'device.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const watch = await watchReadings(deviceId);
    cleanups.push(watch.close);

    const agent = startAgent(deviceId, {
      signingKeyFile: keyFile,
      meters: [
        {
          kind: 'modbus-tcp',
          id: 'incomer',
          host: '127.0.0.1',
          port: modbus.port,
          pollIntervalMs: 200,
          registers: [
            register(0, 'float32', 'e-f32-abcd'),
            register(2, 'float32', 'e-f32-cdab', { wordOrder: 'low-first' }),
            register(4, 'uint32', 'e-u32', { scale: 0.01 }),
            register(6, 'int32', 'e-i32', { wordOrder: 'low-first', scale: 0.01, unit: 'kWh' }),
            register(8, 'uint64', 'e-u64', { unit: 'Wh' }),
            register(12, 'uint16', 'ticks', { quantity: 'count', unit: '1' }),
            register(13, 'int16', 'ticks-neg', { quantity: 'count', unit: '1' }),
            register(14, 'float32', 'power', { quantity: 'active-power', unit: 'kW' }),
          ],
        },
        { kind: 'dlt645-tcp', id: 'press', host: '127.0.0.1', port: dlt.port, address: METER_ADDRESS, pollIntervalMs: 200, dataIds: [{ dataId: '00010000', point: 'press-fwd', ...energy() }, { dataId: '00020000', point: 'press-rev', ...energy('active-energy-export') }] },
      ],
    });
    await agent.start();
    const ofMeter = (received: Received[], point: string) => received.filter((p) => p.readings.some((r) => r.point === point));
    await watch.until((received) => ofMeter(received, 'ticks').length >= 6 && ofMeter(received, 'press-fwd').length >= 6);
    const metrics = await agent.metrics.getMetricsAsJSON();
    await agent.close();

    const received = watch.received;
    // One copy of each payload here (no outage), in the order of their seqs, from 0 without a gap.
    expect(received.map((p) => p.seq)).toEqual(received.map((_, i) => i));
    for (const payload of received) {
      const parsed = JSON.parse(payload.bytes) as Record<string, unknown>;
      expect(validateMqttPayload(parsed).ok).toBe(true);
      expect(checkPayloadSignature(parsed, publicKey)).toEqual({ ok: true });
      expect(new Set(payload.readings.map((r) => r.ts)).size).toBe(1);
      expect(payload.readings[0]!.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$/);
    }

    // The simulator moves on at every read: E = 1000.5 + 0.25 × tick kWh, in every encoding at once.
    const modbusPayloads = ofMeter(received, 'ticks').map(byPoint);
    for (const r of modbusPayloads) {
      const tick = r['ticks']!.value;
      const e = 1000.5 + 0.25 * tick;
      expect(r['ticks-neg']!.value).toBe(-tick);
      expect(r['e-f32-abcd']!.value).toBe(e);
      expect(r['e-f32-cdab']!.value).toBe(e);
      expect(r['e-u32']!.value).toBe(e);
      expect(r['e-i32']!.value).toBe(-e);
      expect(r['e-u64']).toMatchObject({ value: e * 1000, unit: 'Wh' });
      expect(r['power']).toMatchObject({ value: 3.5, quantity: 'active-power', unit: 'kW' });
    }
    // One read per poll: the registers of a poll come from one request, and each poll sees the next tick.
    const ticks = modbusPayloads.map((r) => r['ticks']!.value);
    expect(ticks).toEqual(ticks.map((_, i) => ticks[0]! + i));

    const dltPayloads = ofMeter(received, 'press-fwd').map(byPoint);
    const forward = dltPayloads.map((r) => r['press-fwd']!.value);
    expect(forward[0]).toBeGreaterThanOrEqual(1234.56);
    expect(forward.at(-1)).toBeGreaterThan(forward[0]!);
    expect(forward).toEqual([...forward].sort((a, b) => a - b));
    for (const r of dltPayloads) expect(r['press-rev']).toMatchObject({ value: 7.5, quantity: 'active-energy-export', unit: 'kWh' });

    const polls = metrics.find((m) => m.name === 'meterline_edge_polls_total')!.values;
    expect(polls.filter((v) => v.labels['outcome'] === 'ok').map((v) => v.labels['meter']).sort()).toEqual(['incomer', 'press']);
    expect(polls.filter((v) => v.labels['outcome'] === 'failed')).toEqual([]);
  });

  it('counts a poll as failed, and says why, when the Modbus device refuses an address; a DL/T 645 value the meter refuses is skipped with its reason', async () => {
    const modbus = await startPeer('modbus_meter.py');
    cleanups.push(modbus.stop);
    const dlt = await startPeer('dlt645_meter.py', METER_ADDRESS);
    cleanups.push(dlt.stop);
    const agent = startAgent('dev-meter-012', {
      meters: [
        // The simulator has registers 0 to 15 only: a read at 100 is answered with exception 2 (illegal data address).
        { kind: 'modbus-tcp', id: 'no-such-register', host: '127.0.0.1', port: modbus.port, pollIntervalMs: 200, registers: [register(100, 'uint16', 'nothing')] },
        // dlt645's simulator answers a request for another address with an abnormal reply (D1H, error 01H) rather than staying silent.
        { kind: 'dlt645-tcp', id: 'other-address', host: '127.0.0.1', port: dlt.port, address: '000000000001', pollIntervalMs: 200, dataIds: [{ dataId: '00010000', point: 'other-fwd', ...energy() }] },
      ],
    });
    await agent.start();
    const counted = async (name: string, labels: Record<string, string>) => {
      const values = (await agent.metrics.getMetricsAsJSON()).find((m) => m.name === name)!.values;
      return values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;
    };
    while ((await counted('meterline_edge_polls_total', { meter: 'no-such-register', outcome: 'failed' })) < 2 || (await counted('meterline_edge_values_skipped_total', { meter: 'other-address', reason: 'meter-error' })) < 2) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await counted('meterline_edge_polls_total', { meter: 'no-such-register', outcome: 'ok' })).toBe(0);
    expect(await counted('meterline_edge_payloads_queued_total', {})).toBe(0);
    const health = await agent.app.health();
    expect(health.checks['meter:no-such-register']).toBe('failed: MTL_EDGE_METER_REFUSED');
    // Failing meters are not a failing agent: nothing it polled is at risk.
    expect(health.healthy).toBe(true);
  });
});
