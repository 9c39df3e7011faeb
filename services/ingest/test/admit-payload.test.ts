import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { indexRegistry, parseManifest } from '@meterline/domain';
import { admitPayload } from '../src/admit-payload.ts';

const parsed = parseManifest(readFileSync(new URL('../../../packages/domain/examples/demo-manifest.yaml', import.meta.url), 'utf8'), 'demo-manifest.yaml');
if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
const registry = indexRegistry(parsed.manifest);
const rules = { maxPayloadBytes: 4_096, maxFutureSkewMs: 300_000 };
const receivedAt = new Date('2026-03-01T00:20:00Z');
const topic = 'meterline/v1/cq-gw-01/readings';

const reading = (point: string, extra: Record<string, unknown> = {}) => ({
  point,
  ts: '2026-03-01T08:15:00+08:00',
  quantity: 'active-energy-import',
  value: 1000,
  unit: 'kWh',
  ...extra,
});
const bytes = (payload: unknown) => Buffer.from(JSON.stringify(payload));
const admit = (payload: Buffer, onTopic = topic) => admitPayload(onTopic, payload, receivedAt, registry, rules);

describe('admitPayload', () => {
  it('admits a gateway batch, resolving each point in the registry', () => {
    const { readings, deadLetters } = admit(bytes({ v: 1, deviceId: 'cq-gw-01', seq: 42, readings: [reading('cq-e-main'), reading('cq-e-press', { value: 2.5, unit: 'MWh' })] }));
    expect(deadLetters).toEqual([]);
    expect(readings).toHaveLength(2);
    expect(readings[0]).toMatchObject({
      readingId: 'cq-gw-01:42:0',
      enterpriseId: 'cq-autoparts',
      siteId: 'cq-plant-a',
      pointId: 'cq-e-main',
      carrier: 'electricity',
      value: 1000,
      unit: 'kWh',
      tsMs: Date.UTC(2026, 2, 1, 0, 15),
      quality: 'good',
      receivedAt: '2026-03-01T00:20:00.000Z',
    });
    // 2.5 MWh is 2 500 kWh, the point's unit; the device's own value and unit are kept.
    expect(readings[1]).toMatchObject({ pointId: 'cq-e-press', value: 2500, unit: 'kWh', sourceValue: 2.5, sourceUnit: 'MWh' });
  });

  it('dead-letters a reading for a point the device may not report, and admits the rest', () => {
    const payload = bytes({ v: 1, deviceId: 'cq-gw-01', seq: 1, readings: [reading('cq-e-main'), reading('js-e-main')] });
    const { readings, deadLetters } = admit(payload);
    expect(readings.map((r) => r.pointId)).toEqual(['cq-e-main']);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({ reason: 'POINT_NOT_AUTHORISED', readingIndex: 1, path: '/readings/1/point', topicDeviceId: 'cq-gw-01' });
    expect(Buffer.from(deadLetters[0]!.payloadBase64, 'base64').equals(payload)).toBe(true);
  });

  it.each([
    ['not JSON', Buffer.from('{"v":1,'), 'MALFORMED_JSON', undefined],
    ['a missing value', bytes({ v: 1, deviceId: 'cq-gw-01', seq: 1, readings: [{ ...reading('cq-e-main'), value: undefined }] }), 'SCHEMA_INVALID', '/readings/0/value'],
    ['another device id than the topic', bytes({ v: 1, deviceId: 'cq-gas-01', seq: 1, readings: [reading('cq-e-main')] }), 'DEVICE_MISMATCH', '/deviceId'],
    ['an oversized payload', Buffer.alloc(5_000, 0x20), 'PAYLOAD_TOO_LARGE', undefined],
  ])('dead-letters a payload with %s once, as a whole', (_name, payload, reason, path) => {
    const { readings, deadLetters } = admit(payload);
    expect(readings).toEqual([]);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]?.reason).toBe(reason);
    expect(deadLetters[0]?.path).toBe(path);
  });

  it('dead-letters a device the registry does not know', () => {
    const { deadLetters } = admit(bytes({ v: 1, deviceId: 'ghost-1', seq: 1, ...reading('cq-e-main') }), 'meterline/v1/ghost-1/readings');
    expect(deadLetters.map((d) => d.reason)).toEqual(['UNKNOWN_DEVICE']);
  });

  it.each([
    ['a unit of another dimension', { unit: 'Nm3' }, 'UNIT_MISMATCH', 'unit'],
    ['another quantity than the point measures', { quantity: 'active-energy-export' }, 'QUANTITY_MISMATCH', 'quantity'],
    ['30 February', { ts: '2026-02-30T08:00:00+08:00' }, 'TIMESTAMP_INVALID', 'ts'],
    ['a timestamp 10 minutes ahead of the ingest clock', { ts: '2026-03-01T08:30:00+08:00' }, 'TIMESTAMP_IN_FUTURE', 'ts'],
  ])('dead-letters a single reading with %s, naming the field', (_name, change, reason, field) => {
    const { readings, deadLetters } = admit(bytes({ v: 1, deviceId: 'cq-gw-01', seq: 3, ...reading('cq-e-main', change) }));
    expect(readings).toEqual([]);
    expect(deadLetters).toMatchObject([{ reason, path: `/${field}`, readingIndex: 0 }]);
  });

  it('never throws, whatever the bytes', () => {
    for (const text of ['', 'null', '[]', '42', '"x"', '{}', '{"v":2}', '\u0000\uffff', '{"readings":null}']) {
      const { readings, deadLetters } = admit(Buffer.from(text));
      expect(readings).toEqual([]);
      expect(deadLetters).toHaveLength(1);
    }
  });
});
