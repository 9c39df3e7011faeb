import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DeviceStatusV1, compileValidator } from '@meterline/contracts';
import { indexRegistry, parseManifest } from '@meterline/domain';
import { STATUS_TOPIC_FILTER, admitStatus, isStatusTopic } from '../src/admit-status.ts';

const parsed = parseManifest(readFileSync(new URL('../../../packages/domain/examples/demo-manifest.yaml', import.meta.url), 'utf8'), 'demo-manifest.yaml');
if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
const registry = indexRegistry(parsed.manifest);
const rules = { maxPayloadBytes: 1_024 };
const receivedAt = new Date('2026-03-01T00:20:00Z');
const topic = 'meterline/v1/js-gas-01/status';
const validStatus = compileValidator(DeviceStatusV1);

const admit = (payload: string | Buffer, options: { onTopic?: string; retained?: boolean } = {}) =>
  admitStatus(options.onTopic ?? topic, Buffer.isBuffer(payload) ? payload : Buffer.from(payload), options.retained ?? false, receivedAt, registry, rules);

const statusOf = (admission: ReturnType<typeof admit>) => {
  if (admission.kind !== 'status') throw new Error(`dead-lettered: ${admission.deadLetter.reason} ${admission.deadLetter.detail}`);
  return admission.status;
};

describe('admitStatus', () => {
  it('forwards a last will as the offline state of the device, under the enterprise that owns it', () => {
    const status = statusOf(admit('offline'));
    expect(status).toEqual({
      v: 1,
      deviceId: 'js-gas-01',
      enterpriseId: 'js-textile',
      state: 'offline',
      text: 'offline',
      retained: false,
      receivedAt: '2026-03-01T00:20:00.000Z',
      receivedMs: Date.UTC(2026, 2, 1, 0, 20),
    });
    expect(validStatus.validate(status).ok).toBe(true);
  });

  it.each([
    ['the word in any case, with spaces', ' Online\n', 'online'],
    ['JSON with a status member', '{"status":"offline","reason":"power loss"}', 'offline'],
    ['JSON with a state member', '{"state":"ONLINE","fw":"2.1.0"}', 'online'],
    ['a free-form text', 'rebooting for firmware 2.1.0', 'unknown'],
    ['JSON without a known state', '{"status":"degraded"}', 'unknown'],
    ['an empty payload (a retained status being cleared)', '', 'unknown'],
  ])('reads %s', (_name, payload, state) => {
    const status = statusOf(admit(payload));
    expect(status.state).toBe(state);
    expect(status.text).toBe(payload);
    expect(validStatus.validate(status).ok).toBe(true);
  });

  it('keeps whether the broker delivered it as a retained message', () => {
    expect(statusOf(admit('online', { retained: true })).retained).toBe(true);
  });

  it('keeps at most 256 characters of a long status', () => {
    const status = statusOf(admit(`online ${'x'.repeat(600)}`));
    expect(status.state).toBe('unknown');
    expect(status.text).toHaveLength(256);
    expect(validStatus.validate(status).ok).toBe(true);
  });

  it('reads a JSON status longer than the text it keeps', () => {
    const payload = JSON.stringify({ status: 'offline', detail: 'x'.repeat(400) });
    const status = statusOf(admit(payload));
    expect(status.state).toBe('offline');
    expect(status.text).toBe(payload.slice(0, 256));
  });

  it('dead-letters the status of a device the registry does not know, with the original bytes', () => {
    const admission = admit('offline', { onTopic: 'meterline/v1/ghost-1/status' });
    expect(admission).toMatchObject({
      kind: 'dead-letter',
      deadLetter: { v: 2, stage: 'ingest', reason: 'UNKNOWN_DEVICE', mqttTopic: 'meterline/v1/ghost-1/status', topicDeviceId: 'ghost-1', receivedAt: '2026-03-01T00:20:00.000Z' },
    });
    if (admission.kind === 'dead-letter') expect(Buffer.from(admission.deadLetter.original.excerptBase64, 'base64').toString()).toBe('offline');
  });

  it('dead-letters a status on a topic with an empty device level as an unknown device', () => {
    // `+` matches an empty level: the broker delivers `meterline/v1//status` to the filter.
    const admission = admit('offline', { onTopic: 'meterline/v1//status' });
    expect(admission).toMatchObject({ kind: 'dead-letter', deadLetter: { reason: 'UNKNOWN_DEVICE' } });
    if (admission.kind === 'dead-letter') expect(admission.deadLetter).not.toHaveProperty('topicDeviceId');
  });

  it('dead-letters an oversized status before looking the device up', () => {
    const admission = admit(Buffer.alloc(1_025, 0x20), { onTopic: 'meterline/v1/ghost-1/status' });
    expect(admission).toMatchObject({ kind: 'dead-letter', deadLetter: { reason: 'PAYLOAD_TOO_LARGE', topicDeviceId: 'ghost-1' } });
  });

  it('admits a status of exactly the size limit', () => {
    expect(admit(Buffer.alloc(1_024, 0x20)).kind).toBe('status');
  });

  it('never throws, whatever the bytes', () => {
    for (const bytes of [Buffer.from([0xff, 0xfe, 0x00]), Buffer.from('null'), Buffer.from('[]'), Buffer.from('{"status":42}'), Buffer.from('\u0000')]) {
      const status = statusOf(admit(bytes));
      expect(status.state).toBe('unknown');
      expect(validStatus.validate(status).ok).toBe(true);
    }
  });
});

describe('isStatusTopic', () => {
  it('tells the status topic from the readings topic', () => {
    expect(STATUS_TOPIC_FILTER).toBe('meterline/v1/+/status');
    expect(isStatusTopic('meterline/v1/cq-gw-01/status')).toBe(true);
    expect(isStatusTopic('meterline/v1/cq-gw-01/readings')).toBe(false);
    expect(isStatusTopic('meterline/v1/cq-gw-01/status/extra')).toBe(false);
  });
});
