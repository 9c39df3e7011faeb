import { describe, expect, it } from 'vitest';
import { normalisePayload, validateMqttPayload } from '../src/index.ts';

const reading = {
  point: 'mp-main',
  ts: '2026-03-01T08:15:00+08:00',
  quantity: 'active-energy-import',
  value: 1234.5,
  unit: 'kWh',
};

describe('MQTT payload v1', () => {
  it('accepts the batch form and keeps every reading', () => {
    const result = validateMqttPayload({ v: 1, deviceId: 'gw-1', seq: 7, readings: [reading, { ...reading, point: 'mp-2' }] });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(normalisePayload(result.value).readings.map((r) => r.point)).toEqual(['mp-main', 'mp-2']);
  });

  it('accepts the single form and normalises it to a one-reading batch', () => {
    const result = validateMqttPayload({ v: 1, deviceId: 'm-1', seq: 0, ...reading, quality: 'uncertain' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(normalisePayload(result.value)).toEqual({
      deviceId: 'm-1',
      seq: 0,
      readings: [{ ...reading, quality: 'uncertain' }],
    });
  });

  it('names the field at fault inside a batch', () => {
    const result = validateMqttPayload({ v: 1, deviceId: 'gw-1', seq: 1, readings: [reading, { ...reading, value: 'high' }] });
    expect(result).toEqual({ ok: false, issues: [{ path: '/readings/1/value', message: 'must be number' }] });
  });

  it('refuses a timestamp without an offset', () => {
    const result = validateMqttPayload({ v: 1, deviceId: 'm-1', seq: 0, ...reading, ts: '2026-03-01T08:15:00' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues[0]?.path).toBe('/ts');
  });

  it('refuses unknown fields, naming them', () => {
    const result = validateMqttPayload({ v: 1, deviceId: 'm-1', seq: 0, ...reading, tarif: 2 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues[0]?.message).toContain("'tarif'");
  });

  it('refuses a device id that cannot be one topic level', () => {
    const result = validateMqttPayload({ v: 1, deviceId: 'a/b', seq: 0, ...reading });
    expect(result.ok).toBe(false);
  });
});
