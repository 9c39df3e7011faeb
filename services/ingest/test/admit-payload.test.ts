import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { indexRegistry, parseManifest } from '@meterline/domain';
import { admitPayload } from '../src/admit-payload.ts';

const parsed = parseManifest(readFileSync(new URL('../../../packages/domain/examples/demo-manifest.yaml', import.meta.url), 'utf8'), 'demo-manifest.yaml');
if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
const registry = indexRegistry(parsed.manifest);
const rules = { maxPayloadBytes: 4_096, maxFutureSkewMs: 300_000, horizonMs: Date.UTC(2000, 0, 1) };
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
    const { readings, deadLetter } = admit(bytes({ v: 1, deviceId: 'cq-gw-01', seq: 42, readings: [reading('cq-e-main'), reading('cq-e-press', { value: 2.5, unit: 'MWh' })] }));
    expect(deadLetter).toBeUndefined();
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
    const { readings, deadLetter } = admit(payload);
    expect(readings.map((r) => r.pointId)).toEqual(['cq-e-main']);
    expect(deadLetter).toMatchObject({
      v: 2,
      reason: 'POINT_NOT_AUTHORISED',
      path: '/readings/1/point',
      topicDeviceId: 'cq-gw-01',
      admittedReadings: 1,
      refusals: [{ index: 1, reason: 'POINT_NOT_AUTHORISED', path: '/readings/1/point' }],
    });
    // A small payload is kept whole, with its size and digest.
    expect(Buffer.from(deadLetter!.original.excerptBase64, 'base64').equals(payload)).toBe(true);
    expect(deadLetter!.original).toMatchObject({ bytes: payload.length, sha256: createHash('sha256').update(payload).digest('hex'), truncated: false });
  });

  it.each([
    ['not JSON', Buffer.from('{"v":1,'), 'MALFORMED_JSON', undefined],
    ['a missing value', bytes({ v: 1, deviceId: 'cq-gw-01', seq: 1, readings: [{ ...reading('cq-e-main'), value: undefined }] }), 'SCHEMA_INVALID', '/readings/0/value'],
    ['another device id than the topic', bytes({ v: 1, deviceId: 'cq-gas-01', seq: 1, readings: [reading('cq-e-main')] }), 'DEVICE_MISMATCH', '/deviceId'],
    ['an oversized payload', Buffer.alloc(5_000, 0x20), 'PAYLOAD_TOO_LARGE', undefined],
  ])('dead-letters a payload with %s once, as a whole', (_name, payload, reason, path) => {
    const { readings, deadLetter } = admit(payload);
    expect(readings).toEqual([]);
    expect(deadLetter?.reason).toBe(reason);
    expect(deadLetter?.path).toBe(path);
    expect(deadLetter?.refusals).toBeUndefined();
  });

  it('dead-letters a device the registry does not know', () => {
    const { deadLetter } = admit(bytes({ v: 1, deviceId: 'ghost-1', seq: 1, ...reading('cq-e-main') }), 'meterline/v1/ghost-1/readings');
    expect(deadLetter?.reason).toBe('UNKNOWN_DEVICE');
  });

  it.each([
    ['a unit of another dimension', { unit: 'Nm3' }, 'UNIT_MISMATCH', 'unit'],
    ['another quantity than the point measures', { quantity: 'active-energy-export' }, 'QUANTITY_MISMATCH', 'quantity'],
    ['30 February', { ts: '2026-02-30T08:00:00+08:00' }, 'TIMESTAMP_INVALID', 'ts'],
    ['a timestamp 10 minutes ahead of the ingest clock', { ts: '2026-03-01T08:30:00+08:00' }, 'TIMESTAMP_IN_FUTURE', 'ts'],
  ])('dead-letters a single reading with %s, naming the field', (_name, change, reason, field) => {
    const { readings, deadLetter } = admit(bytes({ v: 1, deviceId: 'cq-gw-01', seq: 3, ...reading('cq-e-main', change) }));
    expect(readings).toEqual([]);
    expect(deadLetter).toMatchObject({ reason, path: `/${field}`, refusals: [{ index: 0, reason, path: `/${field}` }] });
  });

  it('never throws, whatever the bytes', () => {
    for (const text of ['', 'null', '[]', '42', '"x"', '{}', '{"v":2}', '\u0000\uffff', '{"readings":null}']) {
      const { readings, deadLetter } = admit(Buffer.from(text));
      expect(readings).toEqual([]);
      expect(deadLetter).toBeDefined();
    }
  });
});

describe('admitPayload, strict admission (issue 13)', () => {
  const gateway = (readings: unknown[]) => bytes({ v: 1, deviceId: 'cq-gw-01', seq: 5, readings });

  it('refuses a payload repeating a member name, even when both spell the same device (defect 8)', () => {
    const text = '{"v":1,"deviceId":"cq-gas-01","seq":1,"deviceId":"cq-gw-01","point":"cq-e-main","ts":"2026-03-01T08:15:00+08:00","quantity":"active-energy-import","value":1,"unit":"kWh"}';
    const { readings, deadLetter } = admit(Buffer.from(text));
    expect(readings).toEqual([]);
    expect(deadLetter).toMatchObject({ reason: 'DUPLICATE_KEY', path: '/deviceId' });
  });

  it('refuses a seq beyond the integers a double holds exactly (readingIds would collide)', () => {
    const { deadLetter } = admit(Buffer.from(`{"v":1,"deviceId":"cq-gw-01","seq":9007199254740993,"readings":[${JSON.stringify(reading('cq-e-main'))}]}`));
    expect(deadLetter).toMatchObject({ reason: 'SCHEMA_INVALID', path: '/seq' });
  });

  it('bounds the path of a repeated member name, which the device chose', () => {
    const key = 'k'.repeat(1_500);
    const { deadLetter } = admit(Buffer.from(`{"${key}":1,"${key}":2}`));
    expect(deadLetter?.reason).toBe('DUPLICATE_KEY');
    expect(deadLetter!.path!.length).toBeLessThanOrEqual(300);
    expect(deadLetter!.detail.length).toBeLessThanOrEqual(300);
  });

  it.each([
    ['a value that overflows on conversion (1e306 MWh in kWh, defect 7)', { value: 1e306, unit: 'MWh' }, 'VALUE_NOT_FINITE', 'value'],
    ['a negative register', { value: -5 }, 'VALUE_NEGATIVE', 'value'],
    ['a register beyond the point’s register size', { value: 1_000_000 }, 'VALUE_OUT_OF_RANGE', 'value'],
    ['a timestamp of 1970 (defect 5)', { ts: '1970-01-01T00:00:00Z' }, 'TIMESTAMP_BEFORE_COMMISSIONING', 'ts'],
    ['a timestamp of year 0000 (defect 5)', { ts: '0000-01-01T00:00:00Z' }, 'TIMESTAMP_BEFORE_COMMISSIONING', 'ts'],
    ['a timestamp the day before the calibration began', { ts: '2024-02-29T23:59:59+08:00' }, 'TIMESTAMP_BEFORE_COMMISSIONING', 'ts'],
    ['a timestamp of year 9999', { ts: '9999-12-31T23:59:59Z' }, 'TIMESTAMP_IN_FUTURE', 'ts'],
  ])('refuses %s with its reason', (_name, change, reason, field) => {
    const { readings, deadLetter } = admit(gateway([reading('cq-e-main', change), reading('cq-e-press')]));
    expect(readings.map((r) => r.pointId)).toEqual(['cq-e-press']);
    expect(deadLetter).toMatchObject({ reason, refusals: [{ index: 0, reason, path: `/readings/0/${field}` }], admittedReadings: 1 });
  });

  it('refuses a number JSON spells too large for a double (1e400 parses as Infinity), at its field', () => {
    const text = '{"v":1,"deviceId":"cq-gw-01","seq":1,"point":"cq-e-main","ts":"2026-03-01T08:15:00+08:00","quantity":"active-energy-import","value":1e400,"unit":"kWh"}';
    const { readings, deadLetter } = admit(Buffer.from(text));
    expect(readings).toEqual([]);
    // The payload schema already refuses a non-finite number (JSON has none).
    expect(deadLetter).toMatchObject({ reason: 'SCHEMA_INVALID', path: '/value' });
  });

  it('admits the first instant of the calibration day, in the enterprise’s time zone', () => {
    const { readings, deadLetter } = admit(gateway([reading('cq-e-main', { ts: '2024-03-01T00:00:00+08:00' })]));
    expect(deadLetter).toBeUndefined();
    expect(readings).toHaveLength(1);
  });

  it('refuses a reading before the configured horizon when the horizon is later than the point’s start', () => {
    const payload = gateway([reading('cq-e-main', { ts: '2024-06-01T00:00:00Z' })]);
    const { deadLetter } = admitPayload(topic, payload, receivedAt, registry, { ...rules, horizonMs: Date.UTC(2025, 0, 1) });
    expect(deadLetter).toMatchObject({ reason: 'TIMESTAMP_BEFORE_HORIZON', path: '/readings/0/ts' });
  });

  it('dead-letters 1 000 refused readings as one bounded record listing each (defect 6)', () => {
    const payload = gateway(Array.from({ length: 1_000 }, (_, i) => reading('js-e-main', { value: i })));
    const { readings, deadLetter } = admitPayload(topic, payload, receivedAt, registry, { ...rules, maxPayloadBytes: 262_144 });
    expect(readings).toEqual([]);
    expect(deadLetter?.refusals?.map((r) => r.index)).toEqual(Array.from({ length: 1_000 }, (_, i) => i));
    expect(new Set(deadLetter?.refusals?.map((r) => r.reason))).toEqual(new Set(['POINT_NOT_AUTHORISED']));
    expect(deadLetter?.original).toMatchObject({ bytes: payload.length, truncated: true });
    expect(Buffer.from(deadLetter!.original.excerptBase64, 'base64').equals(payload.subarray(0, 4_096))).toBe(true);
    // Smaller than the payload it stands for, let alone 1 000 copies of it.
    expect(JSON.stringify(deadLetter).length).toBeLessThan(payload.length * 2);
  });

  it('keeps only an excerpt, the size and the digest of an oversized payload (defect 1)', () => {
    const payload = Buffer.concat([Buffer.from('{"v":1,'), Buffer.alloc(1_000_000, 0x20), Buffer.from('}')]);
    const { deadLetter } = admit(payload);
    expect(deadLetter).toMatchObject({ reason: 'PAYLOAD_TOO_LARGE', original: { bytes: payload.length, truncated: true, sha256: createHash('sha256').update(payload).digest('hex') } });
    expect(JSON.stringify(deadLetter).length).toBeLessThan(8_192);
  });
});
