import { describe, expect, it } from 'vitest';
import { DEVICE_PASSWORD_BYTES, assertDeviceId, deviceMayPublish, devicePublishTopics, generateDevicePassword, isBrokerAccountsError } from '../src/index.ts';

describe('generateDevicePassword', () => {
  it('gives 32 characters of base64url (192 random bits), never the same twice in 10 000', () => {
    const passwords = Array.from({ length: 10_000 }, generateDevicePassword);
    for (const password of passwords) expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(new Set(passwords).size).toBe(passwords.length);
    expect(DEVICE_PASSWORD_BYTES * 8).toBe(192);
  });

  it('uses every base64url character about equally often (no bias from the encoding)', () => {
    const counts = new Map<string, number>();
    const text = Array.from({ length: 4_000 }, generateDevicePassword).join('');
    for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(64);
    const expected = text.length / 64;
    for (const n of counts.values()) expect(Math.abs(n - expected) / expected).toBeLessThan(0.2);
  });
});

describe('assertDeviceId', () => {
  it.each(['cq-gw-01', 'a', 'A.b_c-9', 'x'.repeat(64)])('accepts %j', (id) => {
    expect(() => assertDeviceId(id)).not.toThrow();
  });

  it.each(['', '.hidden', 'a/b', 'a+', 'a#', 'a b', 'x'.repeat(65), '$SYS'])('refuses %j with MTL_BROKER_DEVICE_ID_INVALID', (id) => {
    let thrown: unknown;
    try {
      assertDeviceId(id);
    } catch (error) {
      thrown = error;
    }
    expect(isBrokerAccountsError(thrown, 'MTL_BROKER_DEVICE_ID_INVALID')).toBe(true);
  });
});

describe('device topics', () => {
  it("gives the device's readings and status topics", () => {
    expect(devicePublishTopics('gw-1')).toEqual(['meterline/v1/gw-1/readings', 'meterline/v1/gw-1/status']);
  });

  it('allows exactly those two topics (issue 13, defect 9): nothing else in the subtree, not a longer id', () => {
    expect(deviceMayPublish('gw-1', 'meterline/v1/gw-1/readings')).toBe(true);
    expect(deviceMayPublish('gw-1', 'meterline/v1/gw-1/status')).toBe(true);
    expect(deviceMayPublish('gw-1', 'meterline/v1/gw-1')).toBe(false);
    expect(deviceMayPublish('gw-1', 'meterline/v1/gw-1/reading')).toBe(false);
    expect(deviceMayPublish('gw-1', 'meterline/v1/gw-1/readings/x')).toBe(false);
  });

  it('lets a device publish as the Sparkplug edge node of its own id, in any group, and as no other node', () => {
    for (const topic of ['spBv1.0/plant/NBIRTH/gw-1', 'spBv1.0/plant/NDATA/gw-1', 'spBv1.0/other/NDEATH/gw-1', 'spBv1.0/plant/DBIRTH/gw-1/m1', 'spBv1.0/plant/DDATA/gw-1/m1', 'spBv1.0/plant/DDEATH/gw-1/m1']) {
      expect(deviceMayPublish('gw-1', topic), topic).toBe(true);
    }
    for (const topic of ['spBv1.0/plant/NDATA/gw-2', 'spBv1.0/plant/DDATA/gw-2/m1', 'spBv1.0/plant/NCMD/gw-1', 'spBv1.0/plant/DCMD/gw-1/m1', 'spBv1.0/STATE/gw-1', 'spBv1.0/plant/NDATA/gw-1/m1', 'spBv1.0/plant/DDATA/gw-1', 'spBv1.0/plant/DDATA/gw-1/m1/x']) {
      expect(deviceMayPublish('gw-1', topic), topic).toBe(false);
    }
    expect(deviceMayPublish('gw-1', 'meterline/v1/gw-10/readings')).toBe(false);
    expect(deviceMayPublish('gw-1', 'meterline/v1/gw-2/readings')).toBe(false);
    expect(deviceMayPublish('gw-1', 'meterline/v1')).toBe(false);
  });
});
